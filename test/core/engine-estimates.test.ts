// Duration estimates end to end: earlier completed runs of the same workflow on the same server tell how long a
// queued or running job will take; runs the cache did for free do not count; the history outlives the engine.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Engine } from '../../electron/core/engine.js';
import { median } from '../../electron/core/jobs/duration-estimate.js';
import { workflowSignature } from '../../electron/core/comfy/workflow-signature.js';
import type { JobView } from '../../electron/shared/app-state.js';
import { ComfySimulator } from '../support/comfy-simulator.js';
import { engineFor, serverConnected } from '../support/connect.js';
import { nextEvent, tempDir } from '../support/events.js';

/** One workflow; `delayMs` and `color` are widget values (run time, and whether the server can reuse node 1). */
const FLOW = (delayMs: number, color: number, steps = 4) => ({
  '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color } },
  '2': { class_type: 'SimSteps', inputs: { steps, stepDelayMs: delayMs, image: ['1', 0] }, _meta: { title: 'Work' } },
});
const SIGNATURE = workflowSignature(FLOW(0, 0))!;
/** Another workflow: one node more. */
const OTHER = (color: number) => ({ ...FLOW(5, color), '3': { class_type: 'ImageInvert', inputs: { image: ['1', 0] } } });

async function run(engine: Engine, prompt: Record<string, unknown>): Promise<JobView> {
  const { promptId } = await engine.submit('s0', { prompt });
  const finished = await nextEvent(engine.events, 'job-finished', (job) => job.id === promptId, 20_000);
  assert.equal(finished.status, 'completed');
  assert.ok(finished.durationMs !== undefined);
  assert.equal(finished.estimatedDurationMs, undefined, 'finished jobs carry their duration, not an estimate');
  return finished;
}

test('a queued run of a workflow is expected to take the median of its earlier runs; another workflow has no estimate', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const engine = await engineFor(t, [sim.url]);
  await serverConnected(engine);
  const first = await run(engine, FLOW(10, 1));
  const second = await run(engine, FLOW(40, 2));
  // Execution time, not queue time: 4 steps of 10 ms and of 40 ms.
  assert.ok(first.durationMs! >= 40 && second.durationMs! >= 160, `${first.durationMs} / ${second.durationMs}`);
  const expected = median([first.durationMs!, second.durationMs!]);

  sim.hold();
  const announced = nextEvent(engine.events, 'job', (job) => job.status === 'pending' && job.estimatedDurationMs !== undefined);
  const { promptId: third } = await engine.submit('s0', { prompt: FLOW(20, 3) });
  assert.equal((await announced).id, third, 'the queued job is announced with its estimate');
  assert.equal(engine.job('s0', third)?.estimatedDurationMs, expected);
  const { promptId: other } = await engine.submit('s0', { prompt: OTHER(4) });
  await engine.settled();
  assert.equal(engine.job('s0', third)?.estimatedDurationMs, expected, 'still there after reconciliation');
  assert.equal(engine.job('s0', other)?.status, 'pending');
  assert.equal(engine.job('s0', other)?.estimatedDurationMs, undefined);

  // Still expected while it runs.
  const running = nextEvent(engine.events, 'job', (job) => job.id === third && job.status === 'running');
  sim.release();
  assert.equal((await running).estimatedDurationMs, expected);
});

test('a job another client queued on a legacy server gets the estimate of its workflow too', async (t) => {
  const sim = await ComfySimulator.start({ generation: 'legacy' });
  t.after(() => sim.stop());
  const engine = await engineFor(t, [sim.url]);
  await serverConnected(engine);
  const first = await run(engine, FLOW(10, 1));
  await engine.settled();
  sim.hold();
  const { promptId } = sim.enqueue(FLOW(10, 9), { clientId: 'browser-tab' });
  const seen = await nextEvent(engine.events, 'job', (job) => job.id === promptId && job.status === 'pending');
  assert.equal(seen.submittedBy, 'other');
  assert.equal(engine.job('s0', promptId)?.estimatedDurationMs, first.durationMs);
});

test('a re-queued identical prompt (every node cached) teaches nothing; a running job is estimated from runs that cached as much', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const engine = await engineFor(t, [sim.url]);
  await serverConnected(engine);
  const full = await run(engine, FLOW(50, 1));
  const again = await run(engine, FLOW(50, 1));
  assert.ok(again.durationMs! < full.durationMs!, 'served from the cache');
  assert.deepEqual(engine.durations.samples('s0', SIGNATURE).map((s) => s.ms), [full.durationMs], 'the cached re-run is not a sample');

  // Same image (node 1 cached), faster sampler: a run that cached one node.
  const partial = await run(engine, FLOW(10, 1));
  assert.deepEqual(engine.durations.samples('s0', SIGNATURE).map((s) => [s.ms, s.cached]), [
    [full.durationMs, 0],
    [partial.durationMs, 1],
  ]);

  sim.hold();
  const { promptId } = await engine.submit('s0', { prompt: FLOW(30, 1) });
  await nextEvent(engine.events, 'job', (job) => job.id === promptId && job.status === 'pending');
  assert.equal(engine.job('s0', promptId)?.estimatedDurationMs, median([full.durationMs!, partial.durationMs!]), 'queued: every run');
  // Once it starts, the server says node 1 is cached: only the run that cached one node predicts it.
  const narrowed = nextEvent(engine.events, 'job', (job) => job.id === promptId && job.estimatedDurationMs === partial.durationMs);
  sim.release();
  assert.equal((await narrowed).status, 'running');
});

test('estimates survive an engine restart', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const dataDir = await tempDir(t);
  const first = await engineFor(t, [sim.url], { dataDir });
  await serverConnected(first);
  const a = await run(first, FLOW(10, 1));
  const b = await run(first, FLOW(30, 2));
  sim.hold();
  const { promptId: waiting } = await first.submit('s0', { prompt: FLOW(10, 3) });
  await first.stop();
  const saved = JSON.parse(await readFile(join(dataDir, 'durations.json'), 'utf8')) as { servers: Record<string, Record<string, unknown[]>> };
  assert.equal(Object.values(saved.servers.s0 ?? {}).flat().length, 2);

  const second = await engineFor(t, [sim.url], { dataDir, start: false });
  // Before any contact with the server, the job waiting from last time already shows it.
  assert.equal(second.job('s0', waiting)?.estimatedDurationMs, median([a.durationMs!, b.durationMs!]));
  second.start();
  await serverConnected(second);
  const { promptId } = await second.submit('s0', { prompt: FLOW(10, 4) });
  assert.equal(second.job('s0', promptId)?.estimatedDurationMs, median([a.durationMs!, b.durationMs!]));
});

test('a damaged history file costs the estimates, never the start', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const dataDir = await tempDir(t);
  await writeFile(join(dataDir, 'durations.json'), '{"version":1,"servers":');
  const engine = await engineFor(t, [sim.url], { dataDir });
  assert.ok(engine.warnings.some((w) => /run-time history was unreadable/.test(w)), engine.warnings.join('; '));
  await serverConnected(engine);
  const done = await run(engine, FLOW(5, 1));
  sim.hold();
  const { promptId } = await engine.submit('s0', { prompt: FLOW(5, 2) });
  assert.equal(engine.job('s0', promptId)?.estimatedDurationMs, done.durationMs);
});
