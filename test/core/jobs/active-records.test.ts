// The journal's copy of the queue is handed over only when something in it changed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changedActiveRecords } from '../../../electron/core/jobs/active-records.js';
import { newTrackedJob, type TrackedJob } from '../../../electron/core/jobs/tracked-job.js';

const job = (id: string, fields: Partial<TrackedJob> = {}): TrackedJob => newTrackedJob(id, { status: 'pending', submittedBy: 'other', epoch: 0, ...fields });

test('the same jobs with the same fields give nothing to hand over; any change gives the whole list again', () => {
  const jobs = [job('a', { createdAt: 1, signature: 's' }), job('b', { workflowName: 'w' }), job('live', { unconfirmed: true })];
  const held = changedActiveRecords(jobs, []);
  assert.deepEqual(held, [
    { id: 'a', status: 'pending', submittedBy: 'other', createdAt: 1, signature: 's' },
    { id: 'b', status: 'pending', submittedBy: 'other', workflowName: 'w' },
  ]);
  assert.equal(changedActiveRecords(jobs, held!), undefined, 'unchanged');
  jobs[1]!.status = 'running';
  const next = changedActiveRecords(jobs, held!);
  assert.deepEqual(next?.map((r) => r.status), ['pending', 'running']);
  assert.equal(next?.[0], held?.[0], 'records of unchanged jobs are the ones held');
  assert.equal(changedActiveRecords(jobs, next!), undefined);
  // Progress and the like are not remembered: no change there.
  jobs[1]!.progress = { overall: 0.5 };
  assert.equal(changedActiveRecords(jobs, next!), undefined);
  assert.deepEqual(changedActiveRecords([jobs[1]!], next!)?.map((r) => r.id), ['b'], 'a job gone');
  assert.deepEqual(changedActiveRecords([jobs[1]!, job('c')], next!)?.map((r) => r.id), ['b', 'c'], 'a job added');
  assert.deepEqual(changedActiveRecords([], next!), []);
  assert.equal(changedActiveRecords([], []), undefined);
});
