// Files from outside the window: which launch arguments are files, and reading them with clear failures.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileArguments, readOpenedFiles } from '../../electron/shell/opened-files.js';
import { tempDir } from '../support/events.js';

test('launch arguments: the executable, the app path when unpackaged and Chromium switches are not files', () => {
  const cwd = resolve('/home/user/pictures');
  assert.deepEqual(fileArguments(['/opt/Comfy Tray/comfy-tray', '--no-sandbox', 'cat.png', '--flag=x', '../w.json'], cwd, false), [
    resolve(cwd, 'cat.png'),
    resolve(cwd, '../w.json'),
  ]);
  assert.deepEqual(fileArguments(['electron', 'dist/main.cjs', 'a.json'], cwd, true), [resolve(cwd, 'a.json')]);
  assert.deepEqual(fileArguments(['electron', '.'], cwd, true), []);
  assert.deepEqual(fileArguments(['comfy-tray', ''], cwd, false), []);
  // A link the OS hands over as an argument (Windows, Linux) is not a file to read.
  assert.deepEqual(fileArguments(['comfy-tray', 'comfytray://comfycontrol/run-1', 'ComfyTray://comfycontrol/run-2'], cwd, false), []);
});

test('paths are read into files; a folder, a missing file and an oversized one are explained', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'workflow.json'), '{"1":{"class_type":"X","inputs":{}}}');
  await writeFile(join(dir, 'huge.png'), Buffer.alloc(2048));
  await mkdir(join(dir, 'folder'));
  const { files, failures } = await readOpenedFiles([join(dir, 'workflow.json'), join(dir, 'folder'), join(dir, 'gone.json'), join(dir, 'huge.png')], 1024);
  assert.deepEqual(files.map((f) => [f.name, Buffer.from(f.bytes).toString()]), [['workflow.json', '{"1":{"class_type":"X","inputs":{}}}']]);
  assert.deepEqual(
    failures.map((f) => [f.name, !f.ok && f.code]),
    [
      ['folder', 'DROP_NOT_A_FILE'],
      ['gone.json', 'DROP_UNREADABLE'],
      ['huge.png', 'WORKFLOW_TOO_LARGE'],
    ],
  );
  for (const failure of failures) assert.ok(!failure.ok && failure.message.startsWith(failure.name));
});

// Regression: a device was stat-checked but a file reporting size 0 was read to its end, however long.
test('devices are refused and the cap counts bytes read', { skip: !existsSync('/proc/self/status') && 'Linux only' }, async () => {
  const { files, failures } = await readOpenedFiles(['/dev/zero', '/proc/self/status'], 16);
  assert.deepEqual(files, []);
  assert.deepEqual(
    failures.map((f) => [f.name, !f.ok && f.code]),
    [
      ['zero', 'DROP_NOT_A_FILE'],
      ['status', 'WORKFLOW_TOO_LARGE'],
    ],
  );
});
