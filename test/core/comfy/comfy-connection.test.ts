// The connection against a real socket server that behaves like ComfyUI: handshake, capabilities, reconnection,
// liveness, authentication, hostile frames.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { ComfySimulator, type SimulatorOptions } from '../../support/comfy-simulator.js';
import { connectedBackendFor, backendFor, stateReached } from '../../support/connect.js';
import { nextEvent, nextNodeEvent, tempDir } from '../../support/events.js';
import { previewFrameWithMetadata } from '../../support/simulator/frames.js';

async function simulator(t: { after: (fn: () => Promise<void>) => void }, options: SimulatorOptions = {}): Promise<ComfySimulator> {
  const sim = await ComfySimulator.start(options);
  t.after(() => sim.stop());
  return sim;
}

describe('ComfyConnection', () => {
  test('connects with the feature-flag handshake and reads version and capabilities (modern server)', async (t) => {
    const sim = await simulator(t, { generation: 'modern' });
    const { backend } = await backendFor(t, sim.url);
    backend.start();
    const info = await stateReached(backend, 'connected');
    assert.equal(info.version, '0.28.0');
    assert.equal(info.capabilities?.jobsApi, true);
    assert.equal(info.capabilities?.cancelEndpoint, true);
    assert.equal(info.capabilities?.supportsPreviewMetadata, true, 'the server answered our feature_flags');
    assert.deepEqual(sim.connectedSids(), [backend.clientId]);
  });

  test('a legacy server (no /api/jobs) is detected and still connects', async (t) => {
    const sim = await simulator(t, { generation: 'legacy' });
    const { backend } = await backendFor(t, sim.url);
    backend.start();
    const info = await stateReached(backend, 'connected');
    assert.equal(info.version, '0.3.54');
    assert.equal(info.capabilities?.jobsApi, false);
    assert.equal(info.capabilities?.cancelEndpoint, false);
  });

  test('works behind a reverse-proxy path prefix', async (t) => {
    const sim = await simulator(t, { basePath: '/comfy' });
    await connectedBackendFor(t, sim.url);
  });

  test('reconnects after a server restart, and again after a second one', async (t) => {
    const sim = await simulator(t);
    const { backend } = await connectedBackendFor(t, sim.url);
    for (let round = 1; round <= 2; round++) {
      const dropped = stateReached(backend, 'reconnecting');
      await sim.restart();
      await dropped;
      await stateReached(backend, 'connected');
      assert.equal(backend.stats.reconnects, round);
    }
  });

  test('a server that drops us again and again before we are stable gets a growing backoff, not a tight loop', async (t) => {
    const sim = await simulator(t);
    const { backend } = await backendFor(t, sim.url, { timings: { stableAfterMs: 60_000, firstRetryDelayMs: 50, maxRetryDelayMs: 5_000, jitterRatio: 0 } });
    backend.start();
    const delays: number[] = [];
    for (let drop = 0; drop < 4; drop++) {
      await stateReached(backend, 'connected');
      const dropped = stateReached(backend, 'reconnecting');
      await sim.restart();
      const info = await dropped;
      delays.push((info.nextRetryAt ?? 0) - Date.now());
    }
    assert.ok(delays[0]! <= 10, `first retry at once, got ${delays[0]}`);
    assert.ok(delays[1]! >= 30 && delays[2]! >= 80 && delays[3]! >= 180, `growing: ${delays.join(', ')}`);
  });

  test('a long outage shows offline with the next retry time, retries with backoff, and recovers', async (t) => {
    const sim = await simulator(t);
    const { backend } = await connectedBackendFor(t, sim.url);
    await sim.stop();
    const offline = await stateReached(backend, 'offline');
    assert.equal(offline.lastError?.code, 'COMFY_UNREACHABLE');
    assert.ok((offline.nextRetryAt ?? 0) > Date.now() - 1_000);
    assert.ok((offline.attempt ?? 0) >= 1);
    await sim.start();
    await stateReached(backend, 'connected');
  });

  test('reconnectNow retries at once instead of waiting for the backoff', async (t) => {
    const sim = await simulator(t);
    const { backend } = await backendFor(t, sim.url, { timings: { firstRetryDelayMs: 60_000, maxRetryDelayMs: 60_000 } });
    await sim.stop();
    backend.start();
    await stateReached(backend, 'offline');
    await sim.start();
    backend.reconnectNow();
    await stateReached(backend, 'connected', 3_000);
  });

  test('a half-open socket (no pong, no data) is detected and replaced, with a fresh client id', async (t) => {
    const sim = await simulator(t);
    const { backend } = await connectedBackendFor(t, sim.url, { timings: { pingIntervalMs: 100, pongTimeoutMs: 300 } });
    const firstId = backend.clientId;
    sim.freezeSockets();
    await stateReached(backend, 'reconnecting');
    await stateReached(backend, 'connected');
    assert.equal(backend.stats.halfOpenDetections, 1);
    assert.notEqual(backend.clientId, firstId, 'an id whose old socket may still be open is not reused');
  });

  test('a client id is reused only after its socket was closed cleanly (here: across an app restart)', async (t) => {
    const sim = await simulator(t);
    const dataDir = await tempDir(t);
    const first = await backendFor(t, sim.url, { dataDir });
    first.backend.start();
    await stateReached(first.backend, 'connected');
    const id = first.backend.clientId;
    const closed = nextNodeEvent(sim.events, 'ws-closed');
    await first.backend.stop();
    await closed;
    await first.journal.flush();
    const second = await backendFor(t, sim.url, { dataDir });
    second.backend.start();
    await stateReached(second.backend, 'connected');
    assert.equal(second.backend.clientId, id);
  });

  test('a deaf socket (deregistered by the server) is noticed by the probe and replaced', async (t) => {
    const sim = await simulator(t);
    const { backend } = await connectedBackendFor(t, sim.url);
    // ComfyUI keeps one socket per client id: a second socket with our id silently takes our place.
    const intruder = new WebSocket(`${sim.url.replace('http', 'ws')}ws?clientId=${backend.clientId}`);
    t.after(() => intruder.terminate());
    await new Promise((resolve) => intruder.once('message', resolve));
    sim.enqueue({ '1': { class_type: 'SimSteps', inputs: { steps: 200 } } , '2': { class_type: 'SimOutput', inputs: { filename: 'x.png' } } }, { clientId: 'browser' });
    await stateReached(backend, 'reconnecting');
    await stateReached(backend, 'connected');
    assert.equal(backend.stats.deafDetections, 1);
  });

  test('no status broadcast after our own submission means a deaf socket: it is replaced', async (t) => {
    const sim = await simulator(t);
    // A probe far away, so only the submission watch can notice.
    const { backend } = await connectedBackendFor(t, sim.url, { timings: { probeIntervalMs: 60_000, statusAfterSubmitMs: 300 } });
    const intruder = new WebSocket(`${sim.url.replace('http', 'ws')}ws?clientId=${backend.clientId}`);
    t.after(() => intruder.terminate());
    await new Promise((resolve) => intruder.once('message', resolve));
    sim.hold();
    await backend.submit({ prompt: { '1': { class_type: 'SimOutput', inputs: { filename: 'x.png' } } }, promptId: randomUUID() });
    await stateReached(backend, 'reconnecting');
    await stateReached(backend, 'connected');
    assert.equal(backend.stats.deafDetections, 1);
  });

  test('401/403 put the server in auth-failed with a slow retry, never a tight loop', async (t) => {
    const sim = await simulator(t, { requireHeader: { name: 'authorization', value: 'Bearer right' } });
    const { backend } = await backendFor(t, sim.url, { auth: { kind: 'bearer', token: 'wrong' }, timings: { authRetryMs: 60_000 } });
    backend.start();
    const failed = await stateReached(backend, 'auth-failed');
    assert.equal(failed.lastError?.code, 'COMFY_AUTH_FAILED');
    const before = sim.requestCount();
    // Absence can only be observed over time: a tight retry loop would have sent requests within milliseconds.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(sim.requestCount(), before, 'no requests while waiting for the slow retry');
    assert.ok(!failed.lastError?.message.includes('wrong'), 'credentials never appear in errors');

    const { backend: good } = await backendFor(t, sim.url, { auth: { kind: 'bearer', token: 'right' } });
    good.start();
    await stateReached(good, 'connected');

    // 403, as a proxy or the server's origin check answers, is the same kind of failure.
    sim.setRequiredHeader(undefined);
    sim.failNext('/system_stats', 403);
    const { backend: forbidden } = await backendFor(t, sim.url, { timings: { authRetryMs: 60_000 } });
    forbidden.start();
    assert.equal((await stateReached(forbidden, 'auth-failed')).lastError?.code, 'COMFY_AUTH_FAILED');
  });

  test('5xx and 429 answers are retried as outages, not as incompatibility', async (t) => {
    const sim = await simulator(t);
    sim.failNext('/system_stats', 500);
    sim.failNext('/system_stats', 429);
    const { backend } = await backendFor(t, sim.url);
    backend.start();
    const failed = await stateReached(backend, 'offline');
    assert.equal(failed.lastError?.code, 'COMFY_HTTP_STATUS');
    await stateReached(backend, 'connected');
  });

  test('something that is not ComfyUI is reported as incompatible', async (t) => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>hello</html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { backend } = await backendFor(t, `http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    backend.start();
    const info = await stateReached(backend, 'incompatible');
    assert.equal(info.lastError?.code, 'COMFY_INCOMPATIBLE');
  });

  test('progress frames a newer one supersedes in the same read are dropped unread; every frame is counted, the newest handled', async (t) => {
    const sim = await simulator(t);
    const { backend } = await connectedBackendFor(t, sim.url);
    const prompt = randomUUID();
    const values: number[] = [];
    backend.events.on('message', (m) => {
      if (m.type === 'progress' && m.promptId === prompt) values.push(m.value);
    });
    const before = backend.stats.frames;
    for (let value = 1; value <= 200; value++) sim.sendRaw(JSON.stringify({ type: 'progress', data: { value, max: 200, prompt_id: prompt, node: '3' } }));
    sim.broadcastStatus();
    await nextEvent(backend.events, 'message', (m) => m.type === 'status');
    assert.equal(backend.stats.frames - before, 201);
    assert.equal(values.length + backend.stats.superseded, 200, 'each frame either handled or superseded');
    assert.equal(values.at(-1), 200, 'the newest is handled, before the status that came after it');
    assert.deepEqual(values, [...values].sort((a, b) => a - b), 'in order');
  });

  test('previews a newer one for the same prompt supersedes in the same read are dropped; every one counted, the newest handled', async (t) => {
    const sim = await simulator(t);
    const { backend } = await connectedBackendFor(t, sim.url);
    const prompt = randomUUID();
    const images: number[] = [];
    backend.events.on('message', (m) => {
      if (m.type === 'preview' && m.promptId === prompt) images.push(m.image.readUInt32BE(0));
    });
    const before = { ...backend.stats };
    for (let n = 1; n <= 200; n++) {
      const image = Buffer.alloc(64);
      image.writeUInt32BE(n, 0);
      sim.sendRaw(previewFrameWithMetadata('JPEG', image, '3', prompt));
    }
    sim.broadcastStatus();
    await nextEvent(backend.events, 'message', (m) => m.type === 'status');
    assert.equal(backend.stats.frames - before.frames, 201);
    const dropped = backend.stats.supersededPreviews - before.supersededPreviews;
    assert.equal(images.length + dropped, 200, 'each preview either handled or superseded');
    assert.equal(backend.stats.superseded - before.superseded, dropped, 'counted among the superseded frames');
    assert.equal(images.at(-1), 200, 'the newest is handled, before the status that came after it');
    assert.deepEqual(images, [...images].sort((a, b) => a - b), 'in order');
  });

  test('a text frame that is not valid UTF-8 is read with replacement characters: the connection stays up', async (t) => {
    const sim = await simulator(t);
    const { backend } = await connectedBackendFor(t, sim.url);
    const prompt = randomUUID();
    const nodes: (string | null)[] = [];
    backend.events.on('message', (m) => {
      if (m.type === 'executing' && m.promptId === prompt) nodes.push(m.node);
    });
    const before = backend.stats.reconnects;
    const frame = Buffer.concat([Buffer.from(`{"type": "executing", "data": {"node": "3`), Buffer.from([0xff, 0xc3]), Buffer.from(`", "display_node": "3", "prompt_id": "${prompt}"}}`)]);
    sim.sendRawTextBytes(frame);
    sim.broadcastStatus();
    await nextEvent(backend.events, 'message', (m) => m.type === 'status');
    assert.deepEqual(nodes, ['3\uFFFD\uFFFD']);
    assert.equal(backend.connection.state, 'connected');
    assert.equal(backend.stats.reconnects, before);
  });

  test('malformed JSON, unknown types, every binary type and a 20 MB frame leave the connection up', async (t) => {
    const sim = await simulator(t);
    const { backend } = await connectedBackendFor(t, sim.url);
    const head = (type: number, second: number) => {
      const b = Buffer.alloc(8);
      b.writeUInt32BE(type, 0);
      b.writeUInt32BE(second, 4);
      return b;
    };
    const meta = Buffer.from('{"prompt_id":"p","node_id":"1","image_type":"image/png"}');
    const frames: (string | Buffer)[] = [
      '{not json',
      '{"type":"progress","data":{"value":"x"}}',
      '{"type":"my.custom_event","data":{"x":1}}',
      '{"type":"executed","data":{"prompt_id":"p","node":"1","output":{"v":[NaN,Infinity]}}}',
      Buffer.concat([head(1, 1), Buffer.from('jpeg')]),
      Buffer.concat([head(3, 1), Buffer.from('1hello')]),
      Buffer.concat([head(4, meta.length), meta, Buffer.from('png')]),
      head(4, 0xffffffff),
      Buffer.concat([head(77, 0), Buffer.alloc(100)]),
      Buffer.from([1]),
      JSON.stringify({ type: 'big', data: { blob: 'x'.repeat(20 * 1024 * 1024) } }),
    ];
    for (const frame of frames) sim.sendRaw(frame);
    sim.broadcastStatus();
    await nextEvent(backend.events, 'message', (m) => m.type === 'status');
    assert.equal(backend.connection.state, 'connected');
    assert.equal(backend.stats.malformed, 4);
    assert.equal(backend.stats.unknown, 3);
  });
});
