// The log file: lines appended with level and logger name, rotated by size into one previous file.
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { LOG_FILE_NAME, openLogFile } from '../../electron/core/log-file.js';
import { tempDir } from '../support/events.js';

test('lines land in the file; past the size limit the file rotates, keeping one previous file', async (t) => {
  const folder = join(await tempDir(t), 'logs');
  const log = openLogFile(folder, 400);
  for (let i = 0; i < 12; i++) log.sink({ level: 'info', name: 'Engine', message: `line ${i}`, details: { big: 2n ** 60n } });
  await log.close();
  const files = (await readdir(folder)).sort();
  assert.deepEqual(files, ['comfy-tray.1.log', LOG_FILE_NAME]);
  const current = await readFile(join(folder, LOG_FILE_NAME), 'utf8');
  const older = await readFile(join(folder, 'comfy-tray.1.log'), 'utf8');
  assert.ok(current.length <= 400 && older.length <= 400, `${current.length} / ${older.length} bytes`);
  assert.match(current, /INFO Engine: line 11 \{"big":"1152921504606846976"\}\n$/);
  const numbers = (current + older).match(/line \d+/g) ?? [];
  assert.ok(numbers.length >= 4 && numbers.length < 12, 'older lines beyond one previous file are gone');
});

test('reopening appends to the existing file', async (t) => {
  const folder = await tempDir(t);
  const first = openLogFile(folder);
  first.sink({ level: 'warn', name: 'A', message: 'one' });
  await first.close();
  const second = openLogFile(folder);
  second.sink({ level: 'error', name: 'B', message: 'two' });
  await second.close();
  const text = await readFile(join(folder, LOG_FILE_NAME), 'utf8');
  assert.match(text, /WARN A: one\n.*ERROR B: two\n$/s);
});
