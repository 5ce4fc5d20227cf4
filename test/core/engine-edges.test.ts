// Sharp edges of the protocol, at engine level against the simulated ComfyUI of both generations: fully cached
// re-runs, history entries evicted before or while we look, previews, removing queued jobs and jumping the queue.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Engine } from '../../electron/core/engine.js';
import type { JobView } from '../../electron/shared/app-state.js';
import { ComfySimulator, type SimGeneration } from '../support/comfy-simulator.js';
import { engineFor, serverConnected } from '../support/connect.js';
import { nextEvent, nextNodeEvent, record, tempDir } from '../support/events.js';

/** Always the same prompt: a second run is fully cached. */
const SAME = {
  '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 4242 } },
  '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'cached' } },
};
const STEPS = (steps: number, tag: string) => ({
  '1': { class_type: 'SimSteps', inputs: { steps } },
  '2': { class_type: 'SimOutput', inputs: { filename: `${tag}.png` } },
});

function finishedOf(engine: Engine, id: string): Promise<JobView> {
  return nextEvent(engine.events, 'job-finished', (job) => job.id === id, 20_000);
}

function simFinished(sim: ComfySimulator, id: string): Promise<unknown> {
  return nextNodeEvent<{ promptId: string }>(sim.events, 'finished', (e) => e.promptId === id, 20_000);
}

/** Drops the job's history entry the moment the server writes it: nobody can have read it. */
function evictOnFinish(sim: ComfySimulator, id: string): void {
  const listener = (e: { promptId: string }): void => {
    if (e.promptId !== id) return;
    sim.evictHistory(id);
    sim.events.off('finished', listener);
  };
  sim.events.on('finished', listener);
}

for (const generation of ['modern', 'legacy'] as SimGeneration[]) {
  describe(`engine edges on a ${generation} server`, () => {
    test('a fully cached re-run completes once, with the files of the first run', async (t) => {
      const sim = await ComfySimulator.start({ generation });
      t.after(() => sim.stop());
      const engine = await engineFor(t, [sim.url]);
      const rec = record(engine.events);
      await serverConnected(engine);
      const { promptId: first } = await engine.submit('s0', { prompt: SAME });
      const original = await finishedOf(engine, first);
      const { promptId: again } = await engine.submit('s0', { prompt: SAME });
      const rerun = await finishedOf(engine, again);
      await engine.settled();
      assert.equal(rerun.status, 'completed');
      assert.equal(original.outputs.length, 1);
      assert.deepEqual(
        rerun.outputs.map((o) => [o.filename, o.subfolder, o.type]),
        original.outputs.map((o) => [o.filename, o.subfolder, o.type]),
        'no new files: the server hands back the first run’s',
      );
      assert.deepEqual(rec.finishedIds(), [first, again]);
    });

    test('another client’s job whose record is evicted the moment it ends is lost, once', async (t) => {
      const sim = await ComfySimulator.start({ generation, stepDelayMs: 10 });
      t.after(() => sim.stop());
      const engine = await engineFor(t, [sim.url]);
      const rec = record(engine.events);
      await serverConnected(engine);
      const { promptId } = sim.enqueue(STEPS(20, 'evicted'), { clientId: 'browser' });
      await nextEvent(engine.events, 'job', (job) => job.id === promptId && job.status === 'running');
      evictOnFinish(sim, promptId);
      const job = await finishedOf(engine, promptId);
      await engine.settled();
      assert.equal(job.status, 'lost');
      assert.equal(job.lostReason, 'vanished');
      assert.deepEqual(rec.finishedIds(), [promptId]);
    });

    test('our own job whose record is evicted still completes, with what the socket told', async (t) => {
      const sim = await ComfySimulator.start({ generation, stepDelayMs: 5 });
      t.after(() => sim.stop());
      const engine = await engineFor(t, [sim.url]);
      const rec = record(engine.events);
      await serverConnected(engine);
      const { promptId } = await engine.submit('s0', { prompt: STEPS(3, 'ours') });
      evictOnFinish(sim, promptId);
      const job = await finishedOf(engine, promptId);
      await engine.settled();
      assert.equal(job.status, 'completed');
      assert.deepEqual(job.outputs.map((o) => o.filename), ['ours.png']);
      assert.deepEqual(rec.finishedIds(), [promptId]);
    });

    test('regression: other clients’ jobs that ended while we were away and were evicted are lost, once, as caught up', async (t) => {
      const sim = await ComfySimulator.start({ generation, stepDelayMs: 5 });
      t.after(() => sim.stop());
      const dataDir = await tempDir(t);
      const first = await engineFor(t, [sim.url], { dataDir });
      await serverConnected(first);
      // A job seen finishing: its record tells the next start that the server did not restart meanwhile.
      const warm = sim.enqueue(STEPS(1, 'warm'), { clientId: 'browser' }).promptId;
      await finishedOf(first, warm);
      const running = sim.enqueue(STEPS(50, 'running'), { clientId: 'browser' }).promptId;
      await nextNodeEvent<{ promptId: string }>(sim.events, 'started', (e) => e.promptId === running);
      sim.hold();
      const waiting = sim.enqueue(STEPS(1, 'waiting'), { clientId: 'browser' }).promptId;
      await nextEvent(first.events, 'job', (job) => job.id === waiting && job.status === 'pending');
      await first.settled();
      assert.equal(first.job('s0', running)?.status, 'running');
      await first.stop();

      // While the app is closed both end, and their records are evicted.
      evictOnFinish(sim, running);
      evictOnFinish(sim, waiting);
      const done = Promise.all([simFinished(sim, running), simFinished(sim, waiting)]);
      sim.release();
      await done;

      const second = await engineFor(t, [sim.url], { dataDir });
      const rec = record(second.events);
      // Unknown to the server, each is looked for twice before it is declared gone.
      const gone = Promise.all([finishedOf(second, running), finishedOf(second, waiting)]);
      await serverConnected(second);
      await gone;
      await second.settled();
      // A job that was still queued when we left may have run: without a record, nobody can say it was cancelled.
      assert.deepEqual(
        rec.finished.map((job) => [job.id, job.status, job.lostReason, job.caughtUp]).sort(),
        [
          [running, 'lost', 'vanished', true],
          [waiting, 'lost', 'vanished', true],
        ].sort(),
      );
      assert.equal(rec.digests.length, 1);
    });

    test('the latest preview image reaches the job it belongs to', async (t) => {
      const sim = await ComfySimulator.start({ generation, stepDelayMs: 20, previews: true });
      t.after(() => sim.stop());
      const engine = await engineFor(t, [sim.url]);
      await serverConnected(engine);
      sim.hold();
      const { promptId } = await engine.submit('s0', { prompt: STEPS(30, 'previewed') });
      const preview = nextEvent(engine.events, 'preview', (p) => p.jobId === promptId);
      const shown = nextEvent(engine.events, 'job', (job) => job.id === promptId && (job.previewVersion ?? 0) >= 1);
      sim.release();
      const event = await preview;
      const view = await shown;
      assert.equal(view.status, 'running');
      const latest = engine.latestPreview('s0', promptId);
      assert.equal(latest?.mime, 'image/jpeg');
      assert.ok(latest.image.length > 0);
      assert.deepEqual(latest.image.subarray(0, 2), Buffer.from([0xff, 0xd8]), 'JPEG bytes, not the frame header');
      assert.equal(event.mime, 'image/jpeg');
      await engine.cancel('s0', promptId);
    });

    test('removing queued jobs, and a job submitted with `front` that runs before the rest', async (t) => {
      const sim = await ComfySimulator.start({ generation, stepDelayMs: 1 });
      t.after(() => sim.stop());
      const engine = await engineFor(t, [sim.url]);
      const rec = record(engine.events);
      await serverConnected(engine);
      sim.hold();
      const ids: string[] = [];
      for (const tag of ['a', 'b', 'c']) ids.push((await engine.submit('s0', { prompt: STEPS(1, tag) })).promptId);
      const [a, b, c] = ids as [string, string, string];
      const removed = finishedOf(engine, b);
      await engine.removePending('s0', [b]);
      assert.equal((await removed).status, 'cancelled');

      const { promptId: first } = await engine.submit('s0', { prompt: STEPS(1, 'front'), front: true });
      await engine.settled();
      assert.equal(engine.job('s0', first)?.queuePosition, 1);
      assert.equal(engine.job('s0', a)?.queuePosition, 2);
      assert.equal(engine.job('s0', c)?.queuePosition, 3);

      const started: string[] = [];
      sim.events.on('started', (e: { promptId: string }) => started.push(e.promptId));
      const allDone = Promise.all([a, c, first].map((id) => finishedOf(engine, id)));
      sim.release();
      await allDone;
      assert.deepEqual(started, [first, a, c]);
      await engine.settled();
      assert.deepEqual(rec.finishedIds().sort(), [a, b, c, first].sort());
    });
  });
}
