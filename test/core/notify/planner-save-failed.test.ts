// Save failures go through the planner like every other notification: the pause and the server's failure switch
// apply, failures close together (a full disk fails every job after it) are one notification, and each job is told
// once. Regression: they used to be shown directly, one per job, even while notifications were paused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SaveFailure } from '../../../electron/core/notify/notification-model.js';
import { onlyKinds, plannerFor } from './fixtures.js';

function diskFull(jobId: string, serverId = 'gpu'): SaveFailure {
  return { serverId, jobId, code: 'OUTPUT_DISK_FULL', reason: `gpu-box ${jobId}.png: ENOSPC (the disk is full)`, pending: 2 };
}

test('save failures of 20 jobs close together are one notification, and each job is told once', () => {
  const { planner, shown, clock } = plannerFor();
  for (let i = 0; i < 20; i++) {
    planner.saveFailed(diskFull(`job-${i}`));
    clock.advance(300);
  }
  planner.saveFailed(diskFull('job-0'));
  assert.equal(shown.length, 0, 'still collecting');
  clock.advance(3_000);
  assert.equal(shown.length, 1);
  assert.equal(shown[0]!.kind, 'save-failed');
  assert.equal(shown[0]!.title, 'Could not save outputs of 20 jobs');
  assert.equal(shown[0]!.body, 'disk full · gpu-box · will retry');
  assert.deepEqual(shown[0]!.target, { serverId: 'gpu' });

  planner.saveFailed(diskFull('job-3'));
  clock.advance(3_000);
  assert.equal(shown.length, 1, 'a job already told is not told again');
  assert.equal(clock.pending(), 0);
});

test('a lone save failure keeps its own wording; mixed reasons and servers are all named', () => {
  const { planner, shown, clock } = plannerFor();
  planner.saveFailed(diskFull('alone'));
  clock.advance(3_000);
  assert.equal(shown[0]!.title, 'Could not save 2 outputs');
  assert.equal(shown[0]!.body, 'gpu-box alone.png: ENOSPC (the disk is full) · gpu-box · will retry');
  assert.deepEqual(shown[0]!.target, { serverId: 'gpu', jobId: 'alone' });

  planner.saveFailed(diskFull('a'));
  planner.saveFailed(diskFull('b'));
  planner.saveFailed({ serverId: 'laptop', jobId: 'c', code: 'OUTPUT_PERMISSION_DENIED', reason: 'EACCES', pending: 1 });
  clock.advance(3_000);
  assert.equal(shown[1]!.title, 'Could not save outputs of 3 jobs');
  assert.equal(shown[1]!.body, 'disk full (2), permission denied (1) · gpu-box, laptop · will retry');
  assert.deepEqual(shown[1]!.target, {});
});

test('save failures respect the pause (for an hour or until resumed)', () => {
  const { planner, shown, clock, state } = plannerFor({ notifications: { pausedUntil: -1 } });
  for (let i = 0; i < 20; i++) planner.saveFailed(diskFull(`paused-${i}`));
  clock.advance(10_000);
  assert.equal(shown.length, 0, 'paused until resumed');

  state.settings = { notifications: { pausedUntil: clock.now() + 3_600_000 } };
  planner.saveFailed(diskFull('hour'));
  clock.advance(10_000);
  assert.equal(shown.length, 0, 'paused for an hour');

  state.settings = {};
  planner.saveFailed(diskFull('resumed'));
  clock.advance(10_000);
  assert.equal(shown.length, 1, 'told once the pause is over');
});

test('a pause set while failures are being collected applies to them', () => {
  const { planner, shown, clock, state } = plannerFor();
  planner.saveFailed(diskFull('x'));
  state.settings = { notifications: { pausedUntil: -1 } };
  clock.advance(10_000);
  assert.equal(shown.length, 0);
});

test('save failures follow the failure switch, globally and per server', () => {
  const serverOff = {
    servers: [
      { id: 'gpu', name: 'gpu-box', url: 'http://gpu:8188', notifications: { failure: false } },
      { id: 'laptop', name: 'laptop', url: 'http://laptop:8188' },
    ],
  };
  const { planner, shown, clock, state } = plannerFor(serverOff);
  planner.saveFailed(diskFull('on-gpu'));
  clock.advance(10_000);
  assert.equal(shown.length, 0, 'failures off for gpu-box');
  planner.saveFailed(diskFull('on-laptop', 'laptop'));
  clock.advance(10_000);
  assert.equal(shown.length, 1, 'failures still on for laptop');

  state.settings = onlyKinds({ success: true });
  planner.saveFailed(diskFull('kind-off'));
  clock.advance(10_000);
  assert.equal(shown.length, 1, 'failures off everywhere');

  state.settings = { notifications: { enabled: false } };
  planner.saveFailed(diskFull('all-off'));
  clock.advance(10_000);
  assert.equal(shown.length, 1, 'notifications off');
});
