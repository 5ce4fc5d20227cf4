// The /queue scanner against the ordinary parse: whatever the body, a look reads the same jobs from its text as from
// JSON.parse, builds no prompt for them unless asked, and a body the scanner does not expect falls back to the parse
// (with the parse's own error when it is not JSON at all).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { activeFromQueue, activeFromQueueText, type RemoteJob } from '../../../electron/core/comfy/remote-jobs.js';
import { ListingScanError, scanQueueListing } from '../../../electron/core/comfy/queue-listing-scan.js';

/** What a look reads from a listed job, as plain data. */
function seen(job: RemoteJob): Record<string, unknown> {
  return {
    id: job.id,
    status: job.status,
    priority: job.priority,
    clientId: job.clientId,
    createdAt: job.createdAt,
    listed: job.listed,
    signature: job.signature,
    nodes: job.nodes,
    workflowName: job.workflowName,
    outputNodeIds: job.outputNodeIds,
  };
}

function both(body: unknown, text = JSON.stringify(body)): [unknown, unknown] {
  const parsed = activeFromQueue(body);
  const scanned = activeFromQueueText(text, (t) => JSON.parse(t));
  const view = (a: typeof parsed) => ({ running: a.running.map(seen), pending: a.pending.map(seen) });
  return [view(scanned), view(parsed)];
}

const realItem = (n: number, id: string) => [
  n,
  id,
  {
    '3': { inputs: { seed: 156680208700286 + n, steps: 30, model: ['4', 0], text: 'a "quoted" \\ path\n and ünïcødé 🎨 [not] {a} bracket' }, class_type: 'KSampler', _meta: { title: 'Sampler [main]' } },
    '4': { inputs: { ckpt_name: 'models\\sdxl\\' }, class_type: 'CheckpointLoaderSimple', _meta: { title: 'C:\\Load Checkpoint\\' } },
    '9': { inputs: { filename_prefix: `portrait_${n}`, images: ['3', 0] }, class_type: 'SaveImage', _meta: { title: 'Save Image' } },
  },
  { client_id: `client-${n % 3}`, create_time: 1_795_384_764_000 + n, extra_pnginfo: { workflow: { extra: { name: n % 2 ? `named ${n}` : undefined }, nodes: [{ id: 3 }] } } },
  ['9'],
];

test('a ComfyUI-shaped listing reads the same jobs as the parse, compact, indented or with Python separators', () => {
  const body = { queue_running: [realItem(1, 'b-running')], queue_pending: [realItem(5, 'z-last'), realItem(2, 'a-first'), realItem(2, '0-tie')] };
  for (const text of [JSON.stringify(body), JSON.stringify(body, null, 2), JSON.stringify(body).replaceAll('","', '", "').replaceAll('":', '": ')]) {
    assert.equal(scanQueueListing(text).pending.length, 3);
    const [scanned, parsed] = both(body, text);
    assert.deepEqual(scanned, parsed);
  }
  const scanned = activeFromQueueText(JSON.stringify(body), (t) => JSON.parse(t));
  assert.deepEqual(
    scanned.pending.map((j) => j.id),
    ['0-tie', 'a-first', 'z-last'],
  );
  assert.equal(scanned.running[0]?.workflowName, 'named 1');
  assert.equal(scanned.pending[1]?.workflowName, 'portrait_2');
  assert.equal(scanned.running[0]?.nodes?.['3']?.title, 'Sampler [main]');
});

test('a long queue of one workflow, read through its template after the first jobs, reads like the parse', () => {
  const items = Array.from({ length: 60 }, (_, n) => realItem(n, `job-${n}`));
  const body = { queue_running: items.slice(0, 1), queue_pending: items.slice(1) };
  for (const text of [JSON.stringify(body).replaceAll('","', '", "').replaceAll('":', '": '), JSON.stringify(body, null, 1)]) {
    const [scanned, parsed] = both(body, text);
    assert.deepEqual(scanned, parsed);
  }
  const signatures = new Set(activeFromQueueText(JSON.stringify(body), (t) => JSON.parse(t)).pending.map((job) => job.signature));
  assert.equal(signatures.size, 1);
  assert.ok([...signatures][0]);
});

test('Comfy Cloud order ([number, id, prompt, outputs, extra]) reads like the parse', () => {
  const body = { queue_running: [], queue_pending: [[1, 'c1', { '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'cloud' } } }, ['9'], { client_id: 'web', create_time: 1_795_384_764 }]] };
  const [scanned, parsed] = both(body);
  assert.deepEqual(scanned, parsed);
  const job = activeFromQueueText(JSON.stringify(body), (t) => JSON.parse(t)).pending[0];
  assert.equal(job?.clientId, 'web');
  assert.deepEqual(job?.outputNodeIds, ['9']);
});

test('property: any listing of JSON values reads the same jobs from its text as from JSON.parse', () => {
  // Strings made of what a scanner can trip on: escapes, quotes, brackets, separators, a trailing backslash.
  const tricky = fc.string({ unit: fc.constantFrom('\\', '"', '[', ']', '{', '}', ',', ':', ' ', 'a', 'é', '🎨', '\n', '\u0000') });
  const anyValue = fc.oneof(fc.jsonValue({ maxDepth: 4 }), tricky, fc.dictionary(tricky, tricky), fc.array(tricky));
  const extra = fc.record(
    {
      client_id: fc.oneof(fc.oneof(tricky, fc.string({ unit: 'binary' })), anyValue),
      create_time: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), anyValue),
      // Where a client stores the workflow and its own name for it: extra_data is parsed only when this is there.
      extra_pnginfo: fc.oneof(fc.record({ workflow: fc.oneof(fc.record({ extra: fc.record({ name: fc.oneof(tricky, anyValue) }), name: fc.oneof(tricky, anyValue) }, { requiredKeys: [] }), anyValue) }), anyValue),
      other: anyValue,
    },
    { requiredKeys: [] },
  );
  const prompt = fc.dictionary(
    fc.oneof(tricky, fc.string({ unit: 'binary', maxLength: 4 })),
    fc.record({ class_type: fc.oneof(fc.oneof(tricky, fc.string({ unit: 'binary' })), anyValue), inputs: anyValue, _meta: fc.record({ title: fc.oneof(fc.oneof(tricky, fc.string({ unit: 'binary' })), anyValue) }) }, { requiredKeys: [] }),
  );
  const item = fc.tuple(
    fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), anyValue),
    fc.oneof(fc.oneof(tricky, fc.string({ unit: 'binary' })), anyValue),
    fc.array(fc.oneof(prompt, anyValue, extra, fc.array(fc.string({ maxLength: 3 }))), { maxLength: 4 }),
  ).map(([number, id, rest]) => [number, id, ...rest]);
  const body = fc.record({ queue_running: fc.array(item, { maxLength: 3 }), queue_pending: fc.array(item, { maxLength: 6 }), other: anyValue }, { requiredKeys: ['queue_running', 'queue_pending'] });
  fc.assert(
    fc.property(body, fc.constantFrom(undefined, 1, '\t'), (value, indent) => {
      const text = JSON.stringify(value, null, indent);
      // Read by the scanner itself, not by the fallback: every such body is one it must take.
      const listing = scanQueueListing(text);
      assert.equal(listing.pending.length, value.queue_pending.length);
      // The parse's view of the same text: JSON.stringify turned -0 into 0 and dropped undefined.
      const [scanned, parsed] = both(JSON.parse(text), text);
      assert.deepEqual(scanned, parsed);
    }),
    { numRuns: 400 },
  );
});

test('a body cut anywhere is not read: it falls back to the parse, which refuses it', () => {
  const text = JSON.stringify({ queue_running: [realItem(1, 'r')], queue_pending: [realItem(2, 'p')] }, null, 1);
  for (let cut = 0; cut < text.length; cut++) {
    const prefix = text.slice(0, cut);
    assert.throws(() => scanQueueListing(prefix), ListingScanError, `cut at ${cut}`);
    assert.throws(() => activeFromQueueText(prefix, (t) => JSON.parse(t)), SyntaxError, `cut at ${cut}`);
  }
});

test('what the scanner does not expect is read by the parse, with the parse’s own answer', () => {
  const parse = (t: string): unknown => JSON.parse(t);
  // An item that is not an array, one of one element, a missing list: the schema refuses the body, as before.
  for (const body of [{ queue_running: [], queue_pending: [5] }, { queue_running: [[1]], queue_pending: [] }, { queue_running: [] }, []]) {
    assert.throws(() => scanQueueListing(JSON.stringify(body)), ListingScanError);
    assert.throws(() => activeFromQueueText(JSON.stringify(body), parse), (error: unknown) => error instanceof Error && error.name === 'ZodError');
  }
  // Python's NaN: the scanner steps over it, and reads no number from it.
  const nan = '{"queue_running": [], "queue_pending": [[NaN, "n", {"9": {"class_type": "SaveImage", "inputs": {"x": NaN}}}, {"client_id": "c"}]]}';
  const job = activeFromQueueText(nan, parse).pending[0];
  assert.equal(job?.id, 'n');
  assert.equal(job?.priority, undefined);
  assert.equal(job?.nodes?.['9']?.type, 'SaveImage');
  // Brackets that do not match, and nesting deeper than any prompt, stop the scanner.
  assert.throws(() => scanQueueListing('{"queue_running": [], "queue_pending": [[1, "x", {"a": [1}]]}'), ListingScanError);
  assert.throws(() => scanQueueListing(`{"queue_running": [], "queue_pending": [[1, "x", ${'['.repeat(20_000)}${']'.repeat(20_000)}]]}`), ListingScanError);
});

test('a prompt that is not JSON (only its brackets match) lists the job, without a node table', () => {
  const text = '{"queue_running": [], "queue_pending": [[1, "x", {"3": {"class_type": tru}}, {"client_id": "c", "create_time": 7}]]}';
  const [job] = activeFromQueueText(text, (t) => JSON.parse(t)).pending;
  assert.equal(job?.id, 'x');
  assert.equal(job?.clientId, 'c');
  assert.equal(job?.createdAt, 7);
  assert.equal(job?.nodes, undefined);
  assert.equal(job?.signature, undefined);
});

test('ids and client ids with escapes are unescaped; later duplicate keys win, as with JSON.parse', () => {
  const text = '{"queue_pending": [], "queue_running": [], "queue_pending": [[1, "a\\"b\\u00e9\\\\", {}, {"client_id": 5, "client_id": "c\\\\d"}], [2, "\\\\", {}, {"client_id": "x", "client_id": []}]]}';
  const [scanned, parsed] = both(JSON.parse(text), text);
  assert.deepEqual(scanned, parsed);
  const job = activeFromQueueText(text, (t) => JSON.parse(t)).pending[0];
  assert.equal(job?.id, 'a"bé\\');
  assert.equal(job?.clientId, 'c\\d');
  const last = activeFromQueueText(text, (t) => JSON.parse(t)).pending[1];
  assert.equal(last?.id, '\\');
  assert.equal(last?.clientId, undefined);
});

test('the scanner says which extra_data holds extra_pnginfo (escaped or not, in either order): the others are never parsed for a name', () => {
  const text =
    '{"queue_running": [], "queue_pending": [' +
    '[1, "a", {}, {"client_id": "c", "extra_pnginfo": {"workflow": {"extra": {"name": "mine"}}}}],' +
    '[2, "b", {}, {"extra\\u005fpnginfo": {"workflow": {"name": "escaped"}}}],' +
    '[3, "c", {}, ["9"], {"extra_pnginfo": {"workflow": {"name": "cloud"}}}],' +
    '[4, "d", {"9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "plain"}}}, {"client_id": "c", "pnginfo": {"workflow": {"name": "no"}}}],' +
    '[5, "e", {}, "extra_pnginfo"]]}';
  assert.deepEqual(
    scanQueueListing(text).pending.map((item) => item.extraHasPngInfo),
    [true, true, true, false, false],
  );
  const [scanned, parsed] = both(JSON.parse(text), text);
  assert.deepEqual(scanned, parsed);
  assert.deepEqual(
    activeFromQueueText(text, (t) => JSON.parse(t)).pending.map((job) => job.workflowName),
    ['mine', 'escaped', 'cloud', 'plain', undefined],
  );
});
