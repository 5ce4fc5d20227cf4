// A server that is down is watched through its port, on real sockets: no HTTP request while nothing listens, a full
// attempt as soon as something does, at most one attempt per `answeredRetryMs` against a front that answers 502,
// and a front that drops connections at once watched as cheaply as a closed port.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyFailure } from '../../../electron/core/comfy/outage-watch.js';
import { ComfyTrayError } from '../../../electron/core/errors.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { connectedBackendFor, backendFor, stateReached } from '../../support/connect.js';
import { logRequests, requestsTo } from '../../support/http-log.js';
import { TcpFront } from '../../support/tcp-front.js';

type TestContext = { after: (fn: () => Promise<void>) => void };

async function simulator(t: TestContext): Promise<ComfySimulator> {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  return sim;
}

async function front(t: TestContext, sim: ComfySimulator, mode: 'forward' | 'bad-gateway' | 'drop'): Promise<TcpFront> {
  const tcp = await TcpFront.start(sim.port, mode);
  t.after(() => tcp.close());
  return tcp;
}

describe('outage watch', () => {
  test('failures are told apart: nothing accepted, accepted and dropped, or answered', () => {
    const wrapped = (code: string): ComfyTrayError => new ComfyTrayError('COMFY_UNREACHABLE', 'x', { cause: Object.assign(new Error(code), { code }) });
    assert.equal(classifyFailure(wrapped('ECONNREFUSED')), 'refused');
    assert.equal(classifyFailure(wrapped('ENOTFOUND')), 'refused');
    assert.equal(classifyFailure(new ComfyTrayError('COMFY_UNREACHABLE', 'x', { cause: new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })]) })), 'refused');
    assert.equal(classifyFailure(wrapped('ECONNRESET')), 'dropped');
    assert.equal(classifyFailure(wrapped('UND_ERR_SOCKET')), 'dropped');
    assert.equal(classifyFailure(new ComfyTrayError('COMFY_HTTP_STATUS', 'HTTP 502')), 'answered');
    assert.equal(classifyFailure(new ComfyTrayError('COMFY_CONNECT_TIMEOUT', 'no handshake')), 'answered');
  });

  test('while nothing listens, no HTTP request goes out: the port is checked, and the server is back at once', async (t) => {
    const sim = await simulator(t);
    const requests = logRequests(t, sim.url);
    const { backend } = await connectedBackendFor(t, sim.url);
    const before = requestsTo(requests, '/api/system_stats').length;
    await sim.stop();
    // Offline comes after `offlineAfterMs` (400 ms here): twenty checks' worth of the fast timings.
    const offline = await stateReached(backend, 'offline');
    assert.equal(requestsTo(requests, '/api/system_stats').length - before, 1, 'one attempt right after the drop, none after it');
    assert.ok(backend.stats.portChecks > 0);
    assert.equal(offline.attempt, 1, 'refused attempts do not grow the backoff');
    await sim.start();
    await stateReached(backend, 'connected');
    assert.equal(requestsTo(requests, '/api/system_stats').length - before, 2);
  });

  test('a front that answers 502 gets a full attempt at most every answeredRetryMs, and the server behind it is found', async (t) => {
    const sim = await simulator(t);
    const proxy = await front(t, sim, 'bad-gateway');
    const answeredRetryMs = 150;
    const { backend } = await backendFor(t, proxy.url, { timings: { answeredRetryMs } });
    backend.start();
    await proxy.badGatewaysReached(4);
    const gaps = proxy.badGateways.slice(1).map((at, i) => at - proxy.badGateways[i]!);
    assert.ok(gaps.every((gap) => gap >= answeredRetryMs), `attempts ${gaps.join(', ')} ms apart`);
    assert.ok(backend.stats.portChecks > 0, 'checked cheaply in between');
    proxy.mode = 'forward';
    await stateReached(backend, 'connected');
  });

  test('a front that drops connections at once is watched without more attempts, and the server behind it is found', async (t) => {
    const sim = await simulator(t);
    const forwarder = await front(t, sim, 'drop');
    const requests = logRequests(t, forwarder.url);
    // A hold long enough that a loaded machine still sees the drop within it.
    const { backend } = await backendFor(t, forwarder.url, { timings: { portHoldMs: 300 } });
    backend.start();
    await forwarder.connectionsReached(12);
    assert.equal(requestsTo(requests, '/api/system_stats').length, 1, 'the first attempt only');
    forwarder.mode = 'forward';
    await stateReached(backend, 'connected');
  });

  test('a second drop soon after an outage does not wait for a backoff the outage grew', async (t) => {
    const sim = await simulator(t);
    const timings = { firstRetryDelayMs: 1_000, maxRetryDelayMs: 30_000, jitterRatio: 0, stableAfterMs: 60_000 };
    const { backend } = await connectedBackendFor(t, sim.url, { timings });
    await sim.stop();
    await stateReached(backend, 'offline');
    await sim.start();
    await stateReached(backend, 'connected');
    const dropped = stateReached(backend, 'reconnecting');
    await sim.restart();
    const info = await dropped;
    assert.equal(info.attempt, 2, 'the outage counted one attempt (the one right after the first drop)');
    assert.ok((info.nextRetryAt ?? 0) - Date.now() <= 2_000, 'the backoff of a second drop, not of twenty refused retries');
  });
});
