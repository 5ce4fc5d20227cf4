// The window's model: snapshot and patches by version, list order, filters, and that progress alone does not
// rebuild the lists (only the job's own signal changes).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { effect } from '@preact/signals';
import type { JobView } from '../../../electron/shared/app-state.js';
import { QueueModel } from '../../../renderer/models/queue-model.js';

const job = (id: string, extra: Partial<JobView> = {}): JobView => ({ serverId: 's', id, status: 'completed', submittedBy: 'other', outputs: [], ...extra });
const ids = (entries: readonly { job: { value: JobView } }[]): string[] => entries.map((e) => e.job.value.id);

test('snapshot then patches; stale batches and stale snapshots are ignored', () => {
  const model = new QueueModel();
  model.applyPatches({ version: 1, patches: [{ type: 'job-updated', job: job('early') }] });
  assert.equal(model.loaded.value, false, 'patches before the snapshot are dropped: the snapshot has them');
  model.applySnapshot({ version: 2, servers: [], jobs: [job('a', { endedAt: 1 })] });
  model.applyPatches({ version: 2, patches: [{ type: 'job-removed', serverId: 's', jobId: 'a' }] });
  assert.deepEqual(ids(model.lists.value.history), ['a']);
  model.applyPatches({ version: 3, patches: [{ type: 'job-updated', job: job('b', { endedAt: 2 }) }] });
  model.applySnapshot({ version: 2, servers: [], jobs: [] });
  assert.deepEqual(ids(model.lists.value.history), ['b', 'a'], 'newest first; the older snapshot changed nothing');
  model.applySnapshot({ version: 9, servers: [], jobs: [job('c')] });
  assert.deepEqual(ids(model.lists.value.history), ['c'], 'a newer snapshot replaces everything');
});

test('running, pending in queue order, history newest first, filtered by server, status and search', () => {
  const model = new QueueModel();
  model.applySnapshot({
    version: 1,
    servers: [],
    jobs: [
      job('p2', { status: 'pending', queuePosition: 2 }),
      job('r', { status: 'running', serverId: 't' }),
      job('p1', { status: 'pending', queuePosition: 1, workflowName: 'Portrait' }),
      job('old', { endedAt: 10, status: 'failed' }),
      job('new', { endedAt: 20, workflowName: 'Landscape' }),
    ],
  });
  const lists = model.lists.value;
  assert.deepEqual([ids(lists.running), ids(lists.pending), ids(lists.history)], [['r'], ['p1', 'p2'], ['new', 'old']]);
  model.serverFilter.value = 't';
  assert.deepEqual(ids(model.lists.value.running), ['r']);
  assert.equal(model.lists.value.pending.length, 0);
  model.serverFilter.value = 'all';
  model.statusFilter.value = 'failed';
  assert.deepEqual(ids(model.lists.value.history), ['old']);
  model.statusFilter.value = 'all';
  model.search.value = ' portrait ';
  assert.deepEqual(ids(model.lists.value.pending), ['p1']);
  model.search.value = 'NE';
  assert.deepEqual(ids(model.lists.value.history), ['new'], 'job ids match too, case-insensitively');
  assert.equal(model.allLists.value.history.length, 2, 'counts ignore the filters');
});

test('a progress patch changes only that job signal; a status change rebuilds the lists', () => {
  const model = new QueueModel();
  model.applySnapshot({ version: 1, servers: [], jobs: [job('r', { status: 'running' }), job('h', { endedAt: 1 })] });
  let builds = 0;
  const stop = effect(() => {
    const _lists = model.lists.value;
    builds++;
  });
  const running = model.entry('s', 'r')!;
  let seen: JobView | undefined;
  const stopJob = effect(() => {
    seen = running.job.value;
  });
  model.applyPatches({ version: 2, patches: [{ type: 'job-updated', job: job('r', { status: 'running', progress: { overall: 0.5 } }) }] });
  assert.equal(builds, 1);
  assert.equal(seen?.progress?.overall, 0.5);
  model.applyPatches({ version: 3, patches: [{ type: 'job-updated', job: job('r', { status: 'completed', endedAt: 5 }) }] });
  assert.equal(builds, 2);
  assert.deepEqual(ids(model.lists.value.history), ['r', 'h']);
  assert.equal(model.lists.value.history[0], running, 'the same entry object for the job’s whole life');
  stop();
  stopJob();
});

test('a clicked notification focuses its job: the lists show that job alone', async () => {
  const { connectModel } = await import('../../../renderer/models/connect.js');
  const model = new QueueModel();
  let focus: ((job: { serverId: string; jobId: string }) => void) | undefined;
  const jobs: JobView[] = [
    { serverId: 'a', id: 'first-job', status: 'completed', submittedBy: 'other', outputs: [], endedAt: 2 },
    { serverId: 'a', id: 'second-job', status: 'failed', submittedBy: 'other', outputs: [], endedAt: 1 },
  ];
  const snapshot = { version: 1, servers: [{ id: 'a', name: 'a', url: 'http://a/', state: 'connected' as const }], jobs };
  const off = connectModel(
    model,
    {
      getSnapshot: async () => snapshot,
      onSnapshot: () => () => undefined,
      onPatches: () => () => undefined,
      onFocusJob: (listener) => {
        focus = listener;
        return () => undefined;
      },
    },
    (error) => assert.fail(String(error)),
  );
  await Promise.resolve();
  model.applySnapshot(snapshot);
  assert.equal(model.lists.value.history.length, 2);
  focus?.({ serverId: 'a', jobId: 'second-job' });
  assert.deepEqual(model.lists.value.history.map((entry) => entry.job.value.id), ['second-job']);
  off();
});

test('a batch after missed ones is a gap: not applied, reported, so the window asks for a snapshot', () => {
  const model = new QueueModel();
  model.applySnapshot({ version: 4, servers: [], jobs: [job('r', { status: 'running' })] });
  assert.equal(model.applyPatches({ version: 4, patches: [] }), 'stale');
  // Batch 5 (the job finished) never arrived: applying 6 would leave the job "running" for good.
  assert.equal(model.applyPatches({ version: 6, patches: [{ type: 'job-updated', job: job('other', { endedAt: 1 }) }] }), 'gap');
  assert.equal(model.entry('s', 'other'), undefined);
  assert.equal(model.applyPatches({ version: 5, patches: [{ type: 'job-updated', job: job('r', { endedAt: 2 }) }] }), 'applied');
  assert.equal(model.entry('s', 'r')?.job.value.status, 'completed');
});

test('connected to the bridge: a gap asks for the snapshot once, and batches that arrive meanwhile apply after it', async () => {
  const { connectModel } = await import('../../../renderer/models/connect.js');
  const model = new QueueModel();
  let push: ((batch: { version: number; patches: [] | [{ type: 'job-updated'; job: JobView }] }) => void) | undefined;
  const answers: ((snapshot: { version: number; servers: []; jobs: JobView[] }) => void)[] = [];
  const off = connectModel(
    model,
    {
      getSnapshot: () => new Promise((resolve) => answers.push(resolve)),
      onSnapshot: () => () => undefined,
      onPatches: (listener) => ((push = listener), () => undefined),
    },
    (error) => assert.fail(String(error)),
  );
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  answers[0]?.({ version: 1, servers: [], jobs: [job('r', { status: 'running' })] });
  await settle();
  // Batches 2 and 3 were not sent (the window was hidden): 4 shows the gap, 5 comes while the snapshot is on its way.
  push?.({ version: 4, patches: [] });
  push?.({ version: 5, patches: [{ type: 'job-updated', job: job('late', { endedAt: 9 }) }] });
  assert.equal(answers.length, 2, 'one more request, not one per batch');
  answers[1]?.({ version: 4, servers: [], jobs: [job('r', { endedAt: 3 })] });
  await settle();
  assert.equal(model.entry('s', 'r')?.job.value.status, 'completed', 'the missed change arrived with the snapshot');
  assert.ok(model.entry('s', 'late'), 'the batch held meanwhile was applied after it');
  push?.({ version: 6, patches: [] });
  assert.equal(answers.length, 2, 'in step again: no more requests');
  off();
});
