// The one table of ComfyControl's run statuses, walked whole; anything else is in flight.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RUN_STATUSES, runStatus } from '../../../../electron/core/backends/comfycontrol/run-status.js';

const EXPECTED = {
  accepted: 'pending',
  uploaded: 'pending',
  queued: 'pending',
  running: 'running',
  completed: 'completed',
  cancelled: 'cancelled',
  invalid: 'failed',
  failed: 'failed',
} as const;

test('every documented status is in the table, meaning what ComfyControl documents', () => {
  assert.deepEqual(Object.keys(RUN_STATUSES).sort(), Object.keys(EXPECTED).sort());
  for (const [value, status] of Object.entries(EXPECTED)) {
    assert.equal(runStatus(value).status, status, value);
    assert.equal(runStatus(value).known, true);
  }
  assert.ok(runStatus('invalid').reason, 'an invalid run says why it ended');
});

test('unknown statuses are in flight, never an end', () => {
  for (const value of ['provisioning', 'COMPLETED', '', 'hasOwnProperty']) {
    assert.equal(runStatus(value).known, false);
    assert.ok(['pending', 'running'].includes(runStatus(value).status), value);
  }
});
