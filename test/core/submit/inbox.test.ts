// The inbox between a drop and the queue, over the simulated ComfyUI server: files become tokens (or clear errors),
// companions of a workflow ride along as attachments, a preparation is what gets queued, and a token is spent once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Engine } from '../../../electron/core/engine.js';
import { INBOX_LIMITS, WorkflowInbox } from '../../../electron/core/submit/inbox.js';
import type { DropOptions, OpenedWorkflow } from '../../../electron/shared/ipc-contract.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { engineFor, serverConnected } from '../../support/connect.js';
import { nextEvent } from '../../support/events.js';
import { hostilePng, png } from '../workflow/support/encoders.js';

const AS_SAVED: DropOptions = { randomizeSeeds: false, repeat: 1, front: false };

async function setup(t: { after: (fn: () => Promise<void>) => void }): Promise<{ sim: ComfySimulator; engine: Engine; inbox: WorkflowInbox }> {
  const sim = await ComfySimulator.start({ stepDelayMs: 1 });
  t.after(() => sim.stop());
  const engine = await engineFor(t, [sim.url]);
  await serverConnected(engine);
  return { sim, engine, inbox: new WorkflowInbox(engine) };
}

const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

const API_PROMPT = {
  '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 5 }, _meta: { title: 'Canvas' } },
  '2': { class_type: 'SimSteps', inputs: { steps: 3, image: ['1', 0] } },
  '3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: 'inbox' } },
};

function opened(answer: OpenedWorkflow | undefined): Extract<OpenedWorkflow, { ok: true }> {
  assert.ok(answer?.ok, `opened: ${JSON.stringify(answer)}`);
  return answer;
}

test('a dropped API JSON: opened, prepared clean, queued once, runs to completion', { timeout: 20_000 }, async (t) => {
  const { engine, inbox } = await setup(t);
  const [file] = await inbox.open([{ name: 'portrait.json', bytes: json(API_PROMPT) }]);
  const workflow = opened(file);
  assert.deepEqual([workflow.name, workflow.format, workflow.kind, workflow.nodeCount, workflow.attachments], ['portrait.json', 'json', 'api-prompt', 3, []]);

  const prepared = await inbox.prepare(workflow.token, 's0', { ...AS_SAVED, repeat: 2 });
  assert.ok(prepared.ok);
  assert.deepEqual([prepared.origin, prepared.prompts, prepared.blocking, prepared.problems], ['api-prompt', 2, 0, []]);

  const submitted = await inbox.submit(workflow.token, 's0', { ...AS_SAVED, repeat: 2, uploadInputs: false });
  assert.ok(submitted.ok);
  assert.equal(submitted.promptIds.length, 2);
  const finished = await Promise.all(submitted.promptIds.map((id) => engine.job('s0', id)?.status === 'completed' ? engine.job('s0', id) : nextEvent(engine.events, 'job-finished', (job) => job.id === id)));
  assert.deepEqual(finished.map((job) => [job?.status, job?.submittedBy, job?.workflowName]), [['completed', 'this-app', 'portrait'], ['completed', 'this-app', 'portrait']]);

  // Spent: a second click cannot queue it again.
  const again = await inbox.submit(workflow.token, 's0', { ...AS_SAVED, uploadInputs: false });
  assert.deepEqual([again.ok, !again.ok && again.code], [false, 'DROP_UNKNOWN_TOKEN']);
  assert.equal(inbox.size, 0);
});

test('a workflow PNG dropped with the photo its LoadImage needs: the photo is an attachment, uploaded on request', { timeout: 20_000 }, async (t) => {
  const { engine, inbox } = await setup(t);
  const prompt = {
    '1': { class_type: 'LoadImage', inputs: { image: 'photo.png' }, _meta: { title: 'Photo' } },
    '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'with-photo' } },
  };
  const workflowPng = png([{ type: 'tEXt', key: 'prompt', text: JSON.stringify(prompt) }]);
  const photo = png([]);
  const answers = await inbox.open([
    { name: 'workflow.png', bytes: workflowPng },
    { name: 'photo.png', bytes: photo },
  ]);
  assert.equal(answers.length, 1, 'the plain photo is not reported as a failed workflow');
  const workflow = opened(answers[0]);
  assert.deepEqual(workflow.attachments, ['photo.png']);

  const prepared = await inbox.prepare(workflow.token, 's0', AS_SAVED);
  assert.ok(prepared.ok);
  assert.deepEqual([prepared.blocking, prepared.uploadable], [0, ['photo.png']]);
  assert.deepEqual(prepared.problems.map((p) => [p.nodeTitle, p.inputName]), [['Photo', 'image']]);

  const refused = await inbox.submit(workflow.token, 's0', { ...AS_SAVED, uploadInputs: false });
  assert.deepEqual([refused.ok, !refused.ok && refused.code, refused.promptIds], [false, 'SUBMIT_PREFLIGHT_FAILED', []]);
  assert.equal(engine.jobs('s0').length, 0, 'nothing queued');

  // Refused before anything reached the server: the file stays open for another try.
  assert.equal(inbox.size, 1);
  const submitted = await inbox.submit(workflow.token, 's0', { ...AS_SAVED, uploadInputs: true });
  assert.ok(submitted.ok, JSON.stringify(submitted));
  const [id] = submitted.promptIds;
  const job = engine.job('s0', id!)?.status === 'completed' ? engine.job('s0', id!) : await nextEvent(engine.events, 'job-finished', (j) => j.id === id);
  assert.equal(job?.status, 'completed');
});

test('a server that refuses the first prompt leaves the file open; one that refuses a later repeat spends it', { timeout: 20_000 }, async (t) => {
  const { sim, inbox } = await setup(t);
  const [file] = await inbox.open([{ name: 'flaky.json', bytes: json(API_PROMPT) }]);
  const token = opened(file).token;
  sim.failNext('/prompt', 500, 1, 'POST');
  const refused = await inbox.submit(token, 's0', { ...AS_SAVED, repeat: 2, uploadInputs: false });
  assert.deepEqual([refused.ok, refused.promptIds.length, inbox.size], [false, 0, 1]);
  assert.match(!refused.ok ? refused.message : '', /nothing was queued/);

  sim.events.once('enqueued', () => sim.failNext('/prompt', 500, 1, 'POST'));
  const partial = await inbox.submit(token, 's0', { ...AS_SAVED, repeat: 2, uploadInputs: false });
  assert.deepEqual([partial.ok, partial.promptIds.length, inbox.size], [false, 1, 0]);
  assert.match(!partial.ok ? partial.message : '', /1 of 2 queued, 1 not/);
});

test('files without a workflow are explained, one by one, when nothing in the drop is a workflow', { timeout: 20_000 }, async (t) => {
  const { inbox } = await setup(t);
  const a1111 = png([{ type: 'tEXt', key: 'parameters', text: 'a cat\nNegative prompt: dog\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 512x512' }]);
  const answers = await inbox.open([
    { name: 'a1111.png', bytes: a1111 },
    { name: 'notes.json', bytes: new TextEncoder().encode('{ not json') },
    { name: 'plain.png', bytes: png([]) },
  ]);
  assert.deepEqual(
    answers.map((a) => [a.name, a.ok, !a.ok && a.code]),
    [
      ['a1111.png', false, 'SUBMIT_NOT_A_WORKFLOW'],
      ['notes.json', false, 'WORKFLOW_INVALID_JSON'],
      ['plain.png', false, 'WORKFLOW_NO_METADATA'],
    ],
  );
  for (const answer of answers) assert.ok(!answer.ok && answer.message.includes(answer.name), `the message names the file: ${JSON.stringify(answer)}`);
  assert.match(answers[0]?.ok === false ? answers[0].message : '', /Automatic1111/);
  assert.equal(inbox.size, 0);
});

test('conversion and preflight failures come back per node; an unknown server or token is an error, not a throw', { timeout: 20_000 }, async (t) => {
  const { inbox } = await setup(t);
  const prompt = { '1': { class_type: 'FancyCustomNode', inputs: {}, _meta: { title: 'Fancy' } } };
  const [file] = await inbox.open([{ name: 'fancy.json', bytes: json(prompt) }]);
  const token = opened(file).token;
  const prepared = await inbox.prepare(token, 's0', AS_SAVED);
  assert.ok(prepared.ok);
  assert.equal(prepared.blocking, 1);
  assert.deepEqual(prepared.problems.map((p) => [p.nodeId, p.nodeTitle, p.nodeType]), [['1', 'Fancy', 'FancyCustomNode']]);

  const elsewhere = await inbox.prepare(token, 'no-such-server', AS_SAVED);
  assert.equal(elsewhere.ok, false);
  const unknown = await inbox.prepare('not-a-token', 's0', AS_SAVED);
  assert.deepEqual([unknown.ok, !unknown.ok && unknown.code], [false, 'DROP_UNKNOWN_TOKEN']);
});

test('limits: too many files, too many bytes, too many open files', async () => {
  const inbox = new WorkflowInbox({ backend: () => assert.fail('not used'), submit: () => assert.fail('not used') }, { ...INBOX_LIMITS, maxFiles: 2, maxFileBytes: 100, maxDropBytes: 150, maxOpen: 2 });
  const small = { name: 'a.json', bytes: json({ '1': { class_type: 'X', inputs: {} } }) };
  const [tooMany] = await inbox.open([small, small, small]);
  assert.deepEqual([tooMany?.ok, tooMany?.ok === false && tooMany.code], [false, 'DROP_TOO_MANY_FILES']);
  const big = { name: 'big.json', bytes: new Uint8Array(120) };
  const [tooBig] = await inbox.open([big]);
  assert.deepEqual([tooBig?.ok, tooBig?.ok === false && tooBig.code], [false, 'WORKFLOW_TOO_LARGE']);
  const [tooMuch] = await inbox.open([big, { ...big, name: 'big2.json' }]);
  assert.deepEqual([tooMuch?.ok, tooMuch?.ok === false && tooMuch.code], [false, 'DROP_TOO_LARGE']);

  const tokens: string[] = [];
  for (let i = 0; i < 3; i++) tokens.push(opened((await inbox.open([small]))[0]).token);
  assert.equal(inbox.size, 2, 'the oldest was let go');
  const first = await inbox.prepare(tokens[0]!, 's0', AS_SAVED);
  assert.deepEqual([first.ok, !first.ok && first.code], [false, 'DROP_UNKNOWN_TOKEN']);
  inbox.discard(tokens[1]!);
  assert.equal(inbox.size, 1);
});

// Regression: files were read synchronously on the main thread, at opening and again at every preparation.
test('a dropped hostile PNG is refused with its code; a file is read once, off the main thread, however often it is prepared', { timeout: 20_000 }, async (t) => {
  const { inbox } = await setup(t);
  const [refused] = await inbox.open([{ name: 'bombs.png', bytes: hostilePng() }]);
  assert.deepEqual([refused?.ok, refused?.ok === false && refused.code], [false, 'WORKFLOW_TOO_LARGE']);

  const reads: string[] = [];
  const { engine } = await setup(t);
  // A reader that says what the bytes do not: a preparation that read the bytes again would find nothing.
  const counting = new WorkflowInbox(engine, INBOX_LIMITS, async (_bytes, name) => {
    reads.push(name ?? '');
    return { kind: 'comfy', format: 'json', prompt: API_PROMPT, warnings: [] };
  });
  const token = opened((await counting.open([{ name: 'opaque.bin', bytes: new Uint8Array([1, 2, 3]) }]))[0]).token;
  for (const repeat of [1, 2]) assert.ok((await counting.prepare(token, 's0', { ...AS_SAVED, repeat })).ok);
  assert.deepEqual(reads, ['opaque.bin']);
});
