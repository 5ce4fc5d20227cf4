// One journal writer per data folder: `watch` refuses while the app (or another watch) holds the folder, and
// `submit` then works on a private copy; the shared journal is never written by a second process.
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { watch } from '../../electron/cli/commands.js';
import { submit } from '../../electron/cli/submit-commands.js';
import { EXIT } from '../../electron/cli/exit-codes.js';
import { JOURNAL_FILE } from '../../electron/core/jobs/journal.js';
import { DataDirLock, LOCK_FILE } from '../../electron/core/store/data-dir-lock.js';
import { ComfySimulator } from '../support/comfy-simulator.js';
import { tempDir } from '../support/events.js';
import { captureIo, parseLines, startWatch } from './watch-harness.js';

/** A journal as the holder writes it: a header, an empty snapshot, one change. */
const JOURNAL = '{"log":"comfy-tray-journal","version":2,"snapshotBytes":0}\n{"t":"witness","s":"s","id":"j1"}\n';

test('watch refuses with exit 4 and one line naming the holder while the app holds the folder, and writes nothing', async (t) => {
  const dataDir = await tempDir(t);
  const app = await DataDirLock.acquire(dataDir, 'app');
  t.after(() => app.release());
  await writeFile(join(dataDir, JOURNAL_FILE), JOURNAL);
  const captured = captureIo();
  // Told to stop at once: without the lock it would start, write its journal and return 0.
  const code = await watch({ servers: ['http://127.0.0.1:9/'], dataDir }, captured.io, Promise.resolve());
  assert.equal(code, EXIT.dataDirInUse);
  assert.equal(captured.stdoutText(), '');
  const stderr = captured.stderrText();
  assert.equal(stderr.split('\n').filter(Boolean).length, 1);
  assert.match(stderr, /^comfy-tray: The Comfy Tray app \(pid \d+, since .*\) is using .*\[DATA_DIR_LOCKED\]\n$/);
  assert.equal(await readFile(join(dataDir, JOURNAL_FILE), 'utf8'), JOURNAL);
  assert.deepEqual((await readdir(dataDir)).sort(), [LOCK_FILE, JOURNAL_FILE]);
});

test('a second watch on the same folder is refused; once the first stops, the folder is free', { timeout: 20_000 }, async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const dataDir = await tempDir(t);
  const first = startWatch({ servers: [sim.url], dataDir });
  t.after(() => first.stop());
  await first.until((l) => l.event === 'connection' && l.state === 'connected');

  const captured = captureIo();
  assert.equal(await watch({ servers: [sim.url], dataDir }, captured.io, Promise.resolve()), EXIT.dataDirInUse);
  assert.match(captured.stderrText(), /Comfy Tray watch \(pid \d+/);

  assert.equal(await first.stop(), 0);
  assert.ok(!(await readdir(dataDir)).includes(LOCK_FILE), 'released on stop');
  const again = captureIo();
  assert.equal(await watch({ servers: [sim.url], dataDir }, again.io, Promise.resolve()), EXIT.ok, again.stderrText());
});

test('submit beside the folder\'s holder queues and follows its job on a private copy of the journal', { timeout: 20_000 }, async (t) => {
  const sim = await ComfySimulator.start({ stepDelayMs: 1 });
  t.after(() => sim.stop());
  const dataDir = await tempDir(t);
  const app = await DataDirLock.acquire(dataDir, 'app');
  t.after(() => app.release());
  await writeFile(join(dataDir, JOURNAL_FILE), JOURNAL);
  const file = join(await tempDir(t), 'api.json');
  await writeFile(file, JSON.stringify({ '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 1 } }, '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'l' } } }));

  const captured = captureIo();
  const code = await submit({ file, server: sim.url, dataDir, wait: true, repeat: 1, randomizeSeeds: false, front: false, upload: false, force: false }, captured.io);
  assert.equal(code, 0, captured.stderrText());
  const lines = parseLines(captured.stdoutText());
  assert.equal(lines.find((l) => l.final === true)?.status, 'completed');
  assert.match(captured.stderrText(), /^note: the data folder is in use \(pid \d+, app\)/m);
  assert.equal(await readFile(join(dataDir, JOURNAL_FILE), 'utf8'), JOURNAL, 'the holder\'s journal is left alone');
  assert.deepEqual((await readdir(dataDir)).sort(), [LOCK_FILE, JOURNAL_FILE]);
});
