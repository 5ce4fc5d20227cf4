// "Queue finished" is a mode: a server's successes wait for its queue to drain and are announced once, with
// failures still told promptly. Regression: the batch was flushed and then the summary shown (two in a row), and a
// one-job queue was never announced, then announced even when its only ending was of a kind switched off.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { job, onlyKinds, plannerFor } from './fixtures.js';

const QUEUE_MODE = { notifications: { kinds: { success: true, failure: true, cancelled: false, lost: true, queueFinished: true } } };

test('with success alerts on, a drained queue is one announcement, not a batch and then a summary', () => {
  const { planner, shown, clock } = plannerFor(QUEUE_MODE);
  for (let i = 0; i < 5; i++) planner.finished(job({}));
  planner.queueDrained('gpu');
  clock.advance(60_000);
  assert.equal(shown.length, 1);
  assert.equal(shown[0]!.kind, 'queue-finished');
  assert.equal(shown[0]!.title, 'Queue finished on gpu-box');
  assert.equal(shown[0]!.body, '5 done');
});

test("a queue of one job is announced, with the job's own notification", () => {
  for (const settings of [QUEUE_MODE, onlyKinds({ queueFinished: true })]) {
    const { planner, shown, clock } = plannerFor(settings);
    planner.finished(job({ workflowName: 'Portrait', durationMs: 4_000 }));
    planner.queueDrained('gpu');
    assert.equal(shown.length, 1, 'told as the queue drains');
    assert.equal(shown[0]!.kind, 'success');
    assert.equal(shown[0]!.title, 'Portrait');
    assert.equal(shown[0]!.body, 'gpu-box · 4s · 0 outputs');
    clock.advance(60_000);
    assert.equal(shown.length, 1);
  }
});

test('failures are still told promptly, and a one-job queue that failed is not told twice', () => {
  const { planner, shown, clock } = plannerFor(QUEUE_MODE);
  planner.finished(job({ status: 'failed', workflowName: 'Broken' }));
  clock.advance(2_500);
  assert.deepEqual(shown.map((x) => x.title), ['Failed: Broken']);
  planner.queueDrained('gpu');
  assert.equal(shown.length, 1);
});

test('a failure still waiting in the batch when the queue drains is told by the announcement', () => {
  const { planner, shown, clock } = plannerFor(QUEUE_MODE);
  planner.finished(job({}));
  planner.finished(job({ status: 'failed' }));
  planner.queueDrained('gpu');
  clock.advance(60_000);
  assert.equal(shown.length, 1);
  assert.equal(shown[0]!.body, '1 done, 1 failed');
});

test('the mode is per server: other servers keep their per-job notifications', () => {
  const settings = {
    servers: [
      { id: 'gpu', name: 'gpu-box', url: 'http://gpu:8188', notifications: { queueFinished: true } },
      { id: 'laptop', name: 'laptop', url: 'http://laptop:8188' },
    ],
  };
  const { planner, shown, clock } = plannerFor(settings);
  planner.finished(job({ serverId: 'gpu' }));
  planner.finished(job({ serverId: 'gpu' }));
  planner.finished(job({ serverId: 'laptop', workflowName: 'Sketch' }));
  clock.advance(2_500);
  assert.deepEqual(shown.map((x) => x.title), ['Sketch']);
  planner.queueDrained('laptop');
  planner.queueDrained('gpu');
  assert.deepEqual(shown.map((x) => x.title), ['Sketch', 'Queue finished on gpu-box']);
});

test('a drained queue is not announced while paused, nor when nothing ended since the last drain', () => {
  const { planner, shown, state } = plannerFor({ ...QUEUE_MODE, notifications: { ...QUEUE_MODE.notifications, pausedUntil: -1 } });
  planner.finished(job({}));
  planner.finished(job({}));
  planner.queueDrained('gpu');
  assert.equal(shown.length, 0);
  state.settings = QUEUE_MODE;
  planner.queueDrained('gpu');
  assert.equal(shown.length, 0);
});

test("a queue whose only ending is of a kind switched off is not announced: the per-kind switches still apply", () => {
  const perServerFailureOff = {
    servers: [{ id: 'gpu', name: 'gpu-box', url: 'http://gpu:8188', notifications: { queueFinished: true, failure: false } }],
  };
  const cases = [
    { settings: QUEUE_MODE, ending: job({ status: 'cancelled', workflowName: 'Portrait' }) },
    { settings: onlyKinds({ queueFinished: true }), ending: job({ status: 'lost', workflowName: 'Portrait' }) },
    { settings: perServerFailureOff, ending: job({ status: 'failed', workflowName: 'Portrait' }) },
  ];
  for (const { settings, ending } of cases) {
    const { planner, shown, clock } = plannerFor(settings);
    planner.finished(ending);
    planner.queueDrained('gpu');
    clock.advance(60_000);
    assert.deepEqual(shown.map((x) => x.title), [], ending.status);
  }
});

test('with cancellations switched on, cancelling the only job is told as the queue drains', () => {
  const { planner, shown } = plannerFor({ notifications: { kinds: { ...QUEUE_MODE.notifications.kinds, cancelled: true } } });
  planner.finished(job({ status: 'cancelled', workflowName: 'Portrait' }));
  planner.queueDrained('gpu');
  assert.deepEqual(shown.map((x) => x.title), ['Cancelled: Portrait']);
});

test('an ending whose kind is switched off is left out of the drained queue announcement', () => {
  const { planner, shown, clock } = plannerFor(QUEUE_MODE);
  planner.finished(job({ workflowName: 'Portrait' }));
  planner.finished(job({ status: 'cancelled', workflowName: 'Sketch' }));
  planner.queueDrained('gpu');
  clock.advance(60_000);
  assert.deepEqual(shown.map((x) => x.title), ['Portrait']);
});
