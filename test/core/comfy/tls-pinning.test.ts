// Trusting one self-signed certificate by its SHA-256 fingerprint: a TLS-terminating proxy in front of the simulator,
// with a certificate made here. The right fingerprint connects (HTTP and socket) and saves outputs; a wrong one, or
// none, is refused before a single request (with its credentials) is written.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import { generate } from 'selfsigned';
import type { createConnection } from 'node:net';
import { WebSocket } from 'ws';
import { normalizeFingerprint, pinnedSocketConnection } from '../../../electron/core/comfy/tls-pinning.js';
import { resolveServer } from '../../../electron/core/comfy/server-config.js';
import { Engine } from '../../../electron/core/engine.js';
import type { ServerView } from '../../../electron/shared/app-state.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { nextEvent, tempDir } from '../../support/events.js';
import { TestProxy } from '../../support/test-proxy.js';
import { FAST_TIMINGS } from '../../support/timings.js';

type TestContext = { after: (fn: () => Promise<void>) => void };

const SECRET = 'bearer-secret-for-the-pinned-server';
const certificate = generate([{ name: 'commonName', value: 'gpu.lan' }], { keyType: 'ec', algorithm: 'sha256' }).then((pems) => ({
  key: pems.private,
  cert: pems.cert,
  fingerprint: new X509Certificate(pems.cert).fingerprint256,
}));

async function tlsProxy(t: TestContext): Promise<{ sim: ComfySimulator; proxy: TestProxy; fingerprint: string }> {
  const { key, cert, fingerprint } = await certificate;
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const proxy = await TestProxy.start(sim.url, { tls: { key, cert } });
  t.after(() => proxy.stop());
  return { sim, proxy, fingerprint };
}

async function engineFor(t: TestContext, url: string, tlsFingerprint?: string): Promise<Engine> {
  const engine = await Engine.create({
    dataDir: await tempDir(t),
    servers: [{ id: 'tls', name: 'self-signed box', url, auth: { kind: 'bearer', token: SECRET }, ...(tlsFingerprint !== undefined && { tlsFingerprint }) }],
    timings: FAST_TIMINGS,
    tracker: { recheckDelayMs: 50 },
    outputs: { folder: await tempDir(t), attempts: 2, retryDelayMs: 10, retryLaterMs: 50, retryMaxMs: 200 },
  });
  t.after(() => engine.stop());
  engine.start();
  return engine;
}

function state(engine: Engine, predicate: (server: ServerView) => boolean): Promise<ServerView> {
  return nextEvent(engine.events, 'server', predicate, 15_000);
}

test('the pinned certificate is accepted over HTTP and the socket: the job is followed live and its output saved', async (t) => {
  const { sim, proxy, fingerprint } = await tlsProxy(t);
  assert.ok(proxy.url.startsWith('https://'));
  // Spelled the way a user may paste it: lower case, no colons.
  const engine = await engineFor(t, proxy.url, fingerprint.replaceAll(':', '').toLowerCase());
  const live = await state(engine, (s) => s.state === 'connected');
  assert.equal(live.degraded, undefined, 'the socket is up through the pinned connection, not polling');
  assert.ok(proxy.requests.some((r) => r.upgrade));
  const { promptId } = sim.enqueue({ '1': { class_type: 'SimOutput', inputs: { key: 'images', filename: 'pinned.png' } } }, { clientId: 'browser' });
  const saved = await nextEvent(engine.events, 'saved', (e) => e.jobId === promptId, 15_000);
  assert.equal(saved.files.length, 1);
});

test('another fingerprint is refused before any request is written: no credential reaches the server', async (t) => {
  const { proxy } = await tlsProxy(t);
  const wrong = 'AA:'.repeat(31) + 'AA';
  const engine = await engineFor(t, proxy.url, wrong);
  const refused = await state(engine, (s) => s.state === 'auth-failed');
  assert.equal(refused.lastError?.code, 'COMFY_TLS_FINGERPRINT_MISMATCH');
  assert.match(refused.lastError?.message ?? '', new RegExp((await certificate).fingerprint), 'the message shows the certificate presented, to compare');
  assert.ok(proxy.connections > 0, 'the handshake was attempted');
  assert.deepEqual(proxy.requests, [], 'not one HTTP request (nor its bearer token) was sent');
});

test('the socket upgrade is pinned on its own: a wrong certificate gets no upgrade request, the right one opens', async (t) => {
  const { proxy, fingerprint } = await tlsProxy(t);
  const open = (pin: string): Promise<Error | undefined> =>
    new Promise((resolve) => {
      const socket = new WebSocket(`${proxy.url.replace('https', 'wss')}ws?clientId=pin-test`, {
        headers: { authorization: `Bearer ${SECRET}` },
        createConnection: pinnedSocketConnection(pin) as unknown as typeof createConnection,
      });
      socket.once('open', () => {
        socket.close();
        resolve(undefined);
      });
      socket.once('error', (error) => resolve(error));
    });
  const refused = await open('BB:'.repeat(31) + 'BB');
  assert.equal((refused as { code?: string } | undefined)?.code, 'COMFY_TLS_FINGERPRINT_MISMATCH');
  assert.equal(proxy.requests.length, 0, 'the upgrade request was never written');
  assert.equal(await open(fingerprint), undefined);
  assert.equal(proxy.requests.filter((r) => r.upgrade).length, 1);
});

test('a self-signed certificate without a fingerprint is untrusted, never silently accepted', async (t) => {
  const { proxy } = await tlsProxy(t);
  const engine = await engineFor(t, proxy.url);
  const refused = await state(engine, (s) => s.state === 'auth-failed');
  assert.equal(refused.lastError?.code, 'COMFY_TLS_UNTRUSTED');
  assert.deepEqual(proxy.requests, []);
});

test('fingerprints are read in the spellings people paste, and only for https servers', () => {
  const canonical = `${'0A:'.repeat(31)}0A`;
  assert.equal(normalizeFingerprint('0a'.repeat(32)), canonical);
  assert.equal(normalizeFingerprint(`SHA256 Fingerprint=${canonical}`), canonical);
  assert.equal(normalizeFingerprint(` sha-256: ${'0a '.repeat(32)}`), canonical);
  assert.equal(normalizeFingerprint('0a'.repeat(20)), undefined, 'a SHA-1 is not enough');
  assert.equal(normalizeFingerprint('zz'.repeat(32)), undefined);
  assert.equal(resolveServer({ id: 's', name: 's', url: 'https://box', tlsFingerprint: '0a'.repeat(32) }).tlsFingerprint, canonical);
  assert.throws(() => resolveServer({ id: 's', name: 's', url: 'http://box', tlsFingerprint: '0a'.repeat(32) }), { code: 'CONFIG_INVALID' });
  assert.throws(() => resolveServer({ id: 's', name: 's', url: 'https://box', tlsFingerprint: 'not-one' }), { code: 'CONFIG_INVALID' });
});
