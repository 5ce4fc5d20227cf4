// The Settings channels: secrets never reach the renderer, a returned marker keeps them, invalid patches are refused
// with the field named, and a connection test reports the version or an error code.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { SettingsStore } from '../../electron/core/store/settings-store.js';
import type { KeyValueStore, SecretProtector } from '../../electron/core/store/kv-store.js';
import { redactSettings, settingsHandlers, testConnection } from '../../electron/shell/settings-handlers.js';
import { ComfySimulator } from '../support/comfy-simulator.js';

const protector: SecretProtector = { available: true, protect: (plain) => `enc:${[...plain].reverse().join('')}`, reveal: (text) => [...text.slice(4)].reverse().join('') };

function memoryKv(): KeyValueStore {
  const data = new Map<string, unknown>();
  return { get: (key) => data.get(key), set: async (key, value) => void data.set(key, structuredClone(value)), delete: async (key) => void data.delete(key) };
}

async function withSecretServer() {
  const { store } = await SettingsStore.open(memoryKv(), protector);
  await store.update((s) => ({ ...s, servers: [{ id: 'a', name: 'A', url: 'http://a.local:8188', auth: { kind: 'bearer', token: 'sekrit-token' }, enabled: true }] }));
  const tested: unknown[] = [];
  const { handlers, schemas } = settingsHandlers({
    settings: store,
    testConnection: async (config) => {
      tested.push(config);
      return { ok: true, version: '1', capabilities: { jobsApi: true, cancelEndpoint: true, targetedInterrupt: true, supportsPreviewMetadata: false } };
    },
  });
  return { store, handlers, schemas, tested };
}

test('settings:get never sends a secret, only that one is stored', async () => {
  const { handlers } = await withSecretServer();
  const view = await handlers['settings:get']();
  assert.deepEqual(view.servers[0]!.auth, { kind: 'bearer', hasSecret: true });
  assert.doesNotMatch(JSON.stringify(view), /sekrit/);
});

test('the marker keeps the stored secret; a typed one replaces it; the answer is redacted', async () => {
  const { store, handlers, schemas } = await withSecretServer();
  const patch = { servers: [{ id: 'a', name: 'A2', url: 'http://a.local:8188', enabled: true, auth: { kind: 'bearer', hasSecret: true } as const }] };
  assert.ok(schemas['settings:update'].safeParse([patch]).success);
  const result = await handlers['settings:update'](patch);
  assert.ok(result.ok);
  assert.doesNotMatch(JSON.stringify(result), /sekrit/);
  assert.deepEqual(store.current.servers[0]!.auth, { kind: 'bearer', token: 'sekrit-token' });
  assert.equal(store.current.servers[0]!.name, 'A2');
  await handlers['settings:update']({ servers: [{ ...patch.servers[0]!, auth: { kind: 'bearer', token: 'new-token' } }] });
  assert.deepEqual(store.current.servers[0]!.auth, { kind: 'bearer', token: 'new-token' });
});

test('an invalid patch is refused with the field named, and nothing is stored', async () => {
  const { store, handlers } = await withSecretServer();
  const before = store.current;
  const bad = await handlers['settings:update']({ servers: [{ id: 'a', name: 'A', url: 'ftp://nope', enabled: true, auth: { kind: 'none' } }] });
  assert.equal(bad.ok, false);
  assert.match(!bad.ok ? bad.message : '', /servers\.0\.url/);
  const template = await handlers['settings:update']({ outputs: { template: '{nope}/x' } });
  assert.match(!template.ok ? template.message : '', /outputs\.template/);
  const journal = await handlers['settings:update']({ general: { journalJobsPerServer: 3 } });
  assert.match(!journal.ok ? journal.message : '', /general\.journalJobsPerServer/);
  assert.equal(store.current, before);
});

test('null clears the output folder and the pause', async () => {
  const { store, handlers } = await withSecretServer();
  await handlers['settings:update']({ outputs: { folder: '/tmp/out' }, notifications: { pausedUntil: -1 } });
  assert.equal(store.current.outputs.folder, '/tmp/out');
  assert.equal(store.current.notifications.pausedUntil, -1);
  await handlers['settings:update']({ outputs: { folder: null }, notifications: { pausedUntil: null } });
  assert.equal(store.current.outputs.folder, undefined);
  assert.equal(store.current.notifications.pausedUntil, undefined);
});

test('a connection test with the marker uses the stored secret', async () => {
  const { handlers, tested } = await withSecretServer();
  await handlers['servers:test-connection']({ id: 'a', url: 'http://a.local:8188', auth: { kind: 'bearer', hasSecret: true } });
  assert.deepEqual((tested[0] as { auth: unknown }).auth, { kind: 'bearer', token: 'sekrit-token' });
});

test('regression: a password typed into a server URL never comes back to the window, and saving again keeps it', async () => {
  const { store, handlers } = await withSecretServer();
  const typed = { id: 'a', name: 'A', url: 'http://alice:hunter2@a.local:8188', enabled: true, auth: { kind: 'none' } as const };
  const result = await handlers['settings:update']({ servers: [typed] });
  assert.ok(result.ok);
  assert.doesNotMatch(JSON.stringify(result.settings), /hunter2|alice:/);
  assert.match(result.warnings.join(' '), /moved to its authentication/);
  const view = await handlers['settings:get']();
  assert.doesNotMatch(JSON.stringify(view), /hunter2/);
  assert.equal(view.servers[0]!.url, 'http://a.local:8188/');
  assert.deepEqual(view.servers[0]!.auth, { kind: 'basic', username: 'alice', hasSecret: true });
  // What the form sends back next time: the clean URL and the marker.
  await handlers['settings:update']({ servers: [{ ...typed, name: 'A2', url: view.servers[0]!.url, auth: { kind: 'basic', username: 'alice', hasSecret: true } }] });
  assert.deepEqual(store.current.servers[0]!.auth, { kind: 'basic', username: 'alice', password: 'hunter2' });
});

test('redactSettings never passes on credentials a URL still holds', async () => {
  const { store } = await withSecretServer();
  const leaky = { ...store.current, servers: [{ ...store.current.servers[0]!, url: 'https://bob:s3cret@a.local/comfy/' }] };
  const view = redactSettings(leaky);
  assert.equal(view.servers[0]!.url, 'https://a.local/comfy/');
  assert.doesNotMatch(JSON.stringify(view), /s3cret|bob/);
});

test('testConnection: the version of a live simulator; an error code for a closed port', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const ok = await testConnection({ id: 's', name: 'S', url: sim.url }, 2_000);
  assert.ok(ok.ok);
  assert.equal(ok.ok && ok.version, '0.28.0');
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as { port: number };
      probe.close(() => resolve(free));
    });
  });
  const closed = await testConnection({ id: 'c', name: 'C', url: `http://127.0.0.1:${port}` }, 2_000);
  assert.equal(closed.ok, false);
  assert.equal(!closed.ok && closed.code, 'COMFY_UNREACHABLE');
});

test('the window learns whether secrets outlive this run, and why not', async () => {
  const { handlers } = await withSecretServer();
  assert.deepEqual((await handlers['settings:get']()).secretStorage, { persisted: true });
  const reason = 'No system keyring was found';
  const { store } = await SettingsStore.open(memoryKv(), { ...protector, available: false, unavailableReason: reason });
  const { handlers: without } = settingsHandlers({ settings: store, testConnection: async () => ({ ok: false, code: 'COMFY_UNREACHABLE', message: 'x' }) });
  assert.deepEqual((await without['settings:get']()).secretStorage, { persisted: false, reason });
  const saved = await without['settings:update']({ general: { theme: 'dark' } });
  assert.ok(saved.ok);
  assert.deepEqual(saved.settings.secretStorage, { persisted: false, reason });
});
