// Connection requirements at their edges, on real sockets: the handshake timeout, one connect at a time, the
// backoff's reset once a connection proved stable, capabilities reported complete, and capabilities learnt from a
// server's answers.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ConnectionInfo } from '../../../electron/core/comfy/comfy-connection.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { connectedBackendFor, backendFor, stateReached } from '../../support/connect.js';
import { nextEvent, nextNodeEvent } from '../../support/events.js';
import { logRequests, requestsTo } from '../../support/http-log.js';

type TestContext = { after: (fn: () => Promise<void>) => void };

/**
 * Just enough of ComfyUI over HTTP, and a socket whose behaviour the test decides per connection: `onSocket` gets
 * the socket, its number (1 = first) and the client id it asked for.
 */
async function scriptedServer(t: TestContext, onSocket: (ws: WebSocket, index: number, sid: string) => void): Promise<{ url: string; sockets: () => number; nthSocket: (n: number) => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const body = path === '/api/system_stats' ? { system: { comfyui_version: '0.28.0' } } : path === '/api/prompt' ? { exec_info: { queue_remaining: 0 } } : undefined;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(body ? JSON.stringify(body) : '404: Not Found');
  });
  const wss = new WebSocketServer({ server });
  let count = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  wss.on('connection', (ws, req) => {
    count++;
    const sid = new URL(req.url ?? '/', 'http://x').searchParams.get('clientId') ?? randomUUID();
    onSocket(ws, count, sid);
    for (const w of waiters.filter((x) => x.n <= count)) w.resolve();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    sockets: () => count,
    nthSocket: (n) => (count >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
  };
}

function statusFrame(sid: string): string {
  return JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: 0 } }, sid } });
}

describe('connection edges', () => {
  test('handshake timeout: an upgrade accepted without a status frame is COMFY_CONNECT_TIMEOUT, then retried', async (t) => {
    let first: WebSocket | undefined;
    const server = await scriptedServer(t, (ws, index, sid) => {
      // The first connection behaves; every later one is accepted and then says nothing.
      if (index === 1) {
        first = ws;
        ws.send(statusFrame(sid));
      }
    });
    const { backend } = await connectedBackendFor(t, server.url, { timings: { handshakeTimeoutMs: 200, featureFlagsWaitMs: 20, offlineAfterMs: 60_000 } });
    const timedOut = nextEvent(backend.events, 'connection', (info) => info.lastError?.code === 'COMFY_CONNECT_TIMEOUT');
    first?.close();
    const info = await timedOut;
    assert.equal(info.state, 'reconnecting', 'still within the outage: reconnecting, with the next retry planned');
    assert.ok(info.nextRetryAt !== undefined);
    // And it keeps trying: a third connection comes.
    await server.nthSocket(3);
  });

  test('an upgrade that hangs while HTTP answers is tried again on the backoff, not after the port watch: then polling', async (t) => {
    // Every upgrade is accepted and then says nothing. The port always accepts, so a port watch would wait
    // `answeredRetryMs` (a minute here) before the second try that tells a proxy in the way from a passing fault.
    const server = await scriptedServer(t, () => undefined);
    const { backend } = await backendFor(t, server.url, { timings: { handshakeTimeoutMs: 150, answeredRetryMs: 60_000, firstRetryDelayMs: 20 } });
    const polling = nextEvent(backend.events, 'connection', (info) => info.state === 'connected' && info.degraded?.code === 'COMFY_NO_WEBSOCKET');
    backend.start();
    await polling;
    assert.equal(server.sockets(), 2, 'two upgrades tried, then polling');
  });

  test('one connect at a time: 50 reconnectNow() calls open one socket, and 50 more while connected probe once', async (t) => {
    const sim = await ComfySimulator.start();
    t.after(() => sim.stop());
    const requests = logRequests(t, sim.url);
    let sockets = 0;
    sim.events.on('ws-connected', () => sockets++);
    const { backend } = await backendFor(t, sim.url, { timings: { probeIntervalMs: 60_000, pingIntervalMs: 60_000 } });
    backend.start();
    for (let i = 0; i < 50; i++) backend.reconnectNow();
    // A second connect would have sent its first request already (it starts synchronously).
    assert.equal(requestsTo(requests, '/api/system_stats').length, 1);
    await stateReached(backend, 'connected');

    const probed = nextEvent(backend.events, 'probe');
    for (let i = 0; i < 50; i++) backend.reconnectNow();
    await probed;
    assert.equal(sockets, 1);
    assert.equal(requestsTo(requests, '/api/system_stats').length, 1);
    assert.equal(requestsTo(requests, '/api/prompt').length, 1, 'the storm checked the server once');
    assert.equal(backend.stats.reconnects, 0);
  });

  test('the backoff counter resets once a connection has stayed up for the stable period', async (t) => {
    const sim = await ComfySimulator.start();
    t.after(() => sim.stop());
    const stableAfterMs = 600;
    const { backend } = await backendFor(t, sim.url, { timings: { stableAfterMs, firstRetryDelayMs: 20, maxRetryDelayMs: 2_000, jitterRatio: 0 } });
    backend.start();
    const attempts: number[] = [];
    // Dropped right after each connect: never stable, so the counter climbs.
    for (let drop = 0; drop < 3; drop++) {
      await stateReached(backend, 'connected');
      const dropped = stateReached(backend, 'reconnecting');
      await sim.restart();
      attempts.push((await dropped).attempt ?? 0);
    }
    assert.deepEqual(attempts, [1, 2, 3]);
    await stateReached(backend, 'connected');
    // Nothing announces "stable": the period itself is what passes here.
    await new Promise((resolve) => setTimeout(resolve, stableAfterMs * 2));
    const dropped = stateReached(backend, 'reconnecting');
    await sim.restart();
    assert.equal((await dropped).attempt, 1, 'counted from the start again');
  });

  test('the connected state carries what the server answered to our feature flags, from its first report', async (t) => {
    const sim = await ComfySimulator.start();
    t.after(() => sim.stop());
    const { backend } = await backendFor(t, sim.url, { timings: { featureFlagsWaitMs: 5_000 } });
    const reports: ConnectionInfo[] = [];
    backend.events.on('connection', (info) => reports.push(info));
    backend.start();
    await stateReached(backend, 'connected');
    const connected = reports.filter((info) => info.state === 'connected');
    assert.equal(connected.length, 1);
    assert.equal(connected[0]?.capabilities?.supportsPreviewMetadata, true);
  });

  test('a server that never answers the feature flags is reported connected without preview metadata, and corrected if it answers late', async (t) => {
    const sockets: WebSocket[] = [];
    const server = await scriptedServer(t, (ws, _index, sid) => {
      sockets.push(ws);
      ws.send(statusFrame(sid));
    });
    const { backend } = await backendFor(t, server.url, { timings: { featureFlagsWaitMs: 100 } });
    backend.start();
    const info = await stateReached(backend, 'connected');
    assert.equal(info.capabilities?.supportsPreviewMetadata, false);
    const corrected = nextEvent(backend.events, 'connection', (i) => i.capabilities?.supportsPreviewMetadata === true);
    sockets[0]?.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }));
    assert.equal((await corrected).state, 'connected');
  });

  test('a 404 from the cancel endpoint turns the capability off for the server, not only for that call', async (t) => {
    const sim = await ComfySimulator.start({ stepDelayMs: 5 });
    t.after(() => sim.stop());
    const requests = logRequests(t, sim.url);
    const { backend } = await backendFor(t, sim.url);
    backend.start();
    assert.equal((await stateReached(backend, 'connected')).capabilities?.cancelEndpoint, true);
    sim.hold();
    const prompt = { '1': { class_type: 'SimOutput', inputs: { filename: 'x.png' } } };
    const first = randomUUID();
    const second = randomUUID();
    await backend.submit({ prompt, promptId: first });
    await backend.submit({ prompt: { '1': { class_type: 'SimOutput', inputs: { filename: 'y.png' } } }, promptId: second });

    // A proxy (or a server build) without the route: the call falls back to the queue, and the server's view says so.
    sim.failNext(`/api/jobs/${first}/cancel`, 404);
    const learnt = nextEvent(backend.events, 'connection', (info) => info.capabilities?.cancelEndpoint === false);
    const removed = nextNodeEvent<{ promptId: string }>(sim.events, 'removed', (e) => e.promptId === first);
    assert.equal(await backend.cancel(first, false), true);
    await removed;
    assert.equal((await learnt).state, 'connected');

    const posts = (): string[] => requests.filter((r) => r.method === 'POST' && r.path !== '/api/prompt').map((r) => r.path);
    assert.deepEqual(posts(), [`/api/jobs/${first}/cancel`, '/api/queue']);
    assert.equal(await backend.cancel(second, false), true);
    assert.deepEqual(posts(), [`/api/jobs/${first}/cancel`, '/api/queue', '/api/queue'], 'no second try of the missing route');

    // The same server (same version) after a reconnect: still off.
    const dropped = stateReached(backend, 'reconnecting');
    await sim.restart();
    await dropped;
    const again = await stateReached(backend, 'connected');
    assert.equal(again.capabilities?.cancelEndpoint, false);
  });
});
