// What a listing or a record gives a tracked job: a queue listing's prompt is read once, never again at later looks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RemoteJob } from '../../../electron/core/comfy/remote-jobs.js';
import { activeFromQueueText } from '../../../electron/core/comfy/remote-jobs.js';
import { applyRemoteFields, newTrackedJob } from '../../../electron/core/jobs/tracked-job.js';

const listingText = (prefix: string) =>
  JSON.stringify({
    queue_running: [],
    queue_pending: [[1, 'j1', { '9': { class_type: 'SaveImage', inputs: { filename_prefix: prefix, images: ['3', 0] }, _meta: { title: 'Save' } } }, { client_id: 'c', create_time: 5 }]],
  });

/** A listed job whose prompt-derived fields may not be read. */
function unreadable(fields: Pick<RemoteJob, 'id' | 'status' | 'createdAt'>): RemoteJob {
  const refuse = (): never => assert.fail('a later look read the listed prompt again');
  return {
    ...fields,
    listed: true,
    get nodes() {
      return refuse();
    },
    get workflowName() {
      return refuse();
    },
    get signature() {
      return refuse();
    },
  };
}

test('a listed job’s node table, name and signature come from its first listing; a later look compares only its creation time', () => {
  const job = newTrackedJob('j1', { status: 'pending', submittedBy: 'other', epoch: 1 });
  const [first] = activeFromQueueText(listingText('portrait'), (t) => JSON.parse(t)).pending;
  assert.ok(first);
  assert.equal(applyRemoteFields(job, first), true);
  assert.equal(job.workflowName, 'portrait');
  assert.equal(job.nodes?.['9']?.title, 'Save');
  assert.ok(job.signature);
  assert.equal(job.createdAt, 5);
  // The next look: the same job, listed again. Its creation time is still compared; its prompt is not read.
  assert.equal(applyRemoteFields(job, unreadable({ id: 'j1', status: 'pending', createdAt: 5 })), false);
  assert.equal(applyRemoteFields(job, unreadable({ id: 'j1', status: 'pending', createdAt: 6 })), true);
  assert.equal(job.createdAt, 6);
});

test('a job whose listed prompt gave no name is not asked again, but a record (history, job detail) still names it', () => {
  const job = newTrackedJob('j1', { status: 'pending', submittedBy: 'other', epoch: 1 });
  const nameless = JSON.stringify({ queue_running: [], queue_pending: [[1, 'j1', { '3': { class_type: 'KSampler', inputs: {} } }, {}]] });
  const [first] = activeFromQueueText(nameless, (t) => JSON.parse(t)).pending;
  assert.ok(first);
  applyRemoteFields(job, first);
  assert.equal(job.workflowName, undefined);
  applyRemoteFields(job, unreadable({ id: 'j1', status: 'pending' }));
  const record: RemoteJob = { id: 'j1', status: 'completed', workflowName: 'from the record' };
  assert.equal(applyRemoteFields(job, record), true);
  assert.equal(job.workflowName, 'from the record');
});
