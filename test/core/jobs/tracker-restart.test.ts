// A server restart clears its history; what runs after it is news, whatever the server's clock now says.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { connectedEngine } from '../../support/fake-engine.js';

/** Further back than the margin a look allows the server's clock. */
const CLOCK_STEP_BACK_MS = 5 * 60_000;

test('regression: after a restart whose clock stepped back, other clients’ jobs are all announced once', async (t) => {
  const { backend, engine, rec } = await connectedEngine(t);
  const now = Date.now();
  const before = backend.complete(randomUUID(), { endedAt: now }).id;
  backend.status(0);
  await engine.settled();
  assert.deepEqual(rec.finishedIds(), [before]);

  // The server restarts (its history gone) and boots with a clock minutes behind; another client runs jobs.
  backend.disconnect();
  backend.history = [];
  const after = [1, 2, 3].map((i) => backend.complete(randomUUID(), { endedAt: now - CLOCK_STEP_BACK_MS + i }).id);
  backend.connect('client-2');
  await engine.settled();
  assert.deepEqual(rec.finishedIds(), [before, ...after]);

  // Later looks neither repeat them nor miss what comes next.
  const next = backend.complete(randomUUID(), { endedAt: now - CLOCK_STEP_BACK_MS + 10 }).id;
  backend.status(0);
  await engine.settled();
  backend.status(0);
  await engine.settled();
  assert.deepEqual(rec.finishedIds(), [before, ...after, next]);
});

test('regression: the newest job deleted from the history while we were away is no restart; forgotten jobs stay forgotten', async (t) => {
  // The journal remembers fewer jobs than the server's history holds.
  const { backend, engine, rec } = await connectedEngine(t, { maxJobsPerServer: 3 });
  const now = Date.now();
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) {
    ids.push(backend.complete(randomUUID(), { endedAt: now + i }).id);
    backend.status(0);
    await engine.settled();
  }
  assert.deepEqual(rec.finishedIds(), ids);

  // While we are away the user deletes the newest entry in ComfyUI's history panel; the server did not restart.
  backend.disconnect();
  backend.history = backend.history.filter((job) => job.id !== ids[5]);
  backend.connect('client-2');
  await engine.settled();
  backend.status(0);
  await engine.settled();
  assert.deepEqual(rec.finishedIds(), ids, 'nothing announced again, nothing lost');
  assert.equal(rec.digests.length, 0);
});
