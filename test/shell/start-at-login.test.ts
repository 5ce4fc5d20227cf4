// Start at login on Linux: an XDG autostart entry written to (and removed from) a real folder; macOS and Windows use
// the login-item API.
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  applyStartAtLogin,
  autostartFilePath,
  desktopEntry,
  startAtLoginFollower,
  type LinuxLaunch,
  type StartAtLoginDeps,
} from '../../electron/shell/start-at-login.js';
import { tempDir } from '../support/events.js';

function deps(launch: LinuxLaunch, platform: NodeJS.Platform = 'linux'): { deps: StartAtLoginDeps; loginItems: unknown[] } {
  const loginItems: unknown[] = [];
  return { loginItems, deps: { platform, setLoginItemSettings: (item) => void loginItems.push(item), linux: launch } };
}

const execLine = (entry: string): string | undefined => entry.split('\n').find((line) => line.startsWith('Exec='));

test('Linux: turning it on writes ~/.config/autostart/comfy-tray.desktop starting this binary; off removes it', async (t) => {
  const home = await tempDir(t);
  const { deps: d, loginItems } = deps({ env: {}, home, execPath: '/opt/Comfy Tray/comfy-tray' });
  await applyStartAtLogin(true, d);
  const path = join(home, '.config', 'autostart', 'comfy-tray.desktop');
  const entry = await readFile(path, 'utf8');
  assert.match(entry, /^\[Desktop Entry\]\n/);
  assert.match(entry, /\nType=Application\n/);
  assert.match(entry, /\nName=Comfy Tray\n/);
  assert.equal(execLine(entry), 'Exec="/opt/Comfy Tray/comfy-tray"', 'a path with a space is quoted');
  assert.deepEqual(await readdir(join(home, '.config', 'autostart')), ['comfy-tray.desktop'], 'no temporary file left');
  assert.deepEqual(loginItems, [], 'the login-item API does nothing on Linux');
  await applyStartAtLogin(false, d);
  await assert.rejects(stat(path), { code: 'ENOENT' });
  await applyStartAtLogin(false, d);
});

test('Linux: XDG_CONFIG_HOME is honoured (a relative one is ignored, as the spec says)', async (t) => {
  const home = await tempDir(t);
  const config = join(home, 'elsewhere');
  await applyStartAtLogin(true, deps({ env: { XDG_CONFIG_HOME: config }, home, execPath: '/usr/bin/comfy-tray' }).deps);
  assert.equal(execLine(await readFile(join(config, 'autostart', 'comfy-tray.desktop'), 'utf8')), 'Exec=/usr/bin/comfy-tray');
  assert.equal(autostartFilePath({ XDG_CONFIG_HOME: 'relative' }, '/home/u'), join('/home/u', '.config', 'autostart', 'comfy-tray.desktop'));
  assert.equal(autostartFilePath({ XDG_CONFIG_HOME: '' }, '/home/u'), join('/home/u', '.config', 'autostart', 'comfy-tray.desktop'));
});

test('Linux AppImage: the entry starts the .AppImage file (APPIMAGE), not the temporary mount the binary runs from', async (t) => {
  const home = await tempDir(t);
  await applyStartAtLogin(true, deps({ env: { APPIMAGE: '/home/u/Apps/Comfy-Tray.AppImage' }, home, execPath: '/tmp/.mount_Comfy1/comfy-tray' }).deps);
  assert.equal(execLine(await readFile(autostartFilePath({}, home), 'utf8')), 'Exec=/home/u/Apps/Comfy-Tray.AppImage');
});

test('Exec escaping: quotes, dollar, backslash and percent', () => {
  assert.equal(execLine(desktopEntry(['/a b/"x"$y\\z', '--flag', '100%'])), 'Exec="/a b/\\\\"x\\\\"\\\\$y\\\\\\\\z" --flag 100%%');
  assert.equal(execLine(desktopEntry(['/usr/lib/electron', '/src/app'])), 'Exec=/usr/lib/electron /src/app');
});

test('macOS and Windows: the login-item API, opening to the tray alone; no file written', async (t) => {
  const home = await tempDir(t);
  for (const platform of ['darwin', 'win32'] as const) {
    const { deps: d, loginItems } = deps({ env: {}, home, execPath: '/x' }, platform);
    await applyStartAtLogin(true, d);
    await applyStartAtLogin(false, d);
    assert.deepEqual(loginItems, [
      { openAtLogin: true, openAsHidden: true },
      { openAtLogin: false, openAsHidden: true },
    ]);
  }
  assert.deepEqual(await readdir(home), []);
});

test('the follower applies at start and on a change only; a failure is reported and tried again next time', async (t) => {
  const home = await tempDir(t);
  const errors: unknown[] = [];
  const { deps: d, loginItems } = deps({ env: {}, home, execPath: '/x' }, 'darwin');
  let fail = true;
  const follow = startAtLoginFollower(
    {
      ...d,
      setLoginItemSettings: (item) => {
        if (fail) throw new Error('denied');
        d.setLoginItemSettings(item);
      },
    },
    (error) => errors.push(error),
  );
  await follow(true);
  assert.equal(errors.length, 1);
  fail = false;
  await follow(true);
  await follow(true);
  await follow(false);
  assert.deepEqual(loginItems, [
    { openAtLogin: true, openAsHidden: true },
    { openAtLogin: false, openAsHidden: true },
  ]);
});

test('regression: on, off, on, off toggled at once on Linux ends with the entry gone, as the last setting says', async (t) => {
  const home = await tempDir(t);
  const { deps: d } = deps({ env: {}, home, execPath: '/opt/comfy-tray' });
  const follow = startAtLoginFollower(d, (error) => assert.fail(String(error)));
  // Not awaited one by one: the way settings changes arrive when the user clicks the box quickly.
  await Promise.all([follow(true), follow(false), follow(true), follow(false)]);
  assert.equal(await readFile(autostartFilePath({}, home), 'utf8').catch(() => 'gone'), 'gone');
  await Promise.all([follow(true), follow(false), follow(true)]);
  assert.match(await readFile(autostartFilePath({}, home), 'utf8'), /^\[Desktop Entry\]/);
});
