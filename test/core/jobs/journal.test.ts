import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Journal } from '../../../electron/core/jobs/journal.js';
import type { JobView, TerminalJobStatus } from '../../../electron/shared/app-state.js';
import { tempDir } from '../../support/events.js';

function finished(id: string, status: TerminalJobStatus = 'completed'): JobView & { status: TerminalJobStatus } {
  return { serverId: 's', id, status, submittedBy: 'other', outputs: [], endedAt: 1 };
}

test('finished jobs, client ids and in-flight jobs survive a reopen', async (t) => {
  const path = join(await tempDir(t), 'journal.json');
  const { journal } = await Journal.open(path);
  journal.set('s', { clientId: 'c1', closedCleanly: true });
  journal.setActive('s', [{ id: 'run', status: 'running', submittedBy: 'this-app' }]);
  await journal.recordFinished('s', finished('a'));
  await journal.markHandled('s', 'a', 'saved', ['x.png']);
  await journal.markBaseline('s', ['old']);
  await journal.flush();

  const { journal: again, warning } = await Journal.open(path);
  assert.equal(warning, undefined);
  assert.deepEqual(again.get('s'), { clientId: 'c1', closedCleanly: true });
  assert.equal(again.isOwnClientId('s', 'c1'), true);
  assert.equal(again.isSettled('s', 'a'), true);
  assert.equal(again.isSettled('s', 'old'), true);
  assert.equal(again.isSettled('s', 'new'), false);
  assert.deepEqual(again.finishedRecord('s', 'a')?.handled, { saved: ['x.png'] });
  assert.deepEqual(again.activeJobs('s').map((j) => j.id), ['run']);
});

test('the journal is bounded per server, oldest out first', async (t) => {
  const path = join(await tempDir(t), 'journal.json');
  const { journal } = await Journal.open(path, { maxJobsPerServer: 3 });
  for (const id of ['1', '2', '3', '4', '5']) await journal.recordFinished('s', finished(id));
  assert.deepEqual(journal.finishedJobs('s').map((j) => j.id), ['3', '4', '5']);
  const saved = JSON.parse(await readFile(path, 'utf8')) as { servers: { s: { finished: unknown[] } } };
  assert.equal(saved.servers.s.finished.length, 3);
});

test('a corrupt journal is moved aside with a warning, and a fresh one starts', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'journal.json');
  await writeFile(path, '{"version":1,"servers":{"s":{"finished":[{"id":');
  const { journal, warning } = await Journal.open(path);
  assert.match(warning ?? '', /moved to/);
  assert.equal(journal.isSettled('s', 'x'), false);
  const files = await readdir(dir);
  assert.ok(files.some((f) => f.startsWith('journal.json.corrupt-')));
  await journal.recordFinished('s', finished('x'));
  assert.equal((await Journal.open(path)).journal.isSettled('s', 'x'), true);
});

test('writes are atomic: no temporary files are left behind', async (t) => {
  const dir = await tempDir(t);
  const { journal } = await Journal.open(join(dir, 'journal.json'));
  await Promise.all(Array.from({ length: 50 }, (_, i) => journal.recordFinished('s', finished(String(i)))));
  assert.deepEqual(await readdir(dir), ['journal.json']);
  assert.equal((await Journal.open(join(dir, 'journal.json'))).journal.finishedJobs('s').length, 50);
});

test('trimming to the bound keeps jobs whose later work is unfinished beyond it, up to a bound of their own', async (t) => {
  const path = join(await tempDir(t), 'journal.json');
  const options = { maxJobsPerServer: 2, unfinished: (record: { handled: Record<string, unknown> }) => record.handled.saved === 'pending', maxUnfinishedPerServer: 2 };
  const { journal } = await Journal.open(path, options);
  const ids = (): string[] => journal.finishedJobs('s').map((j) => j.id);
  await journal.recordFinished('s', finished('p1'));
  await journal.markHandled('s', 'p1', 'saved', 'pending');
  await journal.recordFinished('s', finished('done'));
  await journal.markHandled('s', 'done', 'saved', 'done');
  for (const id of ['1', '2', '3']) await journal.recordFinished('s', finished(id));
  assert.deepEqual(ids(), ['p1', '2', '3'], 'the one still saving stays on top of the bound; the saved one goes');

  await journal.markHandled('s', '3', 'saved', 'pending');
  await journal.recordFinished('s', finished('4'));
  await journal.recordFinished('s', finished('5'));
  assert.deepEqual(ids(), ['p1', '3', '4', '5']);
  await journal.markHandled('s', '4', 'saved', 'pending');
  await journal.recordFinished('s', finished('6'));
  // Three unfinished, one more than their bound: the oldest of them goes too.
  assert.deepEqual(ids(), ['3', '4', '5', '6']);
  assert.deepEqual((await Journal.open(path, options)).journal.finishedJobs('s').map((j) => j.id), ['3', '4', '5', '6']);
});
