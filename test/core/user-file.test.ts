// Files the user names are read only when they are regular files, and never past the cap, counted in bytes read.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { readUserFile } from '../../electron/core/user-file.js';
import { tempDir } from '../support/events.js';

test('a regular file is read whole up to the cap; one byte more is too large', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'exact.json'), Buffer.alloc(100_000, 0x61));
  await writeFile(join(dir, 'over.json'), Buffer.alloc(100_001, 0x61));
  const exact = await readUserFile(join(dir, 'exact.json'), 100_000);
  assert.ok(exact.ok);
  assert.equal(exact.bytes.length, 100_000);
  assert.deepEqual(await readUserFile(join(dir, 'over.json'), 100_000), { ok: false, reason: 'too-large', message: 'larger than 100000 bytes' });
});

test('a folder and a missing path are told apart from other failures', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'folder'));
  const folder = await readUserFile(join(dir, 'folder'), 1024);
  assert.equal(!folder.ok && folder.reason, 'not-a-file');
  const missing = await readUserFile(join(dir, 'gone.json'), 1024);
  assert.equal(!missing.ok && missing.reason, 'missing');
});

// Regression: `convert /dev/zero` read until memory ran out.
test('a device that never ends is refused before a byte is read', { skip: !existsSync('/dev/zero') && 'no /dev/zero here' }, async () => {
  const read = await readUserFile('/dev/zero', 1024 * 1024);
  assert.equal(!read.ok && read.reason, 'not-a-file');
});

test('a named pipe is refused without waiting for a writer', { skip: process.platform === 'win32' && 'no FIFOs' }, async (t) => {
  const fifo = join(await tempDir(t), 'pipe');
  if (spawnSync('mkfifo', [fifo]).status !== 0) return t.skip('mkfifo is not available');
  const read = await readUserFile(fifo, 1024);
  assert.equal(!read.ok && read.reason, 'not-a-file');
});

// Regression: the cap was checked against the size stat reported, and /proc files report 0 whatever they hold.
test('the cap counts the bytes read, not the size the file reports', { skip: !existsSync('/proc/self/status') && 'no /proc here' }, async () => {
  const small = await readUserFile('/proc/self/status', 16);
  assert.equal(!small.ok && small.reason, 'too-large');
  const whole = await readUserFile('/proc/self/status', 1024 * 1024);
  assert.ok(whole.ok && Buffer.from(whole.bytes).toString().startsWith('Name:'));
});
