// Batches: runs of one workflow queued together (one server, one submitter, one name, each within a few minutes of the
// one before), three or more; their counts and progress; how a list folds them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobView } from '../../../electron/shared/app-state.js';
import { batchProgress, findBatches, foldBatches } from '../../../renderer/models/batches.js';

const MIN = 60_000;
const job = (id: string, createdAt: number, extra: Partial<JobView> = {}): { key: string; job: JobView } => ({
  key: `s/${id}`,
  job: { serverId: 's', id, status: 'pending', submittedBy: 'other', outputs: [], workflowName: 'Portrait', createdAt, ...extra },
});

test('runs of the same workflow queued together, three or more; a long gap or anything queued between splits them', () => {
  const jobs = [
    job('a1', 0, { status: 'completed' }),
    job('a2', 1_000, { status: 'failed' }),
    job('a3', 2_000, { status: 'running', progress: { overall: 0.5 } }),
    job('a4', 3_000),
    job('a5', 2 * MIN),
    // Ten minutes later: another batch, too small to fold.
    job('b1', 12 * MIN),
    job('b2', 12 * MIN + 1),
    // Another server's jobs at the same time are not in between.
    job('y', 1_500, { serverId: 't' }),
    // Later, the same workflow interleaved with others (by the same or another client): no batch, nothing was queued together.
    job('c1', 20 * MIN, { workflowName: 'Interleaved' }),
    job('x1', 20 * MIN + 1, { workflowName: 'Landscape' }),
    job('c2', 20 * MIN + 2, { workflowName: 'Interleaved' }),
    job('z1', 20 * MIN + 3, { submittedBy: 'this-app', workflowName: 'Interleaved' }),
    job('c3', 20 * MIN + 4, { workflowName: 'Interleaved' }),
    job('n1', 30 * MIN, { workflowName: undefined }),
    job('n2', 30 * MIN + 1, { workflowName: undefined }),
    job('n3', 30 * MIN + 2, { workflowName: undefined }),
  ];
  const { batchOf, batches } = findBatches(jobs);
  assert.equal(batches.size, 1);
  const [batch] = [...batches.values()];
  assert.deepEqual(
    [...batchOf.entries()].map(([key]) => key),
    ['s/a1', 's/a2', 's/a3', 's/a4', 's/a5'],
  );
  assert.deepEqual(
    { total: batch!.total, done: batch!.done, failed: batch!.failed, running: batch!.running, waiting: batch!.waiting, title: batch!.title, runningKey: batch!.runningKey },
    { total: 5, done: 1, failed: 1, running: 1, waiting: 2, title: 'Portrait', runningKey: 's/a3' },
  );
  assert.equal(batchProgress(batch!, 0.5), (2 + 0.5) / 5);
  assert.equal(batchProgress(batch!, undefined), 2 / 5);
});

test('a list folds a batch into one row where its first member was; open, the members follow it', () => {
  const jobs = [job('a1', 0), job('a2', 1), job('a3', 2), job('a4', 3), job('x', 10, { workflowName: 'Other' })];
  const found = findBatches(jobs);
  const id = [...found.batches.keys()][0]!;
  const list = [jobs[4]!, jobs[0]!, jobs[1]!, jobs[2]!, jobs[3]!];
  assert.deepEqual(
    foldBatches(list, found, () => false).map((row) => (row.kind === 'batch' ? `batch(${row.entries.length})` : row.key)),
    ['s/x', 'batch(4)'],
  );
  assert.deepEqual(
    foldBatches(list, found, (batch) => batch === id).map((row) => (row.kind === 'batch' ? 'batch' : `${row.key}${row.member ? '*' : ''}`)),
    ['s/x', 'batch', 's/a1*', 's/a2*', 's/a3*', 's/a4*'],
  );
  // Only two of the batch in this list (the rest already moved on): not folded here.
  assert.deepEqual(
    foldBatches([jobs[0]!, jobs[1]!], found, () => false).map((row) => row.kind),
    ['job', 'job'],
  );
});

test('servers that give no queue time (before 0.3.69): the time the window first saw the job stands in', () => {
  const legacy = ['l1', 'l2', 'l3'].map((id, i) => ({ ...job(id, 0, { createdAt: undefined }), seen: 5_000 + i }));
  assert.equal(findBatches(legacy).batches.size, 1);
  // Seen in one snapshot: the order they were listed in decides what is between what.
  const snapshot = ['m3', 'x', 'm1', 'm2', 'm4'].map((id, order) => ({ ...job(id, 0, { createdAt: undefined, ...(id === 'x' && { workflowName: 'Other' }) }), seen: 9_000, order }));
  assert.deepEqual([...findBatches(snapshot).batchOf.keys()], ['s/m1', 's/m2', 's/m4']);
  assert.equal(findBatches(legacy.map(({ key, job: j }) => ({ key, job: j }))).batches.size, 0, 'no time at all: nothing to go by');
});
