// "Quit always quits": the engine gets a few seconds to stop cleanly, then the app exits anyway, exactly once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QUIT_DEADLINE_MS, stopThenExit, type StopOutcome } from '../../electron/shell/quit-deadline.js';
import { FakeClock } from './fake-clock.js';

test('a stop that never ends: the app exits when the deadline passes, not before', async () => {
  const clock = new FakeClock();
  const exits: StopOutcome[] = [];
  const outcome = stopThenExit(() => new Promise(() => undefined), (o) => exits.push(o), QUIT_DEADLINE_MS, clock);
  clock.advance(QUIT_DEADLINE_MS - 1);
  assert.deepEqual(exits, []);
  clock.advance(1);
  assert.equal(await outcome, 'timed-out');
  assert.deepEqual(exits, ['timed-out']);
});

test('a clean stop exits at once and cancels the deadline; a late deadline does not exit twice', async () => {
  const clock = new FakeClock();
  const exits: StopOutcome[] = [];
  assert.equal(await stopThenExit(async () => undefined, (o) => exits.push(o), QUIT_DEADLINE_MS, clock), 'stopped');
  assert.equal(clock.pending, 0);
  clock.advance(QUIT_DEADLINE_MS);
  assert.deepEqual(exits, ['stopped']);
});

test('a stop that fails, or throws before returning a promise, still exits, once', async () => {
  const clock = new FakeClock();
  const exits: StopOutcome[] = [];
  assert.equal(await stopThenExit(() => Promise.reject(new Error('disk gone')), (o) => exits.push(o), QUIT_DEADLINE_MS, clock), 'failed');
  assert.equal(
    await stopThenExit(
      () => {
        throw new Error('not started');
      },
      (o) => exits.push(o),
      QUIT_DEADLINE_MS,
      clock,
    ),
    'failed',
  );
  assert.deepEqual(exits, ['failed', 'failed']);
});

test('a stop that ends after the deadline changes nothing: the app has exited already', async () => {
  const clock = new FakeClock();
  const exits: StopOutcome[] = [];
  let finishStop: () => void = () => undefined;
  const outcome = stopThenExit(() => new Promise<void>((resolve) => (finishStop = resolve)), (o) => exits.push(o), QUIT_DEADLINE_MS, clock);
  clock.advance(QUIT_DEADLINE_MS);
  finishStop();
  assert.equal(await outcome, 'timed-out');
  await Promise.resolve();
  assert.deepEqual(exits, ['timed-out']);
});
