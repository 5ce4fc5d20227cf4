// The Settings channels: secrets never reach the renderer, a returned marker keeps them, invalid patches are refused
// with the field named, and a connection test reports the version or an error code.
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { SettingsStore } from '../../electron/core/store/settings-store.js';
import type { KeyValueStore, SecretProtector } from '../../electron/core/store/kv-store.js';
import { outputFolderProblem, type SystemPlaces } from '../../electron/core/outputs/output-folder-policy.js';
import { redactSettings, settingsHandlers, testConnection, type SettingsHandlerDeps } from '../../electron/shell/settings-handlers.js';
import { ComfySimulator } from '../support/comfy-simulator.js';

const protector: SecretProtector = { available: true, protect: (plain) => `enc:${[...plain].reverse().join('')}`, reveal: (text) => [...text.slice(4)].reverse().join('') };

function memoryKv(): KeyValueStore {
  const data = new Map<string, unknown>();
  return { get: (key) => data.get(key), set: async (key, value) => void data.set(key, structuredClone(value)), delete: async (key) => void data.delete(key) };
}

/** A home and a data folder of their own, so the folder rules are the same on every machine. */
const PLACES: SystemPlaces = { platform: 'linux', home: '/home/ann', dataDir: '/home/ann/.config/Comfy Tray', env: {} };

async function withSecretServer(options: { url?: string; picked?: () => string | undefined; testConnection?: SettingsHandlerDeps['testConnection'] } = {}) {
  const { store } = await SettingsStore.open(memoryKv(), protector, { places: PLACES });
  await store.update((s) => ({ ...s, servers: [{ id: 'a', name: 'A', url: options.url ?? 'http://a.local:8188', auth: { kind: 'bearer', token: 'sekrit-token' }, enabled: true }] }));
  const tested: unknown[] = [];
  const { handlers, schemas } = settingsHandlers({
    settings: store,
    testConnection:
      options.testConnection ??
      (async (config) => {
        tested.push(config);
        return { ok: true, version: '1', capabilities: { jobsApi: true, cancelEndpoint: true, targetedInterrupt: true, supportsPreviewMetadata: false } };
      }),
    pickFolder: async () => options.picked?.(),
    folderProblem: async (folder) => outputFolderProblem(folder, PLACES),
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

// Changed deliberately: a folder is now set by choosing it in the picker (it was set by naming it in the patch).
test('null clears the output folder and the pause', async () => {
  const { store, handlers } = await withSecretServer({ picked: () => '/tmp/out' });
  assert.deepEqual(await handlers['outputs:choose-folder']({}), { ok: true, folder: '/tmp/out' });
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

/** A server that notes every request and the credentials it carried: where a leaked secret would arrive. */
async function listeningServer(t: { after: (fn: () => Promise<void>) => void }): Promise<{ url: string; seen: { path: string; authorization?: string }[] }> {
  const seen: { path: string; authorization?: string }[] = [];
  const server = createHttpServer((req, res) => {
    seen.push({ path: req.url ?? '', ...(req.headers.authorization !== undefined && { authorization: req.headers.authorization }) });
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, seen };
}

// Regression: the window named a stored server by id and any URL, and the connection test sent that server's secret
// there (an attacker with the window's privileges could collect every saved token).
test('a kept secret is never sent to a URL other than the one it was saved for: SECRET_URL_CHANGED, no request', async (t) => {
  const attacker = await listeningServer(t);
  const { handlers } = await withSecretServer({ testConnection: (config) => testConnection(config, 2_000) });
  const answer = await handlers['servers:test-connection']({ id: 'a', url: attacker.url, auth: { kind: 'bearer', hasSecret: true } });
  assert.deepEqual([answer.ok, !answer.ok && answer.code], [false, 'SECRET_URL_CHANGED']);
  assert.equal(attacker.seen.length, 0, 'not a single request reached the other URL');
  // A secret typed for the new URL goes there, as the user meant.
  await handlers['servers:test-connection']({ id: 'a', url: attacker.url, auth: { kind: 'bearer', token: 'typed-now' } });
  assert.ok(attacker.seen.length > 0 && attacker.seen.every((request) => request.authorization === 'Bearer typed-now'));
});

test('saving a kept secret with a changed URL is refused (SECRET_URL_CHANGED); the same URL spelled otherwise keeps it', async () => {
  const { store, handlers } = await withSecretServer({ url: 'http://a.local:8188/comfy/' });
  const server = { id: 'a', name: 'A', enabled: true, auth: { kind: 'bearer', hasSecret: true } as const };
  for (const url of ['http://evil.example/', 'http://a.local:8188/', 'http://a.local:8188/comfy/other/', 'https://a.local:8188/comfy/', 'http://a.local:8189/comfy/']) {
    const refused = await handlers['settings:update']({ servers: [{ ...server, url }] });
    assert.deepEqual([refused.ok, !refused.ok && refused.code], [false, 'SECRET_URL_CHANGED'], url);
    assert.equal(store.current.servers[0]!.url, 'http://a.local:8188/comfy/', 'nothing stored');
  }
  const kept = await handlers['settings:update']({ servers: [{ ...server, url: 'HTTP://A.LOCAL:8188/comfy' }] });
  assert.ok(kept.ok);
  assert.deepEqual(store.current.servers[0]!.auth, { kind: 'bearer', token: 'sekrit-token' });
  // The secret typed again goes with the new URL.
  const moved = await handlers['settings:update']({ servers: [{ ...server, url: 'http://b.local:8188/', auth: { kind: 'bearer', token: 'for-b' } }] });
  assert.ok(moved.ok);
  assert.deepEqual(store.current.servers[0]!.auth, { kind: 'bearer', token: 'for-b' });
});

// Regression: settings:update took any output folder the window named, though the window is never to name a path.
test('an output folder the window names without choosing it is refused (OUTPUT_FOLDER_NOT_CHOSEN); one chosen is taken', async () => {
  let picked: string | undefined = '/home/ann/Pictures/renders';
  const { store, handlers } = await withSecretServer({ picked: () => picked });
  const named = await handlers['settings:update']({ outputs: { folder: '/home/ann/.config/autostart' } });
  assert.deepEqual([named.ok, !named.ok && named.code], [false, 'OUTPUT_FOLDER_NOT_CHOSEN']);
  const forServer = await handlers['settings:update']({ servers: [{ id: 'a', name: 'A', url: 'http://a.local:8188', enabled: true, auth: { kind: 'none' }, outputFolder: '/home/ann/x' }] });
  assert.deepEqual([forServer.ok, !forServer.ok && forServer.code], [false, 'OUTPUT_FOLDER_NOT_CHOSEN']);
  assert.equal(store.current.outputs.folder, undefined);

  assert.deepEqual(await handlers['outputs:choose-folder']({ serverId: 'a' }), { ok: true, folder: '/home/ann/Pictures/renders' });
  const otherTarget = await handlers['settings:update']({ outputs: { folder: '/home/ann/Pictures/renders' } });
  assert.equal(!otherTarget.ok && otherTarget.code, 'OUTPUT_FOLDER_NOT_CHOSEN', 'chosen for server a, not for the default');
  const chosen = await handlers['settings:update']({ servers: [{ id: 'a', name: 'A', url: 'http://a.local:8188', enabled: true, auth: { kind: 'none' }, outputFolder: '/home/ann/Pictures/renders' }] });
  assert.ok(chosen.ok);
  assert.equal(store.current.servers[0]!.outputFolder, '/home/ann/Pictures/renders');
  // Saving again with the stored folder is fine; the picker cancelled changes nothing.
  picked = undefined;
  assert.deepEqual(await handlers['outputs:choose-folder']({ serverId: 'a' }), { ok: true });
  assert.ok((await handlers['settings:update']({ servers: [{ id: 'a', name: 'A2', url: 'http://a.local:8188', enabled: true, auth: { kind: 'none' }, outputFolder: '/home/ann/Pictures/renders' }] })).ok);
});

test('a system folder chosen in the picker is refused with OUTPUT_FOLDER_REFUSED and cannot be saved', async () => {
  const { store, handlers, schemas } = await withSecretServer({ picked: () => '/home/ann' });
  const answer = await handlers['outputs:choose-folder']({});
  assert.deepEqual([answer.ok, !answer.ok && answer.code], [false, 'OUTPUT_FOLDER_REFUSED']);
  assert.match(!answer.ok ? answer.message : '', /home folder itself/);
  const saved = await handlers['settings:update']({ outputs: { folder: '/home/ann' } });
  assert.equal(!saved.ok && saved.code, 'OUTPUT_FOLDER_NOT_CHOSEN');
  assert.equal(store.current.outputs.folder, undefined);
  assert.equal(schemas['outputs:choose-folder'].safeParse([{ serverId: 'a', folder: '/etc' }]).success, false, 'the window cannot name the folder');
});

test('a server URL must be http(s) with a real host name', async () => {
  const { handlers } = await withSecretServer();
  for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'http://a$b:8188', 'http://-x/']) {
    const refused = await handlers['settings:update']({ servers: [{ id: 'a', name: 'A', url, enabled: true, auth: { kind: 'none' } }] });
    assert.deepEqual([refused.ok, !refused.ok && refused.code], [false, 'CONFIG_INVALID'], url);
  }
});

test('redactSettings never passes on a forwarding secret: tokens, signing secrets and Discord or Slack webhook URLs', async () => {
  const { store } = await SettingsStore.open(memoryKv(), protector, { places: PLACES });
  await store.update((s) => ({
    ...s,
    notifications: {
      ...s.notifications,
      forwarding: [
        { id: 'n', name: 'Phone', kind: 'ntfy', url: 'https://ntfy.sh', topic: 'alerts', secret: 'tk_token' },
        { id: 'd', name: 'Discord', kind: 'discord', url: 'https://discord.com/', secret: 'https://discord.com/api/webhooks/1/discord-token' },
        { id: 'w', name: 'Hook', kind: 'webhook', url: 'https://hooks.example.com/x' },
      ],
    },
  }));
  const view = redactSettings(store.current);
  const text = JSON.stringify(view);
  for (const secret of ['tk_token', 'discord-token', 'api/webhooks']) assert.ok(!text.includes(secret), secret);
  assert.deepEqual(view.notifications.forwarding.map((target) => [target.id, target.url, target.hasSecret]), [
    ['n', 'https://ntfy.sh', true],
    ['d', 'https://discord.com/', true],
    ['w', 'https://hooks.example.com/x', false],
  ]);
});
