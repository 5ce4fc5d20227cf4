// Once disposed (the app is quitting), the planner ignores every call. Regression: jobs ending while the engine
// stopped started new batch timers and could still show notifications during the quit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { image, job, plannerFor } from './fixtures.js';

const QUEUE_MODE = { notifications: { kinds: { success: true, failure: true, cancelled: true, lost: true, queueFinished: true } } };

test('after dispose, endings, digests, drains and save events show nothing and leave no timer', () => {
  const { planner, shown, clock } = plannerFor();
  planner.dispose();
  planner.finished(job({}));
  planner.finished(job({ status: 'failed' }));
  planner.digest([job({ caughtUp: true }), job({ status: 'lost', caughtUp: true })]);
  planner.saveFailed({ serverId: 'gpu', jobId: 'job-x', code: 'OUTPUT_DISK_FULL', reason: 'ENOSPC', pending: 1 });
  assert.equal(clock.pending(), 0, 'no timer started after dispose');
  planner.flush();
  planner.queueDrained('gpu');
  clock.advance(60_000);
  assert.deepEqual(shown, []);
});

test('a queue drained after dispose is not announced, though its jobs ended before', () => {
  const { planner, shown, clock } = plannerFor(QUEUE_MODE);
  planner.finished(job({ workflowName: 'Portrait' }));
  planner.finished(job({ workflowName: 'Sketch' }));
  planner.dispose();
  planner.queueDrained('gpu');
  clock.advance(60_000);
  assert.deepEqual(shown, []);
});

test('a success waiting for its image when the app quits is not told when the save ends', () => {
  const { planner, shown, clock } = plannerFor();
  const done = job({ outputs: [image] });
  planner.finished(done);
  clock.advance(5_000);
  assert.equal(shown.length, 0, 'waiting for its image');
  planner.dispose();
  assert.equal(clock.pending(), 0);
  planner.saved(done.serverId, done.id);
  assert.deepEqual(shown, []);
});
