import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, notificationFor, saveFailedNotification, summaryFor, type NotificationContent } from '../../../electron/core/notify/notification-model.js';
import { NotificationPlanner } from '../../../electron/core/notify/notification-planner.js';
import { settingsSchema, type SettingsInput } from '../../../electron/core/store/settings-schema.js';
import { context, image, job } from './fixtures.js';
import { ManualClock } from './manual-clock.js';

test('success: the workflow name, else the output node title; server, duration, outputs; the first image as thumbnail', () => {
  const named = notificationFor(job({ workflowName: 'Portrait', durationMs: 83_000, outputs: [image, { ...image, index: 1 }] }), context());
  assert.equal(named.title, 'Portrait');
  assert.equal(named.body, 'gpu-box · 1m 23s · 2 outputs');
  assert.equal(named.thumbnail?.output.filename, 'ComfyUI_00001_.png');
  assert.deepEqual(named.actions, ['open-image', 'show-in-folder']);
  assert.equal(notificationFor(job({ outputTitle: 'Save Image' }), context()).title, 'Save Image');
});

test('failure names the node by title and type with the first line of the exception', () => {
  const failed = notificationFor(
    job({ status: 'failed', workflowName: 'Upscale', error: { nodeId: '3', nodeType: 'KSampler', nodeTitle: 'Main sampler', exceptionType: 'torch.OutOfMemoryError', message: 'CUDA out of memory.\nTip: lower the batch size', traceback: [] } }),
    context(),
  );
  assert.equal(failed.title, 'Failed: Upscale');
  assert.equal(failed.body, 'Main sampler (KSampler): CUDA out of memory. · gpu-box');
});

test('lost says whether the server restarted', () => {
  assert.match(notificationFor(job({ status: 'lost', lostReason: 'server-restarted' }), context()).body, /gpu-box restarted/);
  assert.match(notificationFor(job({ status: 'lost', lostReason: 'vanished' }), context()).body, /vanished/);
});

test('20 jobs ending close together make one summary; a lone job is told on its own', () => {
  const clock = new ManualClock();
  const shown: NotificationContent[] = [];
  const planner = new NotificationPlanner(() => context(), (x) => shown.push(x), clock);
  for (let i = 0; i < 20; i++) {
    planner.finished(job({ status: i < 2 ? 'failed' : 'completed' }));
    clock.advance(500);
  }
  assert.equal(shown.length, 0);
  clock.advance(3_000);
  assert.equal(shown.length, 1);
  assert.equal(shown[0]!.body, '18 done, 2 failed on gpu-box');
  planner.finished(job({ workflowName: 'Alone' }));
  clock.advance(3_000);
  assert.equal(shown[1]!.title, 'Alone');
});

test('a steady stream of endings is still told, in summaries at most a few windows apart', () => {
  const clock = new ManualClock();
  const shown: NotificationContent[] = [];
  const planner = new NotificationPlanner(() => context(), (x) => shown.push(x), clock);
  for (let i = 0; i < 60; i++) {
    planner.finished(job({}));
    clock.advance(1_000);
  }
  assert.ok(shown.length >= 3 && shown.length <= 5, `${shown.length} notifications for 60 endings over a minute`);
});

test('a catch-up after reconnect is one digest, not a storm', () => {
  const clock = new ManualClock();
  const shown: NotificationContent[] = [];
  const planner = new NotificationPlanner(() => context(), (x) => shown.push(x), clock);
  planner.digest(Array.from({ length: 12 }, (_, i) => job({ status: i === 0 ? 'failed' : 'completed', caughtUp: true })));
  clock.advance(1_000);
  assert.equal(shown.length, 1);
  assert.equal(shown[0]!.title, 'While you were away');
  assert.equal(shown[0]!.body, '11 done, 1 failed on gpu-box');
});

test('paused (for an hour or until resumed), disabled kinds and per-server switches are respected', () => {
  const clock = new ManualClock();
  const shown: NotificationContent[] = [];
  let settings: SettingsInput = { notifications: { pausedUntil: 3_600_000 } };
  const planner = new NotificationPlanner(() => ({ settings: settingsSchema.parse(settings), serverName: (id) => id }), (x) => shown.push(x), clock);
  planner.finished(job({}));
  clock.advance(5_000);
  assert.equal(shown.length, 0, 'paused for an hour');
  clock.time = 3_600_001;
  planner.finished(job({}));
  clock.advance(5_000);
  assert.equal(shown.length, 1, 'the pause ended');
  settings = { notifications: { pausedUntil: -1 } };
  planner.finished(job({}));
  clock.advance(5_000);
  assert.equal(shown.length, 1, 'paused until resumed');
  settings = { notifications: { kinds: { success: false, failure: true, cancelled: false, lost: true, queueFinished: false } } };
  planner.finished(job({}));
  planner.finished(job({ status: 'cancelled' }));
  clock.advance(5_000);
  assert.equal(shown.length, 1, 'success and cancelled off');
  settings = { servers: [{ id: 'gpu', name: 'gpu-box', url: 'http://gpu:8188', notifications: { failure: false } }] };
  planner.finished(job({ status: 'failed' }));
  clock.advance(5_000);
  assert.equal(shown.length, 1, 'failures off for this server');
});

test('queue-finished mode says once that the queue drained', () => {
  const clock = new ManualClock();
  const shown: NotificationContent[] = [];
  const planner = new NotificationPlanner(() => context({ notifications: { kinds: { success: false, failure: false, cancelled: false, lost: false, queueFinished: true } } }), (x) => shown.push(x), clock);
  for (let i = 0; i < 5; i++) planner.finished(job({}));
  planner.queueDrained('gpu');
  planner.queueDrained('gpu');
  assert.equal(shown.length, 1);
  assert.equal(shown[0]!.title, 'Queue finished on gpu-box');
  assert.equal(shown[0]!.body, '5 done');
});

test('durations read naturally', () => {
  assert.deepEqual([4_400, 59_600, 83_000, 7_500_000].map(formatDuration), ['4s', '1m 0s', '1m 23s', '2h 5m']);
});

test('a save failure says how many outputs, why, where, and that it will retry', () => {
  const n = saveFailedNotification({ serverId: 'gpu', jobId: 'j', code: 'OUTPUT_DISK_FULL', reason: 'The disk is full (ENOSPC)\nmore', pending: 3 }, context());
  assert.equal(n.title, 'Could not save 3 outputs');
  assert.equal(n.body, 'The disk is full (ENOSPC) · gpu-box · will retry');
  assert.deepEqual(n.target, { serverId: 'gpu', jobId: 'j' });
});

test('the sound setting decides whether a notification is silent', () => {
  const done = job({ workflowName: 'Portrait' });
  assert.equal(notificationFor(done, context({ notifications: { sound: true } })).silent, false);
  assert.equal(notificationFor(done, context({ notifications: { sound: false } })).silent, true);
  assert.equal(summaryFor([done, job({})], context({ notifications: { sound: true } }), 'batch').silent, false);
});

test('a summary over several servers counts per server', () => {
  const jobs = [job({ serverId: 'gpu' }), job({ serverId: 'laptop' }), job({ serverId: 'laptop', status: 'failed' }), job({ serverId: 'gpu' })];
  const batch = summaryFor(jobs, context(), 'batch');
  assert.equal(batch.title, '4 jobs finished');
  assert.equal(batch.body, '2 done on gpu-box, 1 done and 1 failed on laptop');
  assert.deepEqual(batch.target, {});
});
