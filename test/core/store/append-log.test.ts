// The append-only file under the journal: lines appended after a snapshot, compacted once they outgrow it, a last
// line cut short ignored, anything else unreadable refused with a reason.
import assert from 'node:assert/strict';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { AppendLog, LogDamagedError, readLog, type LogFormat } from '../../../electron/core/store/append-log.js';
import { tempDir } from '../../support/events.js';

const FORMAT: LogFormat = { name: 'test-log', version: 1 };

test('a snapshot, then appended lines; compacted once the lines outgrow the snapshot by the factor, not before', async (t) => {
  const path = join(await tempDir(t), 'x.jsonl');
  const state: string[] = [];
  let snapshots = 0;
  const log = new AppendLog(path, FORMAT, () => {
    snapshots++;
    return state.map((value) => JSON.stringify({ value }));
  }, undefined, { minBytes: 100, factor: 2 });
  const add = async (value: string): Promise<void> => {
    state.push(value);
    log.append(JSON.stringify({ value }));
    await log.flush();
  };
  await add('a'.repeat(40));
  assert.equal(snapshots, 1, 'no file yet: the first write is a snapshot');
  const found = await readLog(path, FORMAT);
  assert.equal(found?.snapshotBytes, 53);
  assert.equal(found?.snapshotBytes, (await stat(path)).size - (await readFile(path, 'utf8')).indexOf('\n') - 1);
  assert.equal(found?.appendedBytes, 0);
  // Appends go on while at most max(100, 2 × 53) bytes were appended: 7 lines of 15 bytes.
  for (let i = 0; i < 7; i++) await add(`b${i}`);
  assert.equal(snapshots, 1);
  assert.equal((await readLog(path, FORMAT))?.appendedBytes, 7 * 15);
  await add('b7');
  assert.equal(snapshots, 2, 'the write that would cross the limit compacts instead');
  const after = await readLog(path, FORMAT);
  assert.equal(after?.appendedBytes, 0);
  assert.deepEqual(after?.entries, state.map((value) => ({ value })));
});

test('a last line without its newline is a cut write: read as absent, and the next write compacts', async (t) => {
  const path = join(await tempDir(t), 'x.jsonl');
  await writeFile(path, '{"log":"test-log","version":1,"snapshotBytes":4}\n[1]\n[2]\n[3');
  const found = await readLog(path, FORMAT);
  assert.deepEqual(found?.entries, [[1], [2]]);
  assert.equal(found?.tornTail, true);
  let snapshots = 0;
  const log = new AppendLog(path, FORMAT, () => (snapshots++, ['[1]', '[2]', '[4]']), found);
  log.append('[4]');
  await log.flush();
  assert.equal(snapshots, 1);
  assert.equal(await readFile(path, 'utf8'), '{"log":"test-log","version":1,"snapshotBytes":12}\n[1]\n[2]\n[4]\n');
});

test('what cannot be trusted is refused with a reason (JOURNAL_CORRUPT)', async (t) => {
  const dir = await tempDir(t);
  const cases: Record<string, string> = {
    'no header line': '',
    'not a test-log file': '{"log":"other","version":1,"snapshotBytes":0}\n',
    'version 2, expected 1': '{"log":"test-log","version":2,"snapshotBytes":0}\n',
    'the header has no snapshot size': '{"log":"test-log","version":1}\n',
    'line 3 is not JSON': '{"log":"test-log","version":1,"snapshotBytes":0}\n[1]\n[2\n[3]\n',
    'shorter than its snapshot (4 of 8 bytes)': '{"log":"test-log","version":1,"snapshotBytes":8}\n[1]\n',
  };
  for (const [reason, text] of Object.entries(cases)) {
    await writeFile(join(dir, 'x.jsonl'), text);
    await assert.rejects(readLog(join(dir, 'x.jsonl'), FORMAT), (error: unknown) => {
      assert.ok(error instanceof LogDamagedError);
      assert.equal(error.code, 'JOURNAL_CORRUPT');
      assert.equal(error.reason, reason);
      return true;
    });
  }
  assert.equal(await readLog(join(dir, 'missing.jsonl'), FORMAT), undefined);
});

test('reading removes what a killed compaction left beside the file, and nothing else', async (t) => {
  const dir = await tempDir(t);
  const names = ['x.jsonl.0123456789ab.tmp', 'x.jsonl.corrupt-1', 'x.jsonl.notes.tmp', 'y.jsonl.0123456789ab.tmp'];
  for (const name of names) await writeFile(join(dir, name), 'left');
  assert.equal(await readLog(join(dir, 'x.jsonl'), FORMAT), undefined);
  assert.deepEqual((await readdir(dir)).sort(), names.slice(1).sort());
});
