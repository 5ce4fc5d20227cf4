// The settings model's parts the queue window uses: the saved settings (for the theme), adding the server found on
// this computer without the form, and opening the form on a new, prefilled server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SettingsPatch, SettingsView } from '../../../electron/shared/ipc-contract.js';
import { SettingsModel, formFrom, sameServerUrl, toPatch, urlCredentialsNote, type SettingsApi } from '../../../renderer/models/settings-model.js';

const base: SettingsView = {
  servers: [],
  outputs: { enabled: true, template: '{server}/{date}/{filename}', saveTemp: false, sidecar: false },
  notifications: { enabled: true, kinds: { success: true, failure: true, cancelled: false, lost: true, queueFinished: false }, batchWindowMs: 2500, sound: false, forwarding: [] },
  general: { startAtLogin: false, theme: 'system', journalJobsPerServer: 1000 },
};
const withTheme = (theme: SettingsView['general']['theme']): SettingsView => ({ ...base, general: { ...base.general, theme } });

function fakeApi(settings: SettingsView): SettingsApi & { readonly sent: SettingsPatch[] } {
  const sent: SettingsPatch[] = [];
  return {
    sent,
    getSettings: async () => settings,
    updateSettings: async (patch) => {
      sent.push(patch);
      return { ok: true, settings: { ...settings, servers: (patch.servers ?? []).map((s) => ({ ...s, auth: { kind: 'none' } })) }, warnings: [] };
    },
    testConnection: async () => ({ ok: false, code: 'X', message: 'unused' }),
    chooseOutputFolder: async () => ({ ok: true }),
    testForwarding: async () => ({ ok: false, code: 'X', message: 'unused' }),
  };
}

test('the theme follows the saved settings: system until read, then what was loaded or saved', async () => {
  const model = new SettingsModel(fakeApi(withTheme('dark')));
  assert.equal(model.theme.value, 'system');
  await model.loadSaved();
  assert.equal(model.theme.value, 'dark');
});

test('a slow start-up read does not overwrite settings saved meanwhile', async () => {
  const reads: ((view: SettingsView) => void)[] = [];
  const api = fakeApi(withTheme('light'));
  const model = new SettingsModel({ ...api, getSettings: () => new Promise<SettingsView>((resolve) => reads.push(resolve)) });
  const startUp = model.loadSaved();
  const adding = model.addLocalServer('http://127.0.0.1:8188');
  reads[1]!(withTheme('light'));
  await adding;
  assert.equal(model.theme.value, 'light');
  reads[0]!(withTheme('dark'));
  await startUp;
  assert.equal(model.theme.value, 'light', 'the older read is dropped');
});

test('adding the local server keeps the stored servers and their secrets, and picks a free id', async () => {
  const api = fakeApi({
    ...base,
    servers: [
      { id: 'local', name: 'Old', url: 'http://10.0.0.2:8188', auth: { kind: 'bearer', hasSecret: true }, enabled: true },
    ],
  });
  const model = new SettingsModel(api);
  const result = await model.addLocalServer('http://127.0.0.1:8188');
  assert.equal(result.ok, true);
  assert.deepEqual(api.sent[0]?.servers, [
    // Every server sent back names its kind (stored ones from before kinds are ComfyUI).
    { kind: 'comfyui', id: 'local', name: 'Old', url: 'http://10.0.0.2:8188', enabled: true, auth: { kind: 'bearer', hasSecret: true } },
    { kind: 'comfyui', id: 'local-2', name: 'This computer', url: 'http://127.0.0.1:8188', auth: { kind: 'none' }, enabled: true },
  ]);
  assert.deepEqual(Object.keys(api.sent[0]!), ['servers'], 'only the servers change');
  assert.equal(model.saved.value?.servers.length, 2);
});

test('a stored but disabled server at the same address is enabled rather than added twice', async () => {
  const api = fakeApi({ ...base, servers: [{ id: 'mine', name: 'Mine', url: 'http://127.0.0.1:8188/', auth: { kind: 'none' }, enabled: false }] });
  await new SettingsModel(api).addLocalServer('http://127.0.0.1:8188');
  assert.deepEqual(api.sent[0]?.servers, [{ kind: 'comfyui', id: 'mine', name: 'Mine', url: 'http://127.0.0.1:8188/', enabled: true, auth: { kind: 'none' } }]);
  assert.ok(sameServerUrl('http://LOCALHOST:8188/', 'http://localhost:8188'));
  assert.ok(!sameServerUrl('http://localhost:8188/a', 'http://localhost:8188'));
});

test('a requested server is added to the form once it loads, prefilled and marked for focus', async () => {
  const model = new SettingsModel(fakeApi(base));
  model.requestNewServer({ name: 'This computer', url: 'http://127.0.0.1:8190' });
  await model.load();
  const added = model.form.value?.servers.at(-1);
  assert.equal(added?.name, 'This computer');
  assert.equal(added?.url, 'http://127.0.0.1:8190');
  assert.equal(model.focusServer.value, added?.key);
  assert.equal(model.dirty.value, true, 'Save is enabled');
  await model.load();
  assert.equal(model.form.value?.servers.length, 0, 'the request is used once');
});

const NOW = 1_700_000_000_000;
const pausedUntil = (until: number | undefined): SettingsView => ({
  ...base,
  notifications: { ...base.notifications, ...(until !== undefined && { pausedUntil: until }) },
});

test('regression: a one-hour pause that has ended no longer shows as Paused', () => {
  assert.equal(formFrom(pausedUntil(NOW - 1), NOW).notifications.paused, false, 'ended');
  assert.equal(formFrom(pausedUntil(NOW), NOW).notifications.paused, false, 'ends now');
  assert.equal(formFrom(pausedUntil(NOW + 3_600_000), NOW).notifications.paused, true, 'still on');
  assert.equal(formFrom(pausedUntil(-1), NOW).notifications.paused, true, 'until resumed');
  assert.equal(formFrom(pausedUntil(undefined), NOW).notifications.paused, false, 'never paused');
});

test('regression: ticking Paused after a timed pause ended pauses until resumed', async () => {
  const api = fakeApi(pausedUntil(NOW - 60_000));
  const model = new SettingsModel(api, () => NOW);
  await model.load();
  assert.equal(model.form.value?.notifications.paused, false);
  model.edit((f) => ({ ...f, notifications: { ...f.notifications, paused: true } }));
  await model.save();
  assert.equal(api.sent[0]?.notifications?.pausedUntil, -1);
});

test('a pause the user did not touch is kept as it is; unticking it resumes', async () => {
  const api = fakeApi(pausedUntil(NOW + 3_600_000));
  const model = new SettingsModel(api, () => NOW);
  await model.load();
  assert.equal(model.form.value?.notifications.paused, true);
  model.edit((f) => ({ ...f, notifications: { ...f.notifications, sound: true } }));
  await model.save();
  assert.equal(api.sent[0]?.notifications && 'pausedUntil' in api.sent[0].notifications, false, 'the timed pause still ends on time');
  await model.load();
  model.edit((f) => ({ ...f, notifications: { ...f.notifications, paused: false } }));
  await model.save();
  assert.equal(api.sent[1]?.notifications?.pausedUntil, null);
});

test('credentials typed into a server URL are explained before saving: moved to Basic, or dropped beside other auth', () => {
  assert.equal(urlCredentialsNote({ url: 'http://127.0.0.1:8188', authKind: 'none' }), undefined);
  assert.match(urlCredentialsNote({ url: 'http://alice:hunter2@gpu.local:8188', authKind: 'none' }) ?? '', /moved to Authentication \(Basic\)/);
  assert.match(urlCredentialsNote({ url: ' https://alice@gpu.local ', authKind: 'bearer' }) ?? '', /removed when you save/);
  assert.equal(urlCredentialsNote({ url: 'http://alice:pw@', authKind: 'none' }), undefined, 'not a URL: the URL check reports it');
});

test('each kind asks for its own fields: a new Comfy Cloud has its URL and wants an API key; the patch names the kind', async () => {
  const api = fakeApi(base);
  const model = new SettingsModel(api);
  await model.load();
  model.addServer({ kind: 'comfy-cloud' });
  const cloud = model.form.value!.servers.at(-1)!;
  assert.deepEqual([cloud.kind, cloud.name, cloud.url, cloud.authKind], ['comfy-cloud', 'Comfy Cloud', 'https://cloud.comfy.org', 'api-key']);
  assert.equal(model.errors.value[`servers.${cloud.key}.secret`], 'Enter the API key');
  model.editServer(cloud.key, { secret: 'ck-typed' });
  assert.equal(model.valid.value, true);
  assert.deepEqual(toPatch(model.form.value!).servers?.at(-1), {
    kind: 'comfy-cloud',
    id: cloud.id,
    name: 'Comfy Cloud',
    url: 'https://cloud.comfy.org',
    enabled: true,
    auth: { kind: 'api-key', key: 'ck-typed' },
  });
  // Switching kind: defaults follow, the typed secret does not.
  model.changeKind(cloud.key, 'comfycontrol');
  const control = model.form.value!.servers.at(-1)!;
  assert.deepEqual([control.kind, control.name, control.url, control.authKind, control.secret], ['comfycontrol', 'ComfyControl', 'https://api.comfycontrol.app', 'bearer', '']);
  assert.equal(model.errors.value[`servers.${control.key}.secret`], 'Enter the token');
});

test('a ComfyUI may trust one self-signed certificate: a SHA-256 fingerprint, for https only', async () => {
  const model = new SettingsModel(fakeApi(base));
  await model.load();
  model.addServer({ url: 'http://box:8188' });
  const key = model.form.value!.servers.at(-1)!.key;
  model.editServer(key, { tlsFingerprint: 'ab'.repeat(32) });
  assert.match(model.errors.value[`servers.${key}.tlsFingerprint`] ?? '', /https/);
  model.editServer(key, { url: 'https://box:8443', tlsFingerprint: 'not a fingerprint' });
  assert.match(model.errors.value[`servers.${key}.tlsFingerprint`] ?? '', /64 hex/);
  model.editServer(key, { tlsFingerprint: `SHA256 Fingerprint=${'AB:'.repeat(31)}AB` });
  assert.equal(model.errors.value[`servers.${key}.tlsFingerprint`], undefined);
  assert.equal(toPatch(model.form.value!).servers?.at(-1)?.tlsFingerprint, `SHA256 Fingerprint=${'AB:'.repeat(31)}AB`, 'the main process normalises it');
});

test('addresses are shown without the credentials typed into them', async () => {
  const { displayUrl } = await import('../../../renderer/models/settings-model.js');
  assert.equal(displayUrl('https://alice:hunter2@comfy.example/proxy/'), 'https://comfy.example/proxy/');
  assert.equal(displayUrl('http://studio.lan:8188'), 'http://studio.lan:8188');
  assert.equal(displayUrl('alice:hunter2@half typed'), 'half typed');
  assert.equal(displayUrl('not a url'), 'not a url');
});

test('problems by section, from the field names validate gives', async () => {
  const { sectionsWithProblems } = await import('../../../renderer/models/settings-model.js');
  assert.deepEqual([...sectionsWithProblems({ 'servers.k1.url': 'x', 'general.journalJobsPerServer': 'y' })].sort(), ['general', 'servers']);
  assert.deepEqual([...sectionsWithProblems({ servers: 'At most 50 servers' })], ['servers']);
  assert.deepEqual([...sectionsWithProblems({})], []);
  // Forwarding targets are edited in the Notifications section.
  assert.deepEqual([...sectionsWithProblems({ 'forwarding.f1.topic': 'x', forwarding: 'At most 20 forwarding targets' })], ['notifications']);
});
