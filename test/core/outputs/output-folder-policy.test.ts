// Output folders that could turn a server's file into a program run at login, a shadowed binary or a rewritten
// configuration are refused on every platform, by path and by where links lead.
import assert from 'node:assert/strict';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkOutputFolder, outputFolderProblem, type SystemPlaces } from '../../../electron/core/outputs/output-folder-policy.js';
import { tempDir } from '../../support/events.js';

const LINUX: SystemPlaces = { platform: 'linux', home: '/home/ann', dataDir: '/home/ann/.config/Comfy Tray', env: {} };
const MAC: SystemPlaces = { platform: 'darwin', home: '/Users/ann', dataDir: '/Users/ann/Library/Application Support/Comfy Tray', env: {} };
const WINDOWS: SystemPlaces = {
  platform: 'win32',
  home: 'C:\\Users\\ann',
  dataDir: 'C:\\Users\\ann\\AppData\\Roaming\\Comfy Tray',
  env: { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming', ProgramFiles: 'C:\\Program Files', SystemRoot: 'C:\\Windows', ProgramData: 'C:\\ProgramData' },
};

const refused = (places: SystemPlaces, folder: string): boolean => outputFolderProblem(folder, places) !== undefined;

test('Linux: autostart, binaries, the app’s folder, hidden folders, the home folder and the root are refused', () => {
  for (const folder of ['/', '/home', '/home/ann', '/home/ann/.config/autostart', '/home/ann/.config', '/home/ann/.ssh', '/home/ann/.local/bin', '/home/ann/.config/Comfy Tray/out', '/usr', '/usr/local/bin', '/bin', '/etc/xdg/autostart', '/home/ann/bin', 'relative/out']) {
    assert.ok(refused(LINUX, folder), folder);
  }
  for (const folder of ['/home/ann/Pictures', '/home/ann/Pictures/Comfy Tray', '/mnt/data/renders', '/tmp/out', '/home/ann/binaries']) assert.ok(!refused(LINUX, folder), folder);
  assert.ok(refused({ ...LINUX, env: { XDG_CONFIG_HOME: '/data/cfg' } }, '/data/cfg/autostart'), 'a moved config folder is still protected');
});

test('macOS: LaunchAgents (in ~/Library), /System, /Applications and the home folder are refused, case ignored', () => {
  for (const folder of ['/Users/ann/Library/LaunchAgents', '/Users/ann/library', '/Library/LaunchDaemons', '/System', '/Applications', '/USERS/ANN', '/Users', '/private/etc']) assert.ok(refused(MAC, folder), folder);
  for (const folder of ['/Users/ann/Pictures', '/Volumes/Drive/renders']) assert.ok(!refused(MAC, folder), folder);
});

test('Windows: drive roots, Windows, Program Files, AppData (the Startup folder), ProgramData and the home folder are refused', () => {
  for (const folder of ['C:\\', 'D:\\', 'c:\\windows\\system32', 'C:\\Program Files\\App', 'C:\\Users\\ann\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup', 'C:\\ProgramData\\Microsoft\\Windows\\Start Menu\\Programs\\StartUp', 'C:\\Users\\ann', 'C:\\Users', '\\\\nas\\share\\']) {
    assert.ok(refused(WINDOWS, folder), folder);
  }
  for (const folder of ['C:\\Users\\ann\\Pictures\\Comfy Tray', 'D:\\renders', '\\\\nas\\share\\renders']) assert.ok(!refused(WINDOWS, folder), folder);
});

test('a link that leads into a protected folder is refused by where it leads', async (t) => {
  const root = await tempDir(t);
  const places: SystemPlaces = { platform: process.platform, home: join(root, 'home'), dataDir: join(root, 'home', 'data'), env: {} };
  await mkdir(join(root, 'home', '.ssh'), { recursive: true });
  await mkdir(join(root, 'home', 'Pictures'), { recursive: true });
  await symlink(join(root, 'home', '.ssh'), join(root, 'home', 'Pictures', 'innocent'), 'junction');
  assert.equal(await checkOutputFolder(join(root, 'home', 'Pictures'), places), undefined);
  assert.match((await checkOutputFolder(join(root, 'home', 'Pictures', 'innocent'), places)) ?? '', /leads to .*hidden settings folder/);
});
