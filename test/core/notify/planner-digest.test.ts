// After a wake, every server catches up and sends its own digest, once per trigger (resume, then unlock): the user
// gets one "while you were away" for all of them. Regression: one per server per trigger.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobView } from '../../../electron/shared/app-state.js';
import { job, plannerFor } from './fixtures.js';

function caught(serverId: string, done: number, failed = 0): JobView[] {
  return [
    ...Array.from({ length: done }, () => job({ serverId, caughtUp: true })),
    ...Array.from({ length: failed }, () => job({ serverId, status: 'failed', caughtUp: true })),
  ];
}

test('three servers and two triggers make one digest, the repeats merged', () => {
  const { planner, shown, clock } = plannerFor({}, { digestWindowMs: 1_000 });
  const gpu = caught('gpu', 12);
  const laptop = caught('laptop', 3, 1);
  const studio = caught('studio', 2);
  // The resume: each server's catch-up lands a little after the other.
  planner.digest(gpu);
  clock.advance(300);
  planner.digest(laptop);
  clock.advance(300);
  planner.digest(studio.slice(0, 1));
  // The unlock right after: the same jobs again, and one the first look had not seen yet.
  clock.advance(300);
  planner.digest(gpu);
  planner.digest(studio);
  assert.equal(shown.length, 0, 'still collecting');
  clock.advance(1_000);
  assert.equal(shown.length, 1);
  assert.equal(shown[0]!.kind, 'digest');
  assert.equal(shown[0]!.title, 'While you were away');
  assert.equal(shown[0]!.body, '12 done on gpu-box, 3 done and 1 failed on laptop, 2 done on studio');
  assert.deepEqual(shown[0]!.target, {});

  planner.digest([...gpu, ...laptop]);
  clock.advance(10_000);
  assert.equal(shown.length, 1, 'a later repeat of the same jobs says nothing');
  assert.equal(clock.pending(), 0);
});

test('a digest is told within a bounded time even while catch-ups keep trickling in', () => {
  const { planner, shown, clock } = plannerFor({}, { digestWindowMs: 1_000 });
  for (let i = 0; i < 20; i++) {
    planner.digest(caught('gpu', 1));
    clock.advance(900);
  }
  assert.ok(shown.length >= 2, `${shown.length} digests for 18 s of catch-ups`);
});

test('a digest respects the pause', () => {
  const { planner, shown, clock } = plannerFor({ notifications: { pausedUntil: -1 } });
  planner.digest(caught('gpu', 3));
  clock.advance(5_000);
  assert.equal(shown.length, 0);
});
