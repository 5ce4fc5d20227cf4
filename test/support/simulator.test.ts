// The simulator's test-control API and simulator-only node classes. Conformance with the recorded servers is in
// simulator-conformance.test.ts and simulator-http-conformance.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import type { ComfySimulator } from './comfy-simulator.js';
import { call, wsUrl } from './sim-testing/http.js';
import { JobTracker, startSim } from './sim-testing/scenario.js';
import { TestSocket } from './sim-testing/ws-client.js';

const steps = (count: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  '1': { class_type: 'SimSteps', inputs: { steps: count, ...extra } },
});

async function pendingIds(sim: ComfySimulator): Promise<string[]> {
  const queue = (await call(sim.url, 'GET', '/queue')).json as { queue_pending: [number, string][] };
  return queue.queue_pending.map((item) => item[1]);
}

test('hold keeps jobs pending and pauses the running one; release resumes', async (t) => {
  const sim = await startSim(t, { stepDelayMs: 1 });
  const jobs = new JobTracker(sim);
  const socket = await TestSocket.open(wsUrl(sim.url, 'A'));
  t.after(() => socket.close());
  sim.hold();
  const first = sim.enqueue(steps(5), { clientId: 'A' });
  assert.deepEqual(await pendingIds(sim), [first.promptId], 'held: nothing starts');
  sim.release();
  await socket.waitForType('progress', (d) => d.value === 2);
  sim.hold();
  await socket.flush(); // frames sent before hold() have arrived
  const seen = socket.texts('progress').length;
  const queue = (await call(sim.url, 'GET', '/queue')).json as { queue_running: unknown[] };
  await socket.flush();
  assert.equal(queue.queue_running.length, 1);
  assert.equal(socket.texts('progress').length, seen, 'no progress while held');
  assert.ok(seen < 5);
  sim.release();
  assert.equal(await jobs.finished(first.promptId), 'success');
});

test('a held job can still be interrupted or cancelled', async (t) => {
  const sim = await startSim(t, { stepDelayMs: 1 });
  const jobs = new JobTracker(sim);
  const started = new Promise<void>((resolve) => sim.events.once('started', () => resolve()));
  const { promptId } = sim.enqueue(steps(1000));
  await started;
  sim.hold();
  assert.deepEqual((await call(sim.url, 'POST', `/api/jobs/${promptId}/cancel`, {})).json, { cancelled: true });
  assert.equal(await jobs.finished(promptId), 'interrupted');
});

test('restart closes sockets, forgets queue/history/cache/counter and listens on the same port', async (t) => {
  const sim = await startSim(t);
  const jobs = new JobTracker(sim);
  const done = sim.enqueue(steps(1));
  await jobs.finished(done.promptId);
  const socket = await TestSocket.open(wsUrl(sim.url, 'A'));
  sim.hold();
  sim.enqueue(steps(1));
  const port = sim.port;
  await sim.restart();
  assert.equal(await socket.whenClosed(), 1006, 'TCP close, no close frame');
  assert.equal(sim.port, port);
  assert.deepEqual((await call(sim.url, 'GET', '/queue')).json, { queue_running: [], queue_pending: [] });
  assert.deepEqual((await call(sim.url, 'GET', '/history')).json, {});
  assert.equal(sim.enqueue(steps(1)).number, 0, 'priority counter restarts at 0');
  const again = await TestSocket.open(wsUrl(sim.url, 'A'));
  await again.close();
});

test('stop refuses connections; start listens again on the same port with empty state', async (t) => {
  const sim = await startSim(t);
  const jobs = new JobTracker(sim);
  await jobs.finished(sim.enqueue(steps(1)).promptId);
  const url = sim.url;
  await sim.stop();
  await assert.rejects(fetch(`${url}queue`));
  await sim.start();
  assert.equal(sim.url, url);
  assert.deepEqual((await call(sim.url, 'GET', '/history')).json, {});
});

test('failNext answers the next requests of a route with the given status', async (t) => {
  const sim = await startSim(t);
  sim.failNext('/queue', 503, 2);
  sim.failNext('/api/jobs', 500);
  assert.equal((await call(sim.url, 'GET', '/api/queue')).status, 503);
  const second = await call(sim.url, 'GET', '/queue');
  assert.equal(second.status, 503);
  assert.match(second.contentType, /^text\/plain/);
  assert.equal((await call(sim.url, 'GET', '/queue')).status, 200);
  assert.equal((await call(sim.url, 'GET', '/api/jobs?limit=1')).status, 500);
  assert.equal((await call(sim.url, 'GET', '/api/jobs?limit=1')).status, 200);
});

test('failNext with a method leaves the other methods alone: a GET /prompt probe does not spend a POST rule', async (t) => {
  const sim = await startSim(t);
  sim.failNext('/prompt', 500, 1, 'POST');
  assert.equal((await call(sim.url, 'GET', '/api/prompt')).status, 200);
  assert.equal((await call(sim.url, 'POST', '/api/prompt', { prompt: {} })).status, 500);
});

test('requireHeader: 401 on HTTP and on the WebSocket upgrade without the header', async (t) => {
  const header = { name: 'X-API-Key', value: 'secret' };
  const sim = await startSim(t, { requireHeader: header });
  assert.equal((await call(sim.url, 'GET', '/system_stats')).status, 401);
  assert.equal((await call(sim.url, 'GET', '/system_stats', undefined, { 'x-api-key': 'wrong' })).status, 401);
  assert.equal((await call(sim.url, 'GET', '/system_stats', undefined, { 'X-API-Key': 'secret' })).status, 200);
  await assert.rejects(TestSocket.open(wsUrl(sim.url, 'A')), /unexpected response 401/);
  const ok = await TestSocket.open(wsUrl(sim.url, 'A'), { headers: { 'X-API-Key': 'secret' } });
  await ok.close();
  sim.setRequiredHeader(undefined);
  assert.equal((await call(sim.url, 'GET', '/system_stats')).status, 200);
});

test('freezeSockets: the socket stays open but answers no ping and receives nothing', async (t) => {
  const sim = await startSim(t);
  const socket = await TestSocket.open(wsUrl(sim.url, 'A'));
  t.after(() => socket.ws.terminate());
  sim.freezeSockets();
  sim.broadcastStatus();
  let ponged = false;
  socket.ws.once('pong', () => (ponged = true));
  socket.ws.ping();
  // Absence can only be observed over time: a live local socket answers a ping within a millisecond.
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.equal(ponged, false);
  assert.equal(socket.ws.readyState, WebSocket.OPEN);
  assert.equal(socket.texts('status').length, 1);
});

test('GET /queue returns queue_pending in binary-heap order, not sorted', async (t) => {
  const sim = await startSim(t);
  sim.hold();
  const byNumber = new Map<number, string>();
  for (const n of [5, 4, 3, 2, 1]) {
    const reply = await call(sim.url, 'POST', '/prompt', { prompt: steps(1), number: n });
    byNumber.set(n, (reply.json as { prompt_id: string }).prompt_id);
  }
  // Python: heapq.heappush of 5, 4, 3, 2, 1 leaves the list [1, 2, 4, 5, 3]
  assert.deepEqual(await pendingIds(sim), [1, 2, 4, 5, 3].map((n) => byNumber.get(n)));
});

test('basePath: every route and the WebSocket live under the prefix', async (t) => {
  const sim = await startSim(t, { basePath: '/comfy' });
  assert.match(sim.url, /^http:\/\/127\.0\.0\.1:\d+\/comfy\/$/);
  assert.equal((await call(sim.url, 'GET', 'system_stats')).status, 200);
  assert.equal((await call(sim.url, 'GET', 'api/queue')).status, 200);
  assert.equal((await fetch(`http://127.0.0.1:${sim.port}/system_stats`)).status, 404);
  const socket = await TestSocket.open(wsUrl(sim.url, 'A'));
  await socket.close();
  assert.ok(sim.requestCount('/system_stats') >= 1);
});

test('sendRaw injects text and binary frames to one sid or to everyone', async (t) => {
  const sim = await startSim(t);
  const a = await TestSocket.open(wsUrl(sim.url, 'A'));
  const b = await TestSocket.open(wsUrl(sim.url, 'B'));
  t.after(() => Promise.all([a.close(), b.close()]));
  sim.sendRaw('{"type":"custom.event","data":{"x":1}}', 'A');
  sim.sendRaw(Buffer.concat([Buffer.from([0, 0, 0, 9]), Buffer.alloc(1024 * 1024)]));
  await Promise.all([a.flush(), b.flush()]);
  assert.deepEqual(a.texts('custom.event')[0]?.data, { x: 1 });
  assert.equal(b.texts('custom.event').length, 0);
  for (const s of [a, b]) assert.ok(s.entries.some((e) => e.kind === 'binary' && e.eventType === 9));
  assert.deepEqual(sim.connectedSids().sort(), ['A', 'B']);
});

test('simulator classes: SimBlock (non-terminal error), SimRaise, SimOutput files served by /view', async (t) => {
  const sim = await startSim(t);
  const jobs = new JobTracker(sim);
  const socket = await TestSocket.open(wsUrl(sim.url, 'A'));
  t.after(() => socket.close());
  const blocked = sim.enqueue({ '1': { class_type: 'SimBlock', inputs: { message: 'nope' } } }, { clientId: 'A' });
  assert.equal(await jobs.finished(blocked.promptId), 'success');
  const raised = sim.enqueue({ '1': { class_type: 'SimRaise', inputs: { message: 'boom' } } }, { clientId: 'A' });
  assert.equal(await jobs.finished(raised.promptId), 'error');
  const out = sim.enqueue({ '1': { class_type: 'SimOutput', inputs: { key: 'gifs', filename: 'clip.mp4', count: 2, subfolder: 'vids' } } }, { clientId: 'A' });
  assert.equal(await jobs.finished(out.promptId), 'success');
  await socket.flush();
  const errors = socket.texts('execution_error');
  assert.equal(errors[0]?.data.exception_type, 'ExecutionBlocked');
  assert.equal(errors[0]?.data.exception_message, 'Execution Blocked: nope');
  assert.equal(errors[1]?.data.exception_type, 'RuntimeError');
  assert.equal(errors[1]?.data.exception_message, 'boom\n');
  const executed = socket.texts('executed').find((e) => e.data.prompt_id === out.promptId);
  assert.deepEqual(executed?.data.output, {
    gifs: [
      { filename: 'clip_1.mp4', subfolder: 'vids', type: 'output' },
      { filename: 'clip_2.mp4', subfolder: 'vids', type: 'output' },
    ],
  });
  assert.ok(sim.outputs.has('output/vids/clip_2.mp4'));
  const view = await call(sim.url, 'GET', '/view?filename=clip_2.mp4&subfolder=vids&type=output');
  assert.equal(view.status, 200);
  assert.equal(view.contentType, 'video/mp4');
  assert.equal((await call(sim.url, 'GET', '/view?filename=%2Fetc%2Fpasswd')).status, 400);
});

test('previews: type 4 frames for clients with supports_preview_metadata, type 1 otherwise', async (t) => {
  const sim = await startSim(t, { previews: true, stepDelayMs: 1 });
  const jobs = new JobTracker(sim);
  const a = await TestSocket.open(wsUrl(sim.url, 'A'), { first: { type: 'feature_flags', data: { supports_preview_metadata: true } } });
  const b = await TestSocket.open(wsUrl(sim.url, 'B'));
  t.after(() => Promise.all([a.close(), b.close()]));
  await a.waitForType('feature_flags');
  await jobs.finished(sim.enqueue(steps(3), { clientId: 'A' }).promptId);
  await jobs.finished(sim.enqueue(steps(2), { clientId: 'B' }).promptId);
  await Promise.all([a.flush(), b.flush()]);
  const types = (s: TestSocket): number[] => s.entries.flatMap((e) => (e.kind === 'binary' ? [e.eventType] : []));
  assert.deepEqual(types(a), [4, 4, 4]);
  assert.deepEqual(types(b), [1, 1]);
  const frame = b.entries.find((e) => e.kind === 'binary');
  assert.ok(frame?.kind === 'binary' && frame.bytes);
  assert.equal(frame.bytes.readUInt32BE(4), 1, 'JPEG');
  assert.equal(frame.bytes.subarray(8, 11).toString('hex'), 'ffd8ff');
});

test('enqueue validates like POST /prompt and honours front', async (t) => {
  const sim = await startSim(t);
  sim.hold();
  assert.throws(() => sim.enqueue({ '1': { class_type: 'Nope', inputs: {} } }), /missing_node_type/);
  const a = sim.enqueue(steps(1));
  const b = sim.enqueue(steps(1), { front: true });
  assert.ok(b.number < a.number);
  assert.deepEqual(await pendingIds(sim), [b.promptId, a.promptId]);
});

test('legacy generation has no jobs API (404 for GET, 405 for POST)', async (t) => {
  const sim = await startSim(t, { generation: 'legacy' });
  assert.equal((await call(sim.url, 'GET', '/api/jobs?limit=1')).status, 404);
  assert.equal((await call(sim.url, 'POST', '/api/jobs/x/cancel', {})).status, 405);
  assert.equal(((await call(sim.url, 'GET', '/system_stats')).json as { system: { comfyui_version: string } }).system.comfyui_version, '0.3.54');
});

test('hostile input never takes the simulator down', async (t) => {
  const sim = await startSim(t);
  const jobs = new JobTracker(sim);
  for (const body of ['{"prompt": {', '[]', '"x"', '{"prompt": 5}', '{"prompt": {"1": 7}}', '{"prompt": {"1": {"class_type": "SaveImage", "inputs": {"images": [1, 0]}}}}']) {
    const reply = await call(sim.url, 'POST', '/prompt', body);
    assert.ok([400, 500].includes(reply.status), body);
  }
  assert.equal((await call(sim.url, 'POST', '/queue', 'nope')).status, 500);
  assert.equal((await call(sim.url, 'GET', '/history?max_items=abc')).status, 500);
  const socket = await TestSocket.open(wsUrl(sim.url, 'A'));
  socket.ws.send('not json');
  socket.ws.send(Buffer.from([1, 2, 3]));
  socket.ws.send(JSON.stringify({ type: 'feature_flags', data: [1, 2] }));
  await socket.flush();
  await jobs.finished(sim.enqueue(steps(1), { clientId: 'A' }).promptId);
  await socket.close();
  assert.equal((await call(sim.url, 'GET', '/prompt')).status, 200);
});

test('uploads land in the input folder and make LoadImage prompts valid', async (t) => {
  const sim = await startSim(t);
  const prompt = { '1': { class_type: 'LoadImage', inputs: { image: 'dropped.png' } }, '2': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } } };
  const rejected = await call(sim.url, 'POST', '/prompt', { prompt });
  assert.equal(rejected.status, 400);
  const form = new FormData();
  form.set('image', new Blob([Buffer.from('png bytes')]), 'dropped.png');
  const upload = await fetch(`${sim.url}upload/image`, { method: 'POST', body: form });
  assert.deepEqual(await upload.json(), { name: 'dropped.png', subfolder: '', type: 'input' });
  assert.equal((await call(sim.url, 'POST', '/prompt', { prompt })).status, 200);
});

test('history paging (max_items / offset), POST /history delete and clear, evictHistory', async (t) => {
  const sim = await startSim(t);
  const jobs = new JobTracker(sim);
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) {
    ids.push(sim.enqueue(steps(0)).promptId);
    await jobs.finished(ids[i]!);
  }
  const keys = async (path: string): Promise<string[]> => Object.keys((await call(sim.url, 'GET', path)).json as object);
  assert.deepEqual(await keys('/history'), ids);
  assert.deepEqual(await keys('/history?max_items=2'), ids.slice(2));
  assert.deepEqual(await keys('/history?max_items=1&offset=1'), [ids[1]]);
  assert.deepEqual(await keys('/history?offset=3'), [ids[3]]);
  assert.deepEqual((await call(sim.url, 'GET', '/history/not-there')).json, {});
  await call(sim.url, 'POST', '/history', { delete: [ids[0]] });
  sim.evictHistory(ids[1]!);
  assert.deepEqual(await keys('/api/history'), ids.slice(2));
  await call(sim.url, 'POST', '/history', { clear: true });
  assert.deepEqual(await keys('/history'), []);
  assert.equal((await call(sim.url, 'GET', `/api/jobs/${ids[3]}`)).status, 404);
});
