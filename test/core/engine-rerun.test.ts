// Re-running a job: the server's stored prompt queued again as a new job of this app, digit for digit, with its UI
// workflow; a clear, coded refusal when the server no longer has the prompt.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { Engine } from '../../electron/core/engine.js';
import { errorCode } from '../../electron/core/errors.js';
import type { JobView } from '../../electron/shared/app-state.js';
import { ComfySimulator, type SimGeneration } from '../support/comfy-simulator.js';
import { engineFor, serverConnected } from '../support/connect.js';
import { nextEvent } from '../support/events.js';

const SEED = 18446744073709551615n;
const PROMPT = {
  '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 7 } },
  '2': { class_type: 'SimSteps', inputs: { steps: 2, seed: SEED, image: ['1', 0] }, _meta: { title: 'Sampler' } },
  '3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: 'rerun' } },
};
const WORKFLOW = { extra: { name: 'Night city' }, nodes: [{ id: 1, type: 'EmptyImage' }], links: [] };

function finished(engine: Engine, id: string): Promise<JobView> {
  return nextEvent(engine.events, 'job-finished', (job) => job.id === id, 20_000);
}

async function historyText(sim: ComfySimulator, id: string): Promise<string> {
  return (await fetch(`${sim.url}api/history/${id}`)).text();
}

for (const generation of ['modern', 'legacy'] as SimGeneration[]) {
  describe(`re-run on a ${generation} server`, () => {
    test('a finished job runs again as a new job of this app with the same prompt and workflow', async (t) => {
      const sim = await ComfySimulator.start({ generation });
      t.after(() => sim.stop());
      const engine = await engineFor(t, [sim.url]);
      await serverConnected(engine);
      // Queued by another client: re-running makes it ours.
      const { promptId: original } = sim.enqueue(PROMPT, { clientId: 'browser', extraData: { extra_pnginfo: { workflow: WORKFLOW } } });
      assert.equal((await finished(engine, original)).submittedBy, 'other');

      const result = await engine.rerun('s0', original);
      assert.notEqual(result.promptId, original);
      assert.deepEqual(result.nodeErrors, []);
      const job = await finished(engine, result.promptId);
      assert.equal(job.status, 'completed');
      assert.equal(job.submittedBy, 'this-app');
      assert.equal(job.workflowName, 'Night city');
      assert.match(job.outputs[0]?.filename ?? '', /^rerun_\d{5}_\.png$/);

      const before = await engine.backend('s0').lookup(original);
      const after = await engine.backend('s0').lookup(result.promptId);
      assert.deepEqual(after?.prompt, before?.prompt);
      assert.deepEqual(after?.workflow, WORKFLOW);
      assert.equal((after?.prompt?.['2'] as { inputs: { seed: unknown } }).inputs.seed, SEED);
      assert.match(await historyText(sim, result.promptId), /"seed": ?18446744073709551615\b/, 'the 64-bit seed digit for digit');
    });

    test('a job the server no longer has cannot run again: JOB_PROMPT_UNAVAILABLE', async (t) => {
      const sim = await ComfySimulator.start({ generation });
      t.after(() => sim.stop());
      const engine = await engineFor(t, [sim.url]);
      await serverConnected(engine);
      const { promptId } = await engine.submit('s0', { prompt: PROMPT });
      assert.equal((await finished(engine, promptId)).status, 'completed');
      sim.evictHistory(promptId);
      const queued = sim.requestCount('/api/prompt') + sim.requestCount('/prompt');

      for (const id of [promptId, randomUUID(), '', 'x'.repeat(500)]) {
        await assert.rejects(engine.rerun('s0', id), (error: unknown) => {
          assert.equal(errorCode(error), 'JOB_PROMPT_UNAVAILABLE', String(error));
          assert.match((error as Error).message, /.{20,}/);
          return true;
        });
      }
      await assert.rejects(engine.rerun('s0', promptId), /no longer has the prompt/);
      assert.equal(sim.requestCount('/api/prompt') + sim.requestCount('/prompt'), queued, 'nothing was queued');
      await assert.rejects(engine.rerun('nope', promptId), (error: unknown) => errorCode(error) === 'CONFIG_INVALID');
    });
  });
}

test('a job still queued is refused with a message that says why', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const engine = await engineFor(t, [sim.url]);
  await serverConnected(engine);
  sim.hold();
  const { promptId } = await engine.submit('s0', { prompt: PROMPT });
  await assert.rejects(engine.rerun('s0', promptId), (error: unknown) => {
    assert.equal(errorCode(error), 'JOB_PROMPT_UNAVAILABLE');
    assert.match((error as Error).message, /still queued or running/);
    return true;
  });
});
