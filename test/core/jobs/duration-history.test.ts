// The run-time history: bounded however long the app runs, kept across reopen, never a reason not to start.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { DurationHistory } from '../../../electron/core/jobs/duration-history.js';
import { tempDir } from '../../support/events.js';

test('estimates survive a reopen, per server and per workflow', async (t) => {
  const path = join(await tempDir(t), 'durations.json');
  const { history } = await DurationHistory.open(path);
  history.record('a', 'sig-1', { ms: 1000, cached: 0 });
  history.record('a', 'sig-1', { ms: 3000, cached: 2 });
  history.record('b', 'sig-1', { ms: 50 });
  await history.flush();

  const { history: again, warning } = await DurationHistory.open(path);
  assert.equal(warning, undefined);
  assert.deepEqual(again.samples('a', 'sig-1'), [{ ms: 1000, cached: 0 }, { ms: 3000, cached: 2 }]);
  assert.equal(again.estimate('a', 'sig-1'), 2000);
  assert.equal(again.estimate('a', 'sig-1', 2), 3000);
  assert.equal(again.estimate('b', 'sig-1'), 50);
  assert.equal(again.estimate('a', 'sig-2'), undefined);
  assert.equal(again.estimate('c', 'sig-1'), undefined);
});

test('bounded: runs per workflow, workflows per server and servers, least recently recorded out first', async (t) => {
  const path = join(await tempDir(t), 'durations.json');
  const { history } = await DurationHistory.open(path);
  for (let i = 0; i < 20; i++) history.record('s', 'busy', { ms: i });
  assert.deepEqual(history.samples('s', 'busy').map((s) => s.ms), [15, 16, 17, 18, 19], 'the last 5 runs');
  for (let i = 0; i < 1_000; i++) history.record('s', `sig-${i}`, { ms: i });
  assert.equal(history.signatureCount('s'), 200);
  assert.equal(history.estimate('s', 'busy'), undefined, 'not recorded for longest: evicted');
  assert.equal(history.estimate('s', 'sig-999'), 999);
  assert.equal(history.estimate('s', 'sig-799'), undefined, 'just outside the newest 200');
  assert.equal(history.estimate('s', 'sig-800'), 800);
  for (let i = 0; i < 100; i++) history.record(`server-${i}`, 'x', { ms: 1 });
  assert.equal(history.serverCount(), 64);
  await history.flush();
  // 64 servers, one of them with 200 workflows: a few kilobytes, not megabytes.
  assert.ok((await stat(path)).size < 64 * 1024, `${(await stat(path)).size} bytes`);

  const { history: again } = await DurationHistory.open(path, { maxServers: 2, maxSignaturesPerServer: 3, maxSamplesPerSignature: 1 });
  assert.equal(again.serverCount(), 2, 'tighter limits apply to what is read back');
  assert.equal(again.estimate('server-99', 'x'), 1);
  assert.equal(again.estimate('s', 'sig-999'), undefined);
});

test('a recording that is not a duration is ignored', async (t) => {
  const { history } = await DurationHistory.open(join(await tempDir(t), 'durations.json'));
  history.record('s', 'sig', { ms: Number.NaN });
  history.record('s', 'sig', { ms: -1 });
  history.record('s', '', { ms: 5 });
  history.record('s', 'x'.repeat(65), { ms: 5 });
  assert.equal(history.signatureCount('s'), 0);
  await assert.rejects(DurationHistory.open('unused', { maxSamplesPerSignature: 0 }), RangeError);
});

test('an unreadable file is set aside with a warning and the store starts empty', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'durations.json');
  for (const text of ['{ not json', JSON.stringify({ version: 2, servers: {} }), JSON.stringify({ version: 1, servers: { s: { sig: [{ ms: 'fast' }] } } })]) {
    await writeFile(path, text);
    const { history, warning } = await DurationHistory.open(path);
    assert.match(warning ?? '', /unreadable/);
    assert.equal(history.serverCount(), 0);
  }
  const names = await readdir(dir);
  assert.ok(names.filter((n) => n.startsWith('durations.json.corrupt-')).length >= 1);
  assert.ok(!names.includes('durations.json'));
  const { history } = await DurationHistory.open(path);
  history.record('s', 'sig', { ms: 7 });
  await history.flush();
  assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), { version: 1, servers: { s: { sig: [{ ms: 7 }] } } });
});

test('a file that cannot be read at all still opens an empty store', async (t) => {
  const path = join(await tempDir(t), 'durations.json');
  await mkdir(path);
  const { history, warning } = await DurationHistory.open(path);
  assert.match(warning ?? '', /could not be read/);
  assert.equal(history.serverCount(), 0);
  history.record('s', 'sig', { ms: 1 });
  assert.equal(history.estimate('s', 'sig'), 1, 'still works in memory');
  await assert.rejects(history.flush(), 'writing where a folder stands fails, and says so to whoever flushes');
});
