// The app's settings file on the real electron-store, in a temp folder: whatever the file holds, the app starts. A
// broken file is set aside (never overwritten) and defaults are used, with a warning; one that cannot even be set
// aside leaves the app on defaults in memory. Electron itself cannot run here, so the `electron` module is replaced
// by an empty one at the import edge: electron-store then works as in a process without Electron's app object.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { register } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { NO_SECRET_PROTECTION } from '../../electron/core/store/kv-store.js';
import { SettingsStore } from '../../electron/core/store/settings-store.js';
import { tempDir } from '../support/events.js';

const emptyElectron = `data:text/javascript,${encodeURIComponent('export default {};')}`;
const hooks = `export async function resolve(specifier, context, next) {
  return specifier === 'electron' ? { url: ${JSON.stringify(emptyElectron)}, shortCircuit: true } : next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
const { openElectronKvStore } = await import('../../electron/shell/electron-kv-store.js');

const NOW = 1_700_000_000_000;

test('a fresh folder opens with no warning, and what is set is in settings.json', async (t) => {
  const cwd = await tempDir(t);
  const { store, warning } = openElectronKvStore({ cwd });
  assert.equal(warning, undefined);
  assert.equal(store.get('settings'), undefined);
  await store.set('settings.v2', { a: 1 });
  assert.deepEqual(JSON.parse(await readFile(join(cwd, 'settings.json'), 'utf8')), { 'settings.v2': { a: 1 } }, 'a dot in a key is not nesting');
  assert.deepEqual(openElectronKvStore({ cwd }).store.get('settings.v2'), { a: 1 });
});

for (const [what, content] of [
  ['a truncated file', '{"settings": {"servers": ['],
  ['JSON that is not an object', '[1, 2, 3]'],
] as const) {
  test(`${what} is kept aside, untouched, and the settings start from defaults with a warning`, async (t) => {
    const cwd = await tempDir(t);
    await writeFile(join(cwd, 'settings.json'), content);
    const { store, warning } = openElectronKvStore({ cwd, now: () => NOW });
    assert.match(warning ?? '', /could not be read .*kept as .*settings\.json\.corrupt-1700000000000.* defaults are used/);
    assert.equal(await readFile(join(cwd, `settings.json.corrupt-${NOW}`), 'utf8'), content);
    const { store: settings } = await SettingsStore.open(store, NO_SECRET_PROTECTION);
    assert.equal(settings.current.servers[0]?.id, 'local');
    await settings.update((s) => ({ ...s, general: { ...s.general, theme: 'dark' } }));
    const saved = JSON.parse(await readFile(join(cwd, 'settings.json'), 'utf8')) as { settings: { general: { theme: string } } };
    assert.equal(saved.settings.general.theme, 'dark', 'a new, valid file replaces the broken one');
  });
}

test('a file that can be neither read nor set aside still lets the app start, on defaults kept in memory', async (t) => {
  const cwd = await tempDir(t);
  await writeFile(join(cwd, 'settings.json'), '{ broken');
  // Something already sits where the copy would go, so the rename fails.
  await mkdir(join(cwd, `settings.json.corrupt-${NOW}`, 'occupied'), { recursive: true });
  const { store, warning } = openElectronKvStore({ cwd, now: () => NOW });
  assert.match(warning ?? '', /could not be read .* nor set aside .* until the app quits, and changes are not saved/);
  const { store: settings } = await SettingsStore.open(store, NO_SECRET_PROTECTION);
  await settings.update((s) => ({ ...s, general: { ...s.general, theme: 'light' } }));
  assert.equal(store.get('settings') !== undefined, true, 'changes apply for this run');
  assert.equal(await readFile(join(cwd, 'settings.json'), 'utf8'), '{ broken', 'the broken file is left for the user');
});

test('a settings path that cannot be opened at all (a folder) does not stop the app', async (t) => {
  const cwd = await tempDir(t);
  await mkdir(join(cwd, 'settings.json'));
  await mkdir(join(cwd, `settings.json.corrupt-${NOW}`, 'occupied'), { recursive: true });
  const { store, warning } = openElectronKvStore({ cwd, now: () => NOW });
  assert.match(warning ?? '', /defaults are used until the app quits/);
  const { store: settings, warnings } = await SettingsStore.open(store, NO_SECRET_PROTECTION);
  assert.deepEqual(warnings, []);
  assert.equal(settings.current.servers.length, 1);
  assert.deepEqual((await readdir(cwd)).sort(), ['settings.json', `settings.json.corrupt-${NOW}`]);
});
