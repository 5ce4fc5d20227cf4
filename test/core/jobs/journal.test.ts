import assert from 'node:assert/strict';
import { appendFile, copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Journal, JOURNAL_FILE, LEGACY_JOURNAL_FILE } from '../../../electron/core/jobs/journal.js';
import type { JobView, TerminalJobStatus } from '../../../electron/shared/app-state.js';
import { tempDir } from '../../support/events.js';

const V1_FIXTURE = new URL('../../fixtures/journal-v1/journal.json', import.meta.url);

function finished(id: string, status: TerminalJobStatus = 'completed'): JobView & { status: TerminalJobStatus } {
  return { serverId: 's', id, status, submittedBy: 'other', outputs: [], endedAt: 1 };
}

/** The log's lines after its header, parsed. */
async function entries(path: string): Promise<{ t: string }[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .slice(1)
    .map((line) => JSON.parse(line) as { t: string });
}

test('finished jobs, client ids, in-flight jobs, marks and the witness survive a reopen', async (t) => {
  const path = join(await tempDir(t), JOURNAL_FILE);
  const { journal } = await Journal.open(path);
  journal.set('s', { clientId: 'c1', closedCleanly: true });
  journal.setActive('s', [{ id: 'run', status: 'running', submittedBy: 'this-app' }]);
  await journal.recordFinished('s', finished('a'));
  await journal.markHandled('s', 'a', 'saved', ['x.png']);
  await journal.markBaseline('s', ['old']);
  journal.setFinishedMark('s', { anchors: ['a', 'old'], horizon: 5 });
  journal.setWitness('s', 'a');
  await journal.flush();

  const { journal: again, warning } = await Journal.open(path);
  assert.equal(warning, undefined);
  assert.deepEqual(again.get('s'), { clientId: 'c1', closedCleanly: true });
  assert.equal(again.isOwnClientId('s', 'c1'), true);
  assert.equal(again.isSettled('s', 'a'), true);
  assert.equal(again.isSettled('s', 'old'), true);
  assert.equal(again.isSettled('s', 'new'), false);
  assert.equal(again.isBaselined('s'), true);
  assert.deepEqual(again.finishedRecord('s', 'a')?.handled, { saved: ['x.png'] });
  assert.deepEqual(again.activeJobs('s').map((j) => j.id), ['run']);
  assert.deepEqual(again.finishedMark('s'), { anchors: ['a', 'old'], horizon: 5 });
  assert.equal(again.witness('s'), 'a');
});

test('the journal is bounded per server, oldest out first, and a reader with other bounds sees the same jobs', async (t) => {
  const path = join(await tempDir(t), JOURNAL_FILE);
  const { journal } = await Journal.open(path, { maxJobsPerServer: 3 });
  for (const id of ['1', '2', '3', '4', '5']) await journal.recordFinished('s', finished(id));
  assert.deepEqual(journal.finishedJobs('s').map((j) => j.id), ['3', '4', '5']);
  // What was forgotten is written as such, not worked out again by whoever reads the file (`status` reads it with
  // the default bound).
  assert.deepEqual((await Journal.open(path)).journal.finishedJobs('s').map((j) => j.id), ['3', '4', '5']);
});

test('each change appends one line, whatever the history: a finished job costs the same with 10 or 3,000 jobs kept', async (t) => {
  const cost = async (history: number): Promise<number> => {
    const path = join(await tempDir(t), JOURNAL_FILE);
    // Never compacted here: the bytes of one change are what is compared.
    const { journal } = await Journal.open(path, { maxJobsPerServer: 5_000, compaction: { minBytes: 100_000_000 } });
    await Promise.all(Array.from({ length: history }, (_, i) => journal.recordFinished('s', finished(`old-${String(i).padStart(5, '0')}`))));
    const before = (await stat(path)).size;
    await journal.recordFinished('s', finished('the-new-one'));
    await journal.markHandled('s', 'the-new-one', 'saved', { state: 'done' });
    return (await stat(path)).size - before;
  };
  const small = await cost(10);
  assert.equal(await cost(3_000), small);
  assert.ok(small < 300, `${small} bytes`);
});

test('the log is compacted as it grows: its size stays bounded, what it holds reads back the same, nothing is left beside it', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, JOURNAL_FILE);
  const options = { maxJobsPerServer: 20, compaction: { minBytes: 2_000, factor: 1 } };
  const { journal } = await Journal.open(path, options);
  let largest = 0;
  for (let i = 0; i < 400; i++) {
    const id = `job-${i}`;
    await journal.recordFinished('s', finished(id));
    await journal.markHandled('s', id, 'saved', { state: 'done', files: { a: { path: `/out/${id}.png`, size: i } } });
    largest = Math.max(largest, (await stat(path)).size);
  }
  const header = (JSON.parse((await readFile(path, 'utf8')).split('\n', 1)[0]!) as { snapshotBytes: number }).snapshotBytes;
  // About 20 jobs live: a snapshot, at most as much again in changes (factor 1), and the write that crossed it.
  assert.ok(largest < 3 * Math.max(header, 2_000), `the file reached ${largest} bytes for a snapshot of ${header}`);
  assert.ok((await entries(path)).some((e) => e.t === 'server'), 'a snapshot was written');
  const { journal: again, warning } = await Journal.open(path, options);
  assert.equal(warning, undefined);
  assert.deepEqual(again.finishedJobs('s'), journal.finishedJobs('s'));
  assert.deepEqual(await readdir(dir), [JOURNAL_FILE]);
});

test('changes made while a compaction is being written are in the file once: neither lost nor doubled', async (t) => {
  const path = join(await tempDir(t), JOURNAL_FILE);
  const options = { maxJobsPerServer: 30, compaction: { minBytes: 1_000, factor: 1 } };
  const { journal } = await Journal.open(path, options);
  const writes: Promise<void>[] = [];
  const anchors: string[] = [];
  for (let i = 0; i < 200; i++) {
    const id = `job-${i}`;
    // Not waited for: the next changes come while earlier ones (appends and compactions) are being written.
    writes.push(journal.recordFinished('s', finished(id)));
    anchors.unshift(id);
    journal.setFinishedMark('s', { anchors: anchors.slice(0, 5), horizon: i });
    journal.setActive('s', [{ id: `run-${i}`, status: 'running', submittedBy: 'other' }]);
    if (i % 3 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(writes);
  await journal.flush();
  const { journal: again, warning } = await Journal.open(path, options);
  assert.equal(warning, undefined);
  assert.deepEqual(again.finishedJobs('s'), journal.finishedJobs('s'));
  assert.deepEqual(again.finishedMark('s'), journal.finishedMark('s'));
  assert.deepEqual(again.activeJobs('s'), journal.activeJobs('s'));
});

test('a change noted without waiting goes out with the next write', async (t) => {
  const path = join(await tempDir(t), JOURNAL_FILE);
  const { journal } = await Journal.open(path);
  await journal.recordFinished('s', finished('a'));
  await journal.recordFinished('s', finished('b'));
  journal.noteHandled('s', 'a', 'saved', 'noted');
  journal.noteHandled('s', 'unknown', 'saved', 'ignored');
  await journal.markHandled('s', 'b', 'saved', 'marked');
  assert.deepEqual((await Journal.open(path)).journal.finishedRecord('s', 'a')?.handled, { saved: 'noted' });
  journal.noteHandled('s', 'b', 'saved', 'later');
  await journal.flush();
  assert.deepEqual((await Journal.open(path)).journal.finishedRecord('s', 'b')?.handled, { saved: 'later' });
});

test('what later stages start with is written in the line of a job recorded for the first time, not again', async (t) => {
  const path = join(await tempDir(t), JOURNAL_FILE);
  const options = { initialHandled: (serverId: string, record: { id: string }) => (record.id === 'skip' ? undefined : { saved: `accepted on ${serverId}` }) };
  const { journal } = await Journal.open(path, options);
  await journal.recordFinished('s', finished('a'));
  await journal.recordFinished('s', finished('skip'));
  assert.deepEqual((await entries(path)).at(-2), { t: 'finished', s: 's', job: { id: 'a', status: 'completed', submittedBy: 'other', endedAt: 1, outputs: [], handled: { saved: 'accepted on s' } } });
  await journal.markHandled('s', 'a', 'saved', 'done');
  // Recorded again (a late event): what the stages did stays.
  await journal.recordFinished('s', finished('a', 'failed'));
  const again = (await Journal.open(path, options)).journal;
  assert.deepEqual(again.finishedRecord('s', 'a')?.handled, { saved: 'done' });
  assert.deepEqual(again.finishedRecord('s', 'skip')?.handled, {});
});

test('lines written in one turn share the write; no temporary files are left behind', async (t) => {
  const dir = await tempDir(t);
  const { journal } = await Journal.open(join(dir, JOURNAL_FILE));
  await Promise.all(Array.from({ length: 50 }, (_, i) => journal.recordFinished('s', finished(String(i)))));
  assert.deepEqual(await readdir(dir), [JOURNAL_FILE]);
  assert.equal((await Journal.open(join(dir, JOURNAL_FILE))).journal.finishedJobs('s').length, 50);
});

test('in-flight jobs are written as what changed when replaying that gives the same list, in the same order', async (t) => {
  const path = join(await tempDir(t), JOURNAL_FILE);
  const { journal } = await Journal.open(path);
  await journal.flush();
  const job = (id: string, status: 'pending' | 'running' = 'pending') => ({ id, status, submittedBy: 'other' as const });
  const lists = [
    [job('a'), job('b'), job('c'), job('d')],
    [job('a', 'running'), job('b'), job('c'), job('d'), job('e')],
    [job('b'), job('c'), job('d'), job('e'), job('f')],
    // A job queued in front: no change replays to that order, the list is written whole.
    [job('z'), job('b'), job('c'), job('d'), job('e'), job('f')],
  ];
  for (const list of lists) {
    journal.setActive('s', list);
    await journal.flush();
    assert.deepEqual((await Journal.open(path)).journal.activeJobs('s'), list);
  }
  assert.deepEqual(
    (await entries(path)).map((e) => e.t),
    ['active', 'active-change', 'active-change', 'active'],
  );
});

test('the finished mark reads back the same whether written as new anchors in front or whole', async (t) => {
  const path = join(await tempDir(t), JOURNAL_FILE);
  const { journal } = await Journal.open(path);
  const marks = [
    { anchors: [] },
    { anchors: ['c', 'b', 'a'], horizon: 3 },
    { anchors: ['e', 'd', 'c', 'b'], horizon: 5 },
    { anchors: ['x'] },
    { anchors: ['y', 'x'], horizon: 9 },
  ];
  for (const mark of marks) {
    journal.setFinishedMark('s', mark);
    await journal.flush();
    assert.deepEqual((await Journal.open(path)).journal.finishedMark('s'), mark);
  }
});

test('damage in the middle of the log sets it aside with a warning, and a fresh journal starts', async (t) => {
  for (const damage of ['{"t":"witness","s":', '{"t":"no-such-change","s":"s"}', '\u0000\u0000\u0000']) {
    const dir = await tempDir(t);
    const path = join(dir, JOURNAL_FILE);
    const { journal } = await Journal.open(path);
    await journal.recordFinished('s', finished('a'));
    await journal.recordFinished('s', finished('b'));
    const lines = (await readFile(path, 'utf8')).split('\n');
    lines.splice(-2, 0, damage);
    await writeFile(path, lines.join('\n'));
    const reopened = await Journal.open(path);
    assert.match(reopened.warning ?? '', /moved to/, damage);
    assert.equal(reopened.journal.isSettled('s', 'a'), false);
    const files = await readdir(dir);
    assert.ok(files.some((f) => f.startsWith(`${JOURNAL_FILE}.corrupt-`)));
    await reopened.journal.recordFinished('s', finished('x'));
    const again = await Journal.open(path);
    assert.equal(again.warning, undefined);
    assert.equal(again.journal.isSettled('s', 'x'), true);
  }
});

test('a file that is no journal of this version is set aside', async (t) => {
  for (const text of ['', 'hello\n', '{"version":1,"servers":{}}\n', '{"log":"comfy-tray-journal","version":3,"snapshotBytes":0}\n']) {
    const dir = await tempDir(t);
    await writeFile(join(dir, JOURNAL_FILE), text);
    const { journal, warning } = await Journal.open(join(dir, JOURNAL_FILE));
    assert.match(warning ?? '', /moved to/, JSON.stringify(text));
    assert.equal(journal.finishedJobs('s').length, 0);
  }
});

test('a snapshot cut short is damage, not a crash: compactions write it whole before the file takes its name', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, JOURNAL_FILE);
  const { journal } = await Journal.open(path, { compaction: { minBytes: 1, factor: 0 } });
  for (const id of ['a', 'b', 'c']) await journal.recordFinished('s', finished(id));
  const text = await readFile(path, 'utf8');
  // Whole lines, but fewer than the header counts.
  await writeFile(path, text.split('\n').slice(0, -2).join('\n') + '\n');
  assert.match((await Journal.open(path)).warning ?? '', /shorter than its snapshot/);
});

test('a last line cut short by a crash is ignored, and the next write starts a clean file', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, JOURNAL_FILE);
  const { journal } = await Journal.open(path);
  await journal.recordFinished('s', finished('a'));
  await journal.recordFinished('s', finished('b'));
  const whole = JSON.stringify({ t: 'finished', s: 's', job: { ...finished('c'), handled: {} } });
  await appendFile(path, whole.slice(0, 30));

  const { journal: reopened, warning } = await Journal.open(path);
  assert.equal(warning, undefined);
  assert.deepEqual(reopened.finishedJobs('s').map((j) => j.id), ['a', 'b']);
  await reopened.recordFinished('s', finished('d'));
  const text = await readFile(path, 'utf8');
  assert.ok(text.endsWith('\n'));
  for (const line of text.split('\n').filter(Boolean)) assert.doesNotThrow(() => JSON.parse(line), 'the cut line is gone, not followed by more');
  const again = await Journal.open(path);
  assert.equal(again.warning, undefined);
  assert.deepEqual(again.journal.finishedJobs('s').map((j) => j.id), ['a', 'b', 'd']);
});

test('a write that fails is rejected, and the next one writes everything, that change included', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, JOURNAL_FILE);
  const { journal } = await Journal.open(path);
  await journal.recordFinished('s', finished('a'));
  // Something in the way of the file: appending fails, and so does replacing it.
  await rm(path);
  await mkdir(path);
  await assert.rejects(journal.recordFinished('s', finished('b')));
  await assert.rejects(journal.markHandled('s', 'b', 'saved', 'x'));
  await rm(path, { recursive: true });
  await journal.flush();
  const { journal: again, warning } = await Journal.open(path);
  assert.equal(warning, undefined);
  assert.deepEqual(again.finishedJobs('s').map((j) => j.id), ['a', 'b']);
  assert.deepEqual(again.finishedRecord('s', 'b')?.handled, { saved: 'x' });
});

test('a log deleted while the journal runs is written again whole, with its folder', async (t) => {
  const dir = join(await tempDir(t), 'data');
  const { journal } = await Journal.open(join(dir, JOURNAL_FILE));
  await journal.recordFinished('s', finished('a'));
  await rm(dir, { recursive: true });
  await journal.recordFinished('s', finished('b'));
  assert.deepEqual((await Journal.open(join(dir, JOURNAL_FILE))).journal.finishedJobs('s').map((j) => j.id), ['a', 'b']);
});

test('trimming to the bound keeps jobs whose later work is unfinished beyond it, up to a bound of their own', async (t) => {
  const path = join(await tempDir(t), JOURNAL_FILE);
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
  assert.deepEqual((await Journal.open(path)).journal.finishedJobs('s').map((j) => j.id), ['3', '4', '5', '6'], 'whatever the reader\'s options');
});

test('trimming decides as a look at every remembered job would, whatever the order of changes', async (t) => {
  const max = 5;
  const maxUnfinished = 3;
  const options = { maxJobsPerServer: max, maxUnfinishedPerServer: maxUnfinished, unfinished: (record: { handled: Record<string, unknown> }) => record.handled.saved === 'pending' };
  const { journal } = await Journal.open(join(await tempDir(t), JOURNAL_FILE), options);
  // The model: every job in order, whether it is held, trimmed by looking at all of them.
  let model: { id: string; pending: boolean }[] = [];
  const trim = (newest: string): void => {
    if (model.length <= max) return;
    const spared = model.filter((job) => job.id !== newest && job.pending).map((job) => job.id);
    let excess = model.length - spared.length - max;
    const gone = new Set<string>();
    for (const job of model) {
      if (excess <= 0 || job.id === newest) break;
      if (spared.includes(job.id)) continue;
      gone.add(job.id);
      excess--;
    }
    for (const id of spared.slice(0, Math.max(0, spared.length - maxUnfinished))) gone.add(id);
    model = model.filter((job) => !gone.has(job.id));
  };
  let seed = 7;
  const next = (n: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % n;
  };
  for (let step = 0; step < 400; step++) {
    const roll = next(10);
    if (roll < 5 || model.length === 0) {
      // A new job, or now and then one recorded again (it moves to the newest place, keeping its stages).
      const again = roll === 0 && model.length > 0 ? model[next(model.length)]! : undefined;
      const id = again?.id ?? `job-${step}`;
      await journal.recordFinished('s', finished(id));
      model = [...model.filter((job) => job.id !== id), { id, pending: again?.pending ?? false }];
      trim(id);
    } else {
      const job = model[next(model.length)]!;
      const pending = roll < 8;
      if (roll === 9) journal.noteHandled('s', job.id, 'saved', pending ? 'pending' : 'done');
      else await journal.markHandled('s', job.id, 'saved', pending ? 'pending' : 'done');
      job.pending = pending;
    }
    assert.deepEqual(journal.finishedJobs('s').map((r) => r.id), model.map((job) => job.id), `step ${step}`);
  }
  await journal.flush();
  assert.deepEqual((await Journal.open(journal.path, options)).journal.finishedJobs('s').map((r) => r.id), model.map((job) => job.id));
});

// ---- the version-1 journal.json ----

const A = 'local-4090';
const B = 'gpu-box';
const job = (n: number): string => `0b36a0c9-413e-485c-b646-0000000000${n}`;

test('a version-1 journal.json (as the previous version wrote it) is taken over on first start, then removed', async (t) => {
  const dir = await tempDir(t);
  await copyFile(V1_FIXTURE, join(dir, LEGACY_JOURNAL_FILE));
  const { journal, warning } = await Journal.openIn(dir);
  assert.equal(warning, undefined);
  assert.deepEqual(await readdir(dir), [JOURNAL_FILE], 'journal.json removed once the log holds it');

  for (const opened of [journal, (await Journal.openIn(dir)).journal]) {
    assert.deepEqual(opened.get(A), { clientId: '7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d', closedCleanly: true });
    assert.equal(opened.isOwnClientId(A, '3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a6b'), true);
    assert.equal(opened.isOwnClientId(B, '3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a6b'), false);
    assert.equal(opened.isBaselined(A), true);
    assert.equal(opened.isBaselined(B), true);
    assert.equal(opened.isSettled(A, '0b36a0c9-413e-485c-b646-000000000001'), true, 'a job of the baseline');
    assert.deepEqual(opened.finishedJobs(A).map((r) => r.id), [12, 13, 14, 15].map(job));
    assert.equal(opened.isSettled(A, job(10)), false, 'trimmed by the previous version');
    const done = opened.finishedRecord(A, job(15))!;
    assert.equal(done.workflowName, 'portrait.json');
    assert.equal(done.durationMs, 8500);
    assert.deepEqual(done.outputs, [{ nodeId: '9', kind: 'images', index: 0, filename: 'ComfyUI_00015_.png', subfolder: '', type: 'output' }]);
    assert.deepEqual(done.handled.saved, {
      state: 'done',
      files: { '["9",0,"output","","ComfyUI_00015_.png"]': { path: '/home/someone/Pictures/ComfyUI/local-4090/2026-03-04/ComfyUI_00015_.png', size: 1534123 } },
      publishing: {},
      owner: 'app',
    });
    assert.deepEqual(opened.finishedRecord(B, 'c0ffee00-0000-4000-8000-000000000001')?.error?.message, 'CUDA out of memory');
    assert.equal(opened.finishedRecord(B, 'c0ffee00-0000-4000-8000-000000000002')?.lostReason, 'server-restarted');
    assert.deepEqual(opened.activeJobs(A).map((j) => [j.id, j.status, j.signature]), [
      [job(20), 'running', 'sig-abc'],
      [job(21), 'pending', undefined],
    ]);
    assert.deepEqual(opened.finishedMark(A), { anchors: [job(15), job(14)], horizon: 1772600024000 });
    assert.deepEqual(opened.finishedMark(B), { anchors: [] });
    assert.equal(opened.witness(A), job(15));
  }
});

test('a job still being saved stays past the bound whether it was taken over from journal.json or read from the log', async (t) => {
  const dir = await tempDir(t);
  await copyFile(V1_FIXTURE, join(dir, LEGACY_JOURNAL_FILE));
  const options = { maxJobsPerServer: 4, unfinished: (record: { handled: Record<string, unknown> }) => (record.handled.saved as { state?: string } | undefined)?.state === 'pending' };
  const record = (journal: Journal, n: number): Promise<void> => journal.recordFinished(A, { ...finished(`new-${n}`), serverId: A });
  const taken = (await Journal.openIn(dir, options)).journal;
  for (let n = 0; n < 4; n++) await record(taken, n);
  assert.deepEqual(taken.finishedJobs(A).map((r) => r.id), [job(14), 'new-0', 'new-1', 'new-2', 'new-3'], 'the job still saving stays, the others go');
  const read = (await Journal.openIn(dir, options)).journal;
  await record(read, 4);
  assert.deepEqual(read.finishedJobs(A).map((r) => r.id), [job(14), 'new-1', 'new-2', 'new-3', 'new-4']);
});

test('an unreadable journal.json is set aside with a warning, and a fresh journal starts', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, LEGACY_JOURNAL_FILE), '{"version":1,"servers":{"s":{"finished":[{"id":');
  const { journal, warning } = await Journal.openIn(dir);
  assert.match(warning ?? '', /moved to/);
  assert.equal(journal.finishedJobs('s').length, 0);
  assert.ok((await readdir(dir)).some((f) => f.startsWith(`${LEGACY_JOURNAL_FILE}.corrupt-`)));
});

test('a journal.json beside a damaged log is removed too, not taken over: it is older than the log was', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, JOURNAL_FILE), 'damaged\n');
  await copyFile(V1_FIXTURE, join(dir, LEGACY_JOURNAL_FILE));
  const { journal, warning } = await Journal.openIn(dir);
  assert.match(warning ?? '', /moved to/);
  assert.equal(journal.isBaselined(A), false);
  assert.ok(!(await readdir(dir)).includes(LEGACY_JOURNAL_FILE));
});

test('a journal.json beside the log (a take-over stopped before removing it) is removed, not read again', async (t) => {
  const dir = await tempDir(t);
  const { journal } = await Journal.openIn(dir);
  await journal.recordFinished('s', finished('in-the-log'));
  await copyFile(V1_FIXTURE, join(dir, LEGACY_JOURNAL_FILE));
  const { journal: again, warning } = await Journal.openIn(dir);
  assert.equal(warning, undefined);
  assert.equal(again.isSettled('s', 'in-the-log'), true);
  assert.equal(again.isBaselined(A), false, 'nothing of journal.json');
  assert.deepEqual(await readdir(dir), [JOURNAL_FILE]);
});
