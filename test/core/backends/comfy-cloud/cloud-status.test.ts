// The one table of Comfy Cloud's job statuses, walked whole: every documented value (the jobs API's, the status
// endpoint's two sets) means what it should, and anything else is in flight, never an end.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLOUD_STATUSES, cloudStatus } from '../../../../electron/core/backends/comfy-cloud/cloud-status.js';

/** What each documented value must mean, written out here independently of the table. */
const EXPECTED: Record<string, 'pending' | 'running' | 'completed' | 'failed' | 'cancelled'> = {
  pending: 'pending',
  in_progress: 'running',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
  waiting_to_dispatch: 'pending',
  error: 'failed',
  submitted: 'pending',
  queued_waiting: 'pending',
  preparing: 'running',
  executing: 'running',
  cancel_requested: 'running',
  success: 'completed',
  non_retryable_error: 'failed',
  lost: 'failed',
};

test('every status Comfy Cloud documents is in the table, and the table holds nothing else', () => {
  assert.deepEqual(Object.keys(CLOUD_STATUSES).sort(), Object.keys(EXPECTED).sort());
});

test('walking the whole table: each value means what Cloud documents it to', () => {
  for (const [value, meaning] of Object.entries(CLOUD_STATUSES)) {
    assert.equal(meaning.status, EXPECTED[value], value);
    assert.equal(cloudStatus(value).known, true, value);
    assert.equal(cloudStatus(value).status, EXPECTED[value], value);
  }
});

test('failures that bring no error record of their own carry a reason to show', () => {
  assert.match(cloudStatus('lost').reason ?? '', /lost/);
  assert.ok(cloudStatus('non_retryable_error').reason);
});

test('unknown values are in flight, never terminal', () => {
  for (const value of ['dispatching', 'uploading_outputs', 'SUCCESS', '', '__proto__', 'constructor', 'toString']) {
    const meaning = cloudStatus(value);
    assert.equal(meaning.known, false, value);
    assert.ok(meaning.status === 'pending' || meaning.status === 'running', `${value} is in flight`);
  }
});
