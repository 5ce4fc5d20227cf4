// /view answers like ComfyUI's (aiohttp's FileResponse): the validator headers the recorded servers sent, and byte
// ranges with aiohttp's rules, including its reading of If-Range as a date only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ComfySimulator } from './comfy-simulator.js';
import { exchange, httpTranscript } from './sim-testing/fixtures.js';
import { modifiedAt } from './simulator/storage.js';

const SIZE = 1000;
const MTIME = Date.UTC(2026, 10, 22, 21, 59, 9, 250);
const PATH = 'api/view?filename=f.bin&subfolder=&type=output';

async function view(sim: ComfySimulator, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const response = await fetch(new URL(PATH, sim.url), { headers });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

async function simWithFile(t: { after: (fn: () => Promise<void>) => void }): Promise<{ sim: ComfySimulator; data: Buffer }> {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const data = Buffer.from(Array.from({ length: SIZE }, (_, i) => i % 251));
  sim.outputs.set('output//f.bin', modifiedAt(data, MTIME));
  return { sim, data };
}

for (const version of ['0.28.0', '0.3.54'] as const) {
  test(`${version}: the validators the recorded /view sent, in the same form`, async (t) => {
    const recorded = exchange(httpTranscript(version, '01_basic_client_A'), { method: 'GET', path: '/view' }).headers;
    const { sim } = await simWithFile(t);
    const { headers } = await view(sim);
    assert.equal(headers.get('accept-ranges'), recorded['accept-ranges']);
    const etag = /^"([0-9a-f]+)-([0-9a-f]+)"$/;
    assert.match(recorded.etag!, etag);
    assert.equal(Number.parseInt(etag.exec(recorded.etag!)![2]!, 16), Number(recorded['content-length']), 'aiohttp: mtime_ns-size in hex');
    assert.equal(headers.get('etag'), `"${(BigInt(MTIME) * 1_000_000n).toString(16)}-${SIZE.toString(16)}"`);
    assert.match(recorded['last-modified']!, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    assert.equal(headers.get('last-modified'), 'Sun, 22 Nov 2026 21:59:10 GMT', 'rounded up to the second');
  });
}

test('byte ranges: from an offset, a span, the tail; 206 with Content-Range', async (t) => {
  const { sim, data } = await simWithFile(t);
  for (const [range, start, end] of [
    ['bytes=600-', 600, 1000],
    ['bytes=10-19', 10, 20],
    ['bytes=-100', 900, 1000],
    ['bytes=990-5000', 990, 1000],
  ] as const) {
    const reply = await view(sim, { range });
    assert.equal(reply.status, 206, range);
    assert.equal(reply.headers.get('content-range'), `bytes ${start}-${end - 1}/${SIZE}`, range);
    assert.ok(reply.bytes.equals(data.subarray(start, end)), range);
  }
});

test('a range starting at or past the end, or one aiohttp cannot parse, is 416 with the size', async (t) => {
  const { sim } = await simWithFile(t);
  for (const range of ['bytes=1000-', 'bytes=5000-', 'bytes=0-1,5-6', 'bytes=9-3', 'items=0-1']) {
    const reply = await view(sim, { range });
    assert.equal(reply.status, 416, range);
    assert.equal(reply.headers.get('content-range'), `bytes */${SIZE}`, range);
    assert.equal(reply.bytes.length, 0);
  }
});

test('If-Range: a date at or after the file serves the range, an earlier one the whole file; an ETag is not understood', async (t) => {
  const { sim, data } = await simWithFile(t);
  const lastModified = (await view(sim)).headers.get('last-modified')!;
  assert.equal((await view(sim, { range: 'bytes=500-', 'if-range': lastModified })).status, 206);
  const older = await view(sim, { range: 'bytes=500-', 'if-range': 'Sun, 22 Nov 2026 21:59:09 GMT' });
  assert.equal(older.status, 200);
  assert.ok(older.bytes.equals(data));
  // aiohttp parses If-Range as a date; anything else counts as absent, so the range is served regardless.
  assert.equal((await view(sim, { range: 'bytes=500-', 'if-range': '"not-this-version"' })).status, 206);
});

test('served files are reported with the Range asked for and the bytes sent', async (t) => {
  const { sim } = await simWithFile(t);
  const served: unknown[] = [];
  sim.events.on('file-served', (e) => served.push(e));
  await view(sim);
  await view(sim, { range: 'bytes=900-' });
  assert.deepEqual(served, [
    { key: 'output//f.bin', status: 200, bytes: SIZE },
    { key: 'output//f.bin', status: 206, range: 'bytes=900-', bytes: 100 },
  ]);
});
