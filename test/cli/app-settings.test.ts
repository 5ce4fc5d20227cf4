// How the headless mode reads the app's settings (never writing them) and picks each server's id from them.
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { appSavesOutputs, readAppSettings, resolveCliServers, sameServerUrl } from '../../electron/cli/app-settings.js';
import { settingsSchema } from '../../electron/core/store/settings-schema.js';
import { tempDir } from '../support/events.js';

const settingsWith = (servers: unknown[]): ReturnType<typeof settingsSchema.parse> => settingsSchema.parse({ servers });

test('one server whatever the spelling: scheme and host case, default port, trailing slash, credentials', () => {
  assert.ok(sameServerUrl('http://127.0.0.1:8188', 'HTTP://127.0.0.1:8188/'));
  assert.ok(sameServerUrl('https://Box.example/comfy', 'https://user:pw@box.example:443/comfy/'));
  assert.ok(sameServerUrl('http://box', 'http://box:80'));
  assert.ok(!sameServerUrl('http://box/comfy', 'http://box/other'));
  assert.ok(!sameServerUrl('http://box:8188', 'https://box:8188'));
  assert.ok(!sameServerUrl('http://box:8188', 'http://box:8189'));
  assert.ok(!sameServerUrl('http://box', 'not a url at all:'));
});

test('a URL the app has configured (switched on or off) gets its id and name; an unknown URL an id of its own', () => {
  const settings = settingsWith([
    { id: 'local', name: 'Local ComfyUI', url: 'http://127.0.0.1:8188' },
    { id: 'gpu', name: 'GPU box', url: 'https://gpu.example/comfy', enabled: false },
  ]);
  const { servers, warnings } = resolveCliServers(['http://127.0.0.1:8188/', 'https://u:p@GPU.example/comfy', 'http://elsewhere:1'], settings);
  assert.deepEqual(
    servers.map((s) => [s.config.id, s.config.name, s.label]),
    [
      ['local', 'Local ComfyUI', 'http://127.0.0.1:8188'],
      ['gpu', 'GPU box', 'https://gpu.example/comfy'],
      ['http://elsewhere:1', 'http://elsewhere:1', 'http://elsewhere:1'],
    ],
  );
  assert.equal(servers[1]!.config.url, 'https://u:p@GPU.example/comfy', 'credentials given on the command line are used');
  assert.deepEqual(warnings, []);
});

test('the app saves a server\'s outputs only if it watches the server: configured and switched on', () => {
  const settings = settingsSchema.parse({
    servers: [
      { id: 'on', name: 'On', url: 'http://on:1' },
      { id: 'off', name: 'Off', url: 'http://off:1', enabled: false },
      { id: 'off-always', name: 'Off, always saved', url: 'http://off-always:1', enabled: false, saveOutputs: true },
      { id: 'on-never', name: 'On, never saved', url: 'http://on-never:1', saveOutputs: false },
    ],
    outputs: { enabled: true },
  });
  assert.deepEqual(
    ['on', 'off', 'off-always', 'on-never', 'unknown'].map((id) => [id, appSavesOutputs(settings, id)]),
    [
      ['on', true],
      ['off', false],
      ['off-always', false],
      ['on-never', false],
      ['unknown', false],
    ],
  );
});

test('without URLs: the servers the app has switched on; credentials only the app can read are a warning', () => {
  const settings = settingsWith([
    { id: 'local', name: 'Local ComfyUI', url: 'http://127.0.0.1:8188' },
    { id: 'off', name: 'Off', url: 'http://off:1', enabled: false },
    { id: 'locked', name: 'Locked', url: 'http://locked:1', auth: { kind: 'bearer', token: '-' } },
  ]);
  const { servers, warnings } = resolveCliServers([], settings);
  assert.deepEqual(servers.map((s) => s.config.id), ['local', 'locked']);
  assert.deepEqual(servers[1]!.config.auth, { kind: 'none' }, 'the blanked secret is not sent');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /^Locked: .*keychain/);
});

test('no settings file: the app\'s defaults (its local server under the id "local")', async (t) => {
  const dir = await tempDir(t);
  const { settings, warnings } = await readAppSettings(dir);
  assert.deepEqual(warnings, []);
  assert.deepEqual(resolveCliServers([], settings).servers.map((s) => [s.config.id, s.label]), [['local', 'http://127.0.0.1:8188']]);
  assert.deepEqual(await readdir(dir), [], 'nothing is created');
});

test('the settings file is read as the app wrote it (older versions migrated), and never changed, even when unusable', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'settings.json');
  const v1 = JSON.stringify({ settings: { version: 1, servers: [{ id: 'box', name: 'Box', url: 'http://box:1' }], notifications: { paused: true } }, secrets: {} });
  await writeFile(path, v1);
  const read = await readAppSettings(dir);
  assert.deepEqual(read.warnings, []);
  assert.equal(read.settings.servers[0]!.id, 'box');
  assert.equal(read.settings.notifications.pausedUntil, -1);
  assert.equal(await readFile(path, 'utf8'), v1);

  for (const broken of ['{"settings":', JSON.stringify({ settings: { servers: [{ id: 'x', name: 'X', url: 'ftp://x' }] } })]) {
    await writeFile(path, broken);
    const { settings, warnings } = await readAppSettings(dir);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /could not be used .*using the defaults/);
    assert.deepEqual(settings.servers.map((s) => s.id), ['local']);
    assert.equal(await readFile(path, 'utf8'), broken, 'the app sets its own file aside, not the headless mode');
    assert.deepEqual(await readdir(dir), ['settings.json']);
  }
});
