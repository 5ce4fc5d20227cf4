// ComfyUI behind the proxies users really have: one that wants a token in the query string (on HTTP and on the socket
// upgrade), one that refuses WebSocket upgrades while HTTP works, one that redirects output files to another origin.
// The token is never printed, logged or shown; credentials never travel to another origin.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { resolveRedirect } from '../../../electron/core/comfy/http-client.js';
import type { ServerAuth } from '../../../electron/core/comfy/server-config.js';
import { Engine } from '../../../electron/core/engine.js';
import { configureLogging } from '../../../electron/core/logger.js';
import type { ServerView } from '../../../electron/shared/app-state.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { nextEvent, tempDir } from '../../support/events.js';
import { StorageOrigin } from '../../support/storage-origin.js';
import { TestProxy, type ProxyOptions } from '../../support/test-proxy.js';
import { FAST_TIMINGS } from '../../support/timings.js';

const TOKEN = 'tok-7f3a9c-never-shown';
const SAVE = { class_type: 'SimOutput', inputs: { key: 'images', filename: 'proxied.png' } };
const logged: string[] = [];
configureLogging({ level: 'debug', sink: (entry) => logged.push(JSON.stringify(entry)) });

type TestContext = { after: (fn: () => Promise<void>) => void };

async function behindProxy(t: TestContext, options: ProxyOptions): Promise<{ sim: ComfySimulator; proxy: TestProxy }> {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const proxy = await TestProxy.start(sim.url, options);
  t.after(() => proxy.stop());
  return { sim, proxy };
}

async function engineBehind(t: TestContext, url: string, auth: ServerAuth): Promise<{ engine: Engine; folder: string; seen: unknown[] }> {
  const folder = await tempDir(t);
  const engine = await Engine.create({
    dataDir: await tempDir(t),
    servers: [{ id: 'p', name: 'proxied', url, auth }],
    timings: FAST_TIMINGS,
    tracker: { recheckDelayMs: 50 },
    outputs: { folder, attempts: 2, retryDelayMs: 10, retryLaterMs: 50, retryMaxMs: 200 },
  });
  // Everything the engine tells its views, to search for the token afterwards.
  const seen: unknown[] = [];
  for (const name of ['server', 'job', 'job-finished', 'saved', 'save-failed', 'warning'] as const) engine.events.on(name, (payload: unknown) => seen.push(payload));
  t.after(() => engine.stop());
  engine.start();
  return { engine, folder, seen };
}

function connected(engine: Engine, predicate: (server: ServerView) => boolean = () => true): Promise<ServerView> {
  const now = engine.servers()[0];
  if (now?.state === 'connected' && predicate(now)) return Promise.resolve(now);
  return nextEvent(engine.events, 'server', (server) => server.state === 'connected' && predicate(server), 15_000);
}

test('a query token goes on every request and on the socket upgrade, and is never printed, logged or shown', async (t) => {
  const { sim, proxy } = await behindProxy(t, { queryToken: TOKEN });
  const { engine, seen } = await engineBehind(t, proxy.url, { kind: 'query-token', token: TOKEN });
  const server = await connected(engine);
  assert.equal(server.degraded, undefined, 'live over the socket');
  assert.ok(proxy.requests.some((r) => r.upgrade), 'the socket went through the proxy');

  const { promptId } = sim.enqueue({ '1': SAVE }, { clientId: 'browser' });
  const saved = await nextEvent(engine.events, 'saved', (e) => e.jobId === promptId, 15_000);
  assert.deepEqual(
    (await readFile(saved.files[0]!.path)).toString('base64'),
    sim.outputs.get('output//proxied.png')!.toString('base64'),
    'the output came through /view with the token',
  );
  const submitted = await engine.submit('p', { prompt: { '1': SAVE } });
  await nextEvent(engine.events, 'job-finished', (job) => job.id === submitted.promptId, 15_000);

  assert.ok(proxy.requests.length > 5);
  for (const r of proxy.requests) assert.ok(new URL(r.url, 'http://x').searchParams.get('token') === TOKEN, `${r.method} ${r.url.split('?')[0]} carried the token`);

  // Failures name the server and the route, never the URL with its token.
  await sim.stop();
  const down = await nextEvent(engine.events, 'server', (s) => s.state !== 'connected', 15_000);
  assert.ok(down.lastError);
  const everything = JSON.stringify([seen, logged, engine.servers(), engine.jobs()]);
  assert.ok(!everything.includes(TOKEN), 'the token appears in no view, event or log line');
  assert.ok(logged.length > 0, 'the connection did log');
});

test('a wrong query token ends in auth-failed, asked again only slowly, with no token in the message', async (t) => {
  const { proxy } = await behindProxy(t, { queryToken: TOKEN });
  const { engine } = await engineBehind(t, proxy.url, { kind: 'query-token', token: 'wrong-token-5521' });
  const failed = await nextEvent(engine.events, 'server', (s) => s.state === 'auth-failed', 15_000);
  assert.equal(failed.lastError?.code, 'COMFY_AUTH_FAILED');
  assert.ok(!JSON.stringify(failed).includes('wrong-token-5521'));
  assert.ok((failed.nextRetryAt ?? 0) - Date.now() >= (FAST_TIMINGS.authRetryMs ?? 0) - 50, 'the slow auth retry, not the backoff');
});

test('a proxy that refuses the WebSocket upgrade: followed by polling, connected but degraded, jobs still finish and save', async (t) => {
  const { sim, proxy } = await behindProxy(t, { refuseUpgrades: true });
  const { engine } = await engineBehind(t, proxy.url, { kind: 'bearer', token: 'bearer-1' });
  const states: string[] = [];
  engine.events.on('server', (s) => states.push(s.state));
  const degraded = await connected(engine, (s) => s.degraded !== undefined);
  assert.equal(degraded.degraded?.code, 'COMFY_NO_WEBSOCKET');

  const { promptId } = sim.enqueue({ '1': { class_type: 'SimSteps', inputs: { steps: 3 } }, '2': SAVE }, { clientId: 'browser' });
  const finished = await nextEvent(engine.events, 'job-finished', (job) => job.id === promptId, 15_000);
  assert.equal(finished.status, 'completed');
  const saved = await nextEvent(engine.events, 'saved', (e) => e.jobId === promptId, 15_000);
  assert.equal(saved.files.length, 1);
  assert.ok(!states.includes('offline') && !states.includes('reconnecting'), `never offline while polling: ${states.join(', ')}`);

  // The proxy is fixed: the socket is tried again and live events take over.
  proxy.refuseUpgrades = false;
  const live = await connected(engine, (s) => s.degraded === undefined);
  assert.equal(live.state, 'connected');
  const next = sim.enqueue({ '1': SAVE }, { clientId: 'browser' });
  await nextEvent(engine.events, 'job-finished', (job) => job.id === next.promptId, 15_000);
});

for (const auth of [
  { kind: 'query-token', token: TOKEN },
  { kind: 'bearer', token: TOKEN },
  { kind: 'api-key', key: TOKEN },
] as const satisfies readonly ServerAuth[]) {
  test(`an output redirected to another origin is fetched there without any credential (${auth.kind}), and saved once`, async (t) => {
    const storage = await StorageOrigin.start();
    t.after(() => storage.stop());
    const { sim, proxy } = await behindProxy(t, {
      ...(auth.kind === 'query-token' && { queryToken: TOKEN }),
      redirect: (path, query) => {
        if (!path.endsWith('/view')) return undefined;
        const bytes = sim.outputs.get(`${query.get('type')}/${query.get('subfolder')}/${query.get('filename')}`);
        return bytes && storage.put(query.get('filename')!, bytes);
      },
    });
    const { engine } = await engineBehind(t, proxy.url, auth);
    await connected(engine);
    const { promptId } = sim.enqueue({ '1': SAVE }, { clientId: 'browser' });
    const saved = await nextEvent(engine.events, 'saved', (e) => e.jobId === promptId, 15_000);
    assert.equal(saved.files.length, 1);
    assert.ok((await readFile(saved.files[0]!.path)).equals(sim.outputs.get('output//proxied.png')!));
    assert.equal(storage.requests.length, 1, 'fetched once');
    assert.ok(!storage.everythingReceived().includes(TOKEN), 'no credential reached the other origin');
    assert.equal(storage.requests[0]!.headers.authorization, undefined);
    assert.equal(storage.requests[0]!.headers['x-api-key'], undefined);
    assert.equal(storage.requests[0]!.headers['comfy-user'], undefined);
  });
}

test('a redirect is followed relative to where it came from, and never from https down to http', () => {
  const from = new URL('https://box.example/comfy/api/view?filename=a.png');
  assert.equal(resolveRedirect(from, '/files/a.png')?.href, 'https://box.example/files/a.png');
  assert.equal(resolveRedirect(from, 'https://storage.example/a.png?sig=1#frag')?.href, 'https://storage.example/a.png?sig=1');
  assert.equal(resolveRedirect(from, 'http://storage.example/a.png'), undefined);
  assert.equal(resolveRedirect(from, 'file:///etc/passwd'), undefined);
  assert.equal(resolveRedirect(new URL('http://box:8188/api/view'), 'http://storage:9000/a.png')?.href, 'http://storage:9000/a.png');
});
