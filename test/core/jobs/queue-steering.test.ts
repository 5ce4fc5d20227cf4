// Steering a real (simulated) server's queue through the engine: pause holds every pending job (anyone's, also those
// queued later) on disk across a restart of the app, resume queues them again in order under the same prompt ids with
// the same prompts (a 64-bit seed digit for digit, the browser's client id and workflow kept); moves reorder the queue;
// every job runs exactly once and none is reported cancelled along the way. On the jobs API and on the legacy /queue.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Engine } from '../../../electron/core/engine.js';
import { errorCode } from '../../../electron/core/errors.js';
import { HeldQueueStore } from '../../../electron/core/jobs/held-queue-store.js';
import { placementsFor } from '../../../electron/core/jobs/queue-steering.js';
import type { JobView } from '../../../electron/shared/app-state.js';
import { ComfySimulator, type SimGeneration } from '../../support/comfy-simulator.js';
import { engineFor, serverConnected } from '../../support/connect.js';
import { connectedEngine } from '../../support/fake-engine.js';
import { nextEvent, record, tempDir } from '../../support/events.js';
import { BROWSER_WORKFLOW, SEED, SEED_TEXT, countEvents, eventOrder, pendingOrder, queueText, seededPrompt, simEvent } from '../../support/steering.js';

function finishedAll(engine: Engine, ids: readonly string[]): Promise<void> {
  const left = new Set(ids);
  if (left.size === 0) return Promise.resolve();
  return nextEvent(engine.events, 'job-finished', (job) => left.delete(job.id) && left.size === 0, 30_000).then(
    () => undefined,
    (error: unknown) => {
      throw new Error(`${String(error)}; still not finished: ${[...left].map((id) => `${id} (${engine.job('s0', id)?.status ?? 'unknown'})`).join(', ')}`);
    },
  );
}

function pendingViews(engine: Engine): JobView[] {
  return engine.jobs('s0').filter((job) => job.status === 'pending');
}

/** A running job that stays running (the simulator holds it between steps) while the test steers the rest. */
async function busyServer(sim: ComfySimulator): Promise<string> {
  const running = sim.enqueue(seededPrompt('running', 40), { clientId: 'browser' });
  await simEvent(sim, 'started', running.promptId);
  sim.hold();
  return running.promptId;
}

for (const generation of ['modern', 'legacy'] as SimGeneration[]) {
  describe(`queue steering on a ${generation} server`, () => {
    test('pause holds every pending job across a restart of the app; resume queues them again, same ids, same prompts, same order', async (t) => {
      const sim = await ComfySimulator.start({ generation, stepDelayMs: 10 });
      t.after(() => sim.stop());
      const dataDir = await tempDir(t);
      let engine = await engineFor(t, [sim.url], { dataDir });
      await serverConnected(engine);
      const runningId = await busyServer(sim);
      const browser = [0, 1, 2].map((i) => sim.enqueue(seededPrompt(`waiting${i}`), { clientId: 'browser', extraData: { extra_pnginfo: { workflow: BROWSER_WORKFLOW } } }).promptId);
      const { promptId: mine } = await engine.submit('s0', { prompt: seededPrompt('mine'), workflow: { extra: { name: 'Mine' } } });
      await engine.settled();
      const enqueued = countEvents(sim, 'enqueued');
      const started = eventOrder(sim, 'started');
      const rec = record(engine.events);

      const paused = await engine.pauseQueue('s0');
      assert.deepEqual(paused.done, [...browser, mine], 'held in the order they would have run');
      assert.deepEqual(paused.skipped, []);
      assert.deepEqual(await pendingOrder(sim), [], 'nothing left on the server');
      assert.equal(engine.servers()[0]?.queuePaused, true);
      assert.equal(engine.servers()[0]?.heldJobs, 4);
      const held = pendingViews(engine).sort((a, b) => (a.queuePosition ?? 0) - (b.queuePosition ?? 0));
      assert.deepEqual(held.map((job) => [job.id, job.held, job.queuePosition]), [...browser, mine].map((id, i) => [id, true, i + 1]));
      assert.deepEqual(held.map((job) => job.workflowName), ['waiting0', 'waiting1', 'waiting2', 'Mine']);

      // Queued while paused, by anyone: taken off as well, behind the others.
      const late = sim.enqueue(seededPrompt('late'), { clientId: 'browser' }).promptId;
      await nextEvent(engine.events, 'job', (job) => job.id === late && job.held === true);
      // Shown as held as soon as it is on disk; the delete follows: wait for the step to end.
      await engine.settled();
      assert.deepEqual(await pendingOrder(sim), []);

      // The running job finishes; nothing else starts.
      // Listening first: a job can finish before the call that let it run returns.
      const runningDone = finishedAll(engine, [runningId]);
      sim.release();
      await runningDone;
      await engine.settled();
      assert.deepEqual(started, [], 'no held job ran');

      // The app quits while paused and starts again: still paused, the same jobs held, before and after it connects.
      await engine.stop();
      engine = await engineFor(t, [sim.url], { dataDir, start: false });
      assert.equal(engine.servers()[0]?.queuePaused, true, 'paused before it even connects');
      assert.equal(engine.servers()[0]?.heldJobs, 5);
      engine.start();
      await serverConnected(engine);
      await engine.settled();
      const shown = pendingViews(engine).sort((a, b) => (a.queuePosition ?? 0) - (b.queuePosition ?? 0));
      assert.deepEqual(shown.map((job) => job.id), [...browser, mine, late]);
      assert.ok(shown.every((job) => job.held === true));
      assert.deepEqual(await pendingOrder(sim), []);

      const rec2 = record(engine.events);
      const allDone = finishedAll(engine, [...browser, mine, late]);
      const resumed = await engine.resumeQueue('s0');
      assert.deepEqual(resumed.done, [...browser, mine, late]);
      assert.equal(engine.servers()[0]?.queuePaused, undefined);
      assert.equal(engine.servers()[0]?.heldJobs, undefined);
      await allDone;
      assert.deepEqual(started, [...browser, mine, late], 'they ran in the order they were held');
      for (const id of [...browser, mine]) assert.equal(enqueued.get(id), 1, `${id} was queued again exactly once`);
      assert.equal(enqueued.get(late), 2, 'late: queued by the browser, then again on resume');
      assert.deepEqual([...rec.finished, ...rec2.finished].filter((job) => job.id !== runningId).map((job) => job.status), ['completed', 'completed', 'completed', 'completed', 'completed']);

      // The prompts the server ran are the ones held: seed exact, the browser's client id and workflow kept.
      for (const id of browser) {
        const run = await engine.backend('s0').lookup(id);
        assert.equal((run?.prompt?.['2'] as { inputs: { seed: unknown } }).inputs.seed, SEED);
        assert.equal(run?.clientId, 'browser');
        assert.deepEqual(run?.workflow, BROWSER_WORKFLOW);
      }
      assert.equal(engine.job('s0', mine)?.submittedBy, 'this-app');
      assert.equal(engine.job('s0', browser[0]!)?.submittedBy, 'other');
    });

    test('move to front and to back reorder the queue; a job that started is left to run; nothing is reported cancelled', async (t) => {
      const sim = await ComfySimulator.start({ generation, stepDelayMs: 5 });
      t.after(() => sim.stop());
      const engine = await engineFor(t, [sim.url]);
      await serverConnected(engine);
      const runningId = await busyServer(sim);
      const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((name) => sim.enqueue(seededPrompt(name), { clientId: 'browser', extraData: { extra_pnginfo: { workflow: BROWSER_WORKFLOW } } }).promptId) as [string, string, string, string, string];
      await engine.settled();
      const rec = record(engine.events);
      const enqueued = countEvents(sim, 'enqueued');

      const front = await engine.moveToFront('s0', [d, b]);
      assert.deepEqual(front.done, [b, d], 'in their order in the queue');
      assert.deepEqual(await pendingOrder(sim), [b, d, a, c, e]);
      const back = await engine.moveToBack('s0', [b]);
      assert.deepEqual(back.done, [b]);
      assert.deepEqual(await pendingOrder(sim), [d, a, c, e, b]);
      const runningMove = await engine.moveToFront('s0', [runningId]);
      assert.deepEqual(runningMove, { done: [], skipped: [{ id: runningId, reason: { code: 'started', message: 'it had already started' } }] });

      await engine.settled();
      const positions = pendingViews(engine).sort((x, y) => (x.queuePosition ?? 0) - (y.queuePosition ?? 0));
      assert.deepEqual(positions.map((job) => job.id), [d, a, c, e, b], 'the window shows the new order');
      assert.match(await queueText(sim), new RegExp(`"seed": ${SEED_TEXT}\\b`));
      const started = eventOrder(sim, 'started');
      const allDone = finishedAll(engine, [a, b, c, d, e]);
      sim.release();
      await allDone;
      assert.deepEqual(started, [d, a, c, e, b]);
      assert.deepEqual(rec.finished.filter((job) => job.id !== runningId).map((job) => job.status), ['completed', 'completed', 'completed', 'completed', 'completed']);
      assert.equal(enqueued.get(b), 2, 'moved twice, queued twice, ran once');
      assert.equal(enqueued.get(d), 1);
      const moved = await engine.backend('s0').lookup(d);
      assert.equal(moved?.clientId, 'browser');
      assert.equal((moved?.prompt?.['2'] as { inputs: { seed: unknown } }).inputs.seed, SEED);
    });

    test('while paused: held jobs move among themselves, Remove and Clear pending end them as cancelled', async (t) => {
      const sim = await ComfySimulator.start({ generation, stepDelayMs: 5 });
      t.after(() => sim.stop());
      const engine = await engineFor(t, [sim.url]);
      await serverConnected(engine);
      await busyServer(sim);
      const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => sim.enqueue(seededPrompt(name), { clientId: 'browser' }).promptId) as [string, string, string, string];
      await engine.settled();
      await engine.pauseQueue('s0');
      const posts: string[] = [];
      sim.events.on('request', ({ method, path }: { method: string; path: string }) => method === 'POST' && posts.push(path));
      assert.deepEqual((await engine.moveToFront('s0', [c])).done, [c]);
      assert.deepEqual(posts, [], 'held jobs move without changing the server');
      const order = (): string[] => pendingViews(engine).sort((x, y) => (x.queuePosition ?? 0) - (y.queuePosition ?? 0)).map((job) => job.id);
      assert.deepEqual(order(), [c, a, b, d]);
      await engine.moveToBack('s0', [c, a]);
      assert.deepEqual(order(), [b, d, c, a]);

      const removed = nextEvent(engine.events, 'job-finished', (job) => job.id === d);
      await engine.removePending('s0', [d]);
      assert.equal((await removed).status, 'cancelled');
      assert.equal(engine.servers()[0]?.heldJobs, 3);
      await engine.clearPending('s0');
      assert.equal(engine.servers()[0]?.heldJobs, undefined);
      assert.deepEqual(
        [a, b, c].map((id) => engine.job('s0', id)?.status),
        ['cancelled', 'cancelled', 'cancelled'],
      );
      // Still paused, with nothing to hold: resuming queues nothing.
      assert.deepEqual(await engine.resumeQueue('s0'), { done: [], skipped: [] });
      assert.deepEqual(await pendingOrder(sim), []);
    });

    test('a held job the server already has, queued or run (the app died right after queueing it again), is never queued twice', async (t) => {
      const sim = await ComfySimulator.start({ generation, stepDelayMs: 5 });
      t.after(() => sim.stop());
      const dataDir = await tempDir(t);
      let engine = await engineFor(t, [sim.url], { dataDir });
      await serverConnected(engine);
      await busyServer(sim);
      const [a, b, c] = ['a', 'b', 'c'].map((name) => sim.enqueue(seededPrompt(name), { clientId: 'browser' }).promptId) as [string, string, string];
      await engine.settled();
      await engine.pauseQueue('s0');
      await engine.stop();
      // What a crash in the middle of Resume leaves: "not paused" on disk, `a` and `b` back on the server (`b` has even
      // run since), all three still held.
      const { store } = await HeldQueueStore.open(join(dataDir, 'held-queue.json'));
      await store.setPaused('s0', false, Date.now());
      sim.enqueue(seededPrompt('b'), { clientId: 'browser', promptId: b, front: true });
      sim.release();
      await simEvent(sim, 'finished', b);
      sim.hold();
      sim.enqueue(seededPrompt('a'), { clientId: 'browser', promptId: a });
      const enqueued = countEvents(sim, 'enqueued');
      engine = await engineFor(t, [sim.url], { dataDir });
      await serverConnected(engine);
      await engine.settled();
      assert.equal(engine.servers()[0]?.heldJobs, undefined, 'nothing held any more');
      assert.deepEqual(await pendingOrder(sim), [a, c]);
      assert.equal(enqueued.get(a), undefined, 'a was queued already: not again');
      assert.equal(enqueued.get(b), undefined, 'b had run: not again');
      assert.equal(enqueued.get(c), 1);
    });
  });
}

test('a server that does not give out queued prompts cannot be steered: QUEUE_STEERING_UNSUPPORTED, nothing deleted', async (t) => {
  const { backend, engine } = await connectedEngine(t);
  backend.pending.push({ id: 'p1', status: 'pending', priority: 1 });
  await engine.settled();
  let deleted = 0;
  backend.removePending = async () => void deleted++;
  for (const action of [() => engine.pauseQueue('fake'), () => engine.moveToFront('fake', ['p1']), () => engine.moveToBack('fake', ['p1'])]) {
    await assert.rejects(action(), (error: unknown) => errorCode(error) === 'QUEUE_STEERING_UNSUPPORTED');
  }
  assert.equal(deleted, 0);
  assert.equal(engine.servers()[0]?.queuePaused, undefined, 'a refused pause is not recorded as paused');
});

test('placements: below every queued number for the front, above for the back, in the targets\' order; flags without numbers', () => {
  const job = (id: string, priority?: number) => ({ id, status: 'pending' as const, ...(priority !== undefined && { priority }) });
  const queued = [job('x', -28), job('y', 24), job('z', 25.5)];
  assert.deepEqual(placementsFor([job('y'), job('z')], queued, 'front'), [
    { kind: 'number', number: -30 },
    { kind: 'number', number: -29 },
  ]);
  assert.deepEqual(placementsFor([job('x'), job('y')], queued, 'back'), [
    { kind: 'number', number: 27 },
    { kind: 'number', number: 28 },
  ]);
  assert.deepEqual(placementsFor([job('a')], [job('a'), job('b')], 'front'), [{ kind: 'front' }]);
  assert.deepEqual(placementsFor([job('a')], [job('a'), job('b')], 'back'), [{ kind: 'append' }]);
});
