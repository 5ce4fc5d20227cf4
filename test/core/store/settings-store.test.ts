import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { JsonFileStore, NO_SECRET_PROTECTION, type SecretProtector } from '../../../electron/core/store/kv-store.js';
import type { SystemPlaces } from '../../../electron/core/outputs/output-folder-policy.js';
import { SettingsStore } from '../../../electron/core/store/settings-store.js';
import { tempDir } from '../../support/events.js';

/** Stands in for the OS keychain: reversible, and visibly not plain text. */
const protector: SecretProtector = {
  available: true,
  protect: (plain) => `enc:${Buffer.from(plain).toString('base64').split('').reverse().join('')}`,
  reveal: (text) => Buffer.from(text.slice(4).split('').reverse().join(''), 'base64').toString(),
};

test('a fresh store has defaults: the local server, outputs on, notifications on', async (t) => {
  const { store: kv } = await JsonFileStore.open(join(await tempDir(t), 'settings.json'));
  const { store, warnings } = await SettingsStore.open(kv, protector);
  assert.deepEqual(warnings, []);
  assert.equal(store.current.servers[0]?.url, 'http://127.0.0.1:8188');
  assert.equal(store.current.outputs.template, '{server}/{date}/{filename}');
  assert.equal(store.current.notifications.kinds.success, true);
});

test('invalid values never reach the store; the message names the field', async (t) => {
  const path = join(await tempDir(t), 'settings.json');
  const { store: kv } = await JsonFileStore.open(path);
  const { store } = await SettingsStore.open(kv, protector);
  await assert.rejects(store.update((s) => ({ ...s, servers: [{ id: 'a', name: 'A', url: 'ftp://x' }] })), (e: Error & { code?: string }) => e.code === 'CONFIG_INVALID' && /servers\.0\.url/.test(e.message));
  await assert.rejects(store.update((s) => ({ ...s, outputs: { ...s.outputs, template: '{server}/{nope}' } })), { code: 'CONFIG_INVALID' });
  await assert.rejects(store.update((s) => ({ ...s, servers: [...s.servers, ...s.servers] })), /unique/);
  await assert.rejects(readFile(path), { code: 'ENOENT' });
});

test('credentials are written only through the protector, and come back on reopen', async (t) => {
  const path = join(await tempDir(t), 'settings.json');
  const { store: kv } = await JsonFileStore.open(path);
  const { store } = await SettingsStore.open(kv, protector);
  await store.update((s) => ({ ...s, servers: [{ id: 'gpu', name: 'GPU box', url: 'https://gpu.example.com/comfy', auth: { kind: 'basic', username: 'me', password: 'hunter2-secret' } }] }));
  const text = await readFile(path, 'utf8');
  assert.ok(!text.includes('hunter2-secret'), 'no plain-text secret on disk');
  const { store: kv2 } = await JsonFileStore.open(path);
  const { store: again, warnings } = await SettingsStore.open(kv2, protector);
  assert.deepEqual(warnings, []);
  assert.deepEqual(again.current.servers[0]?.auth, { kind: 'basic', username: 'me', password: 'hunter2-secret' });
});

test('without secure storage, credentials are kept in memory only, with a warning', async (t) => {
  const path = join(await tempDir(t), 'settings.json');
  const { store: kv } = await JsonFileStore.open(path);
  const { store } = await SettingsStore.open(kv, NO_SECRET_PROTECTION);
  const { warnings } = await store.update((s) => ({ ...s, servers: [{ id: 'c', name: 'Cloud', url: 'https://cloud.example.com', auth: { kind: 'api-key', key: 'sk-very-secret' } }] }));
  assert.match(warnings[0] ?? '', /until the app quits/);
  assert.equal(store.current.servers[0]?.auth.kind === 'api-key' && store.current.servers[0].auth.key, 'sk-very-secret');
  assert.ok(!(await readFile(path, 'utf8')).includes('sk-very-secret'));
});

test('a corrupt file is backed up and replaced by defaults; the app still starts', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'settings.json');
  await writeFile(path, '{"settings": {"servers": [');
  const { store: kv, warning } = await JsonFileStore.open(path);
  assert.match(warning ?? '', /defaults are used/);
  const { store } = await SettingsStore.open(kv, protector);
  assert.equal(store.current.servers.length, 1);
  assert.ok((await readdir(dir)).some((f) => f.startsWith('settings.json.corrupt-')));
});

test('hand-broken but valid JSON is set aside under a backup key, with a warning naming the problem', async (t) => {
  const path = join(await tempDir(t), 'settings.json');
  await writeFile(path, JSON.stringify({ settings: { version: 2, servers: [{ id: 'x', name: '', url: 'nope' }] } }));
  const { store: kv } = await JsonFileStore.open(path);
  const { store, warnings } = await SettingsStore.open(kv, protector);
  assert.match(warnings[0] ?? '', /servers\.0/);
  assert.equal(store.current.servers[0]?.id, 'local');
  const saved = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  assert.ok(Object.keys(saved).some((k) => k.startsWith('settings-invalid-')));
});

test('version 1 settings are migrated (paused → pausedUntil)', async (t) => {
  const path = join(await tempDir(t), 'settings.json');
  await writeFile(path, JSON.stringify({ settings: { version: 1, notifications: { paused: true } } }));
  const { store: kv } = await JsonFileStore.open(path);
  const { store, warnings } = await SettingsStore.open(kv, protector);
  assert.deepEqual(warnings, []);
  assert.equal(store.current.version, 2);
  assert.equal(store.current.notifications.pausedUntil, -1);
});

test('regression: a password typed into a server URL is never written to the settings file; it becomes basic auth', async (t) => {
  const path = join(await tempDir(t), 'settings.json');
  const { store: kv } = await JsonFileStore.open(path);
  const { store } = await SettingsStore.open(kv, protector);
  const { settings, warnings } = await store.update((s) => ({ ...s, servers: [{ id: 'gpu', name: 'GPU box', url: 'http://alice:hunter2@gpu.local:8188/comfy' }] }));
  assert.equal(settings.servers[0]?.url, 'http://gpu.local:8188/comfy');
  assert.deepEqual(settings.servers[0]?.auth, { kind: 'basic', username: 'alice', password: 'hunter2' });
  assert.match(warnings.join(' '), /URL of GPU box were moved to its authentication/);
  assert.doesNotMatch(await readFile(path, 'utf8'), /hunter2/);
  const { store: again, warnings: reopened } = await SettingsStore.open((await JsonFileStore.open(path)).store, protector);
  assert.deepEqual(reopened, []);
  assert.deepEqual(again.current.servers[0], store.current.servers[0]);
});

test('credentials in a URL are decoded; beside another authentication they are dropped and that one is kept', async (t) => {
  const path = join(await tempDir(t), 'settings.json');
  const { store } = await SettingsStore.open((await JsonFileStore.open(path)).store, protector);
  await store.update((s) => ({
    ...s,
    servers: [
      { id: 'a', name: 'A', url: 'https://me%40home:p%3Aw%25rd@a.example.com' },
      { id: 'b', name: 'B', url: 'https://bob:old-pass@b.example.com', auth: { kind: 'bearer', token: 'tok-123' } },
    ],
  }));
  assert.deepEqual(store.current.servers[0]?.auth, { kind: 'basic', username: 'me@home', password: 'p:w%rd' });
  assert.equal(store.current.servers[1]?.url, 'https://b.example.com/');
  assert.deepEqual(store.current.servers[1]?.auth, { kind: 'bearer', token: 'tok-123' });
  assert.doesNotMatch(await readFile(path, 'utf8'), /old-pass|p%3Aw|tok-123/);
});

test('regression: a settings file written with credentials in a URL is rewritten without them on load', async (t) => {
  const path = join(await tempDir(t), 'settings.json');
  await writeFile(path, JSON.stringify({ settings: { version: 2, servers: [{ id: 'gpu', name: 'GPU box', url: 'http://alice:hunter2@gpu.local:8188', auth: { kind: 'none' }, enabled: true }] } }));
  const { store, warnings } = await SettingsStore.open((await JsonFileStore.open(path)).store, protector);
  assert.match(warnings.join(' '), /URL of GPU box were moved/);
  assert.equal(store.current.servers[0]?.url, 'http://gpu.local:8188/');
  assert.deepEqual(store.current.servers[0]?.auth, { kind: 'basic', username: 'alice', password: 'hunter2' });
  const text = await readFile(path, 'utf8');
  assert.doesNotMatch(text, /hunter2/);
  const { store: again, warnings: second } = await SettingsStore.open((await JsonFileStore.open(path)).store, protector);
  assert.deepEqual(second, [], 'migrated once');
  assert.deepEqual(again.current.servers[0]?.auth, { kind: 'basic', username: 'alice', password: 'hunter2' });
});

test('without secure storage, a password found in a stored URL is removed from the file and kept for this run only', async (t) => {
  const path = join(await tempDir(t), 'settings.json');
  await writeFile(path, JSON.stringify({ settings: { version: 2, servers: [{ id: 'gpu', name: 'GPU box', url: 'http://alice:hunter2@gpu.local:8188' }] } }));
  const { store, warnings } = await SettingsStore.open((await JsonFileStore.open(path)).store, NO_SECRET_PROTECTION);
  assert.match(warnings.join(' '), /kept until the app quits/);
  assert.deepEqual(store.current.servers[0]?.auth, { kind: 'basic', username: 'alice', password: 'hunter2' });
  assert.doesNotMatch(await readFile(path, 'utf8'), /hunter2/);
});

test('invalid settings set aside under a backup key keep no password from a URL', async (t) => {
  const path = join(await tempDir(t), 'settings.json');
  await writeFile(path, JSON.stringify({ settings: { version: 2, servers: [{ id: 'x', name: '', url: 'http://alice:hunter2@gpu.local:8188' }] } }));
  const { warnings } = await SettingsStore.open((await JsonFileStore.open(path)).store, protector);
  assert.match(warnings[0] ?? '', /servers\.0\.name/);
  const text = await readFile(path, 'utf8');
  assert.doesNotMatch(text, /hunter2/);
  assert.match(text, /gpu\.local/, 'the rest is kept for the user to repair');
});

test('a settings file from before server kinds loads every server as ComfyUI', async (t) => {
  const path = join(await tempDir(t), 'settings.json');
  await writeFile(path, JSON.stringify({ settings: { version: 2, servers: [{ id: 'gpu', name: 'GPU box', url: 'http://gpu.local:8188', auth: { kind: 'none' }, enabled: true }] } }));
  const { store: kv } = await JsonFileStore.open(path);
  const { store, warnings } = await SettingsStore.open(kv, protector);
  assert.deepEqual(warnings, []);
  assert.equal(store.current.servers[0]?.kind, 'comfyui');
});

test('each kind asks for its own credentials; a certificate fingerprint is stored normalised and only for https', async (t) => {
  const { store: kv } = await JsonFileStore.open(join(await tempDir(t), 'settings.json'));
  const { store } = await SettingsStore.open(kv, protector);
  const server = (fields: Record<string, unknown>) => ({ id: 'x', name: 'X', url: 'https://cloud.comfy.org', ...fields });
  await assert.rejects(store.update((s) => ({ ...s, servers: [server({ kind: 'comfy-cloud', auth: { kind: 'bearer', token: 't' } })] })), (e: Error) => /servers\.0\.auth: Comfy Cloud needs an API key/.test(e.message));
  await assert.rejects(store.update((s) => ({ ...s, servers: [server({ kind: 'comfycontrol', auth: { kind: 'none' } })] })), (e: Error) => /servers\.0\.auth: ComfyControl needs an API token/.test(e.message));
  await assert.rejects(store.update((s) => ({ ...s, servers: [server({ url: 'http://box', tlsFingerprint: 'ab'.repeat(32) })] })), (e: Error) => /servers\.0\.tlsFingerprint/.test(e.message));
  await assert.rejects(store.update((s) => ({ ...s, servers: [server({ url: 'https://box', tlsFingerprint: 'abc' })] })), (e: Error) => /servers\.0\.tlsFingerprint/.test(e.message));
  const { settings } = await store.update((s) => ({ ...s, servers: [server({ url: 'https://box', tlsFingerprint: 'ab'.repeat(32) })] }));
  assert.equal(settings.servers[0]?.tlsFingerprint, `${'AB:'.repeat(31)}AB`);
});

test('the new secrets (a Cloud key, a ComfyControl token, a query token) go only through the protector', async (t) => {
  const path = join(await tempDir(t), 'settings.json');
  const { store: kv } = await JsonFileStore.open(path);
  const { store } = await SettingsStore.open(kv, protector);
  const servers = [
    { kind: 'comfy-cloud', id: 'cloud', name: 'Cloud', url: 'https://cloud.comfy.org', auth: { kind: 'api-key', key: 'ck-cloud-secret' } },
    { kind: 'comfycontrol', id: 'cc', name: 'CC', url: 'https://api.comfycontrol.app', auth: { kind: 'bearer', token: 'cc-token-secret' } },
    { id: 'pod', name: 'RunPod', url: 'https://pod.example.com', auth: { kind: 'query-token', token: 'pod-query-secret' } },
  ] as const;
  await store.update((s) => ({ ...s, servers: [...servers] }));
  const text = await readFile(path, 'utf8');
  for (const secret of ['ck-cloud-secret', 'cc-token-secret', 'pod-query-secret']) assert.ok(!text.includes(secret), `${secret} not on disk in plain text`);
  const { store: kv2 } = await JsonFileStore.open(path);
  const { store: again } = await SettingsStore.open(kv2, protector);
  assert.deepEqual(
    again.current.servers.map((s) => [s.kind, s.auth]),
    servers.map((s) => ['kind' in s ? s.kind : 'comfyui', s.auth]),
  );
});

const PLACES: SystemPlaces = { platform: 'linux', home: '/home/ann', dataDir: '/home/ann/.config/Comfy Tray', env: {} };

// Regression: an output folder in the settings file was used whatever it was (the autostart folder included).
test('system output folders in the settings file fall back to the default with a warning, and are removed from it', async (t) => {
  const path = join(await tempDir(t), 'settings.json');
  const servers = [
    { id: 'gpu', name: 'GPU box', url: 'http://gpu.local:8188', outputFolder: '/home/ann/.config/autostart' },
    { id: 'lan', name: 'LAN box', url: 'http://lan.local:8188', outputFolder: '/home/ann/Pictures/lan' },
  ];
  await writeFile(path, JSON.stringify({ settings: { version: 2, servers, outputs: { folder: '/home/ann' } } }));
  const { store, warnings } = await SettingsStore.open((await JsonFileStore.open(path)).store, protector, { places: PLACES });
  assert.equal(store.current.outputs.folder, undefined);
  assert.deepEqual(store.current.servers.map((s) => s.outputFolder), [undefined, '/home/ann/Pictures/lan']);
  assert.equal(warnings.length, 2);
  assert.match(warnings.join('\n'), /\/home\/ann is your home folder itself.*default folder/);
  assert.match(warnings.join('\n'), /autostart folder/);
  assert.doesNotMatch(await readFile(path, 'utf8'), /autostart|"folder"/);
  const { warnings: again } = await SettingsStore.open((await JsonFileStore.open(path)).store, protector, { places: PLACES });
  assert.deepEqual(again, [], 'told once');
});

test('a system output folder is refused by update too (OUTPUT_FOLDER_REFUSED), whoever asks', async (t) => {
  const { store: kv } = await JsonFileStore.open(join(await tempDir(t), 'settings.json'));
  const { store } = await SettingsStore.open(kv, protector, { places: PLACES });
  await assert.rejects(store.update((s) => ({ ...s, outputs: { ...s.outputs, folder: '/usr/local/bin' } })), { code: 'OUTPUT_FOLDER_REFUSED' });
  await store.update((s) => ({ ...s, outputs: { ...s.outputs, folder: '/home/ann/Pictures' } }));
  assert.equal(store.current.outputs.folder, '/home/ann/Pictures');
});
