// Drop → preflight → submit → live progress → completed, end to end over the simulated ComfyUI server, for the
// three ways a workflow arrives (API JSON, UI JSON, a PNG carrying both), plus the ways it must not run.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { ComfyBackend } from '../../../electron/core/backends/comfyui/comfy-backend.js';
import type { Engine } from '../../../electron/core/engine.js';
import { SubmitError } from '../../../electron/core/submit/errors.js';
import { prepareSubmission } from '../../../electron/core/submit/prepare.js';
import { submitPrepared } from '../../../electron/core/submit/submit.js';
import { ComfySimulator, readPngText } from '../../support/comfy-simulator.js';
import { engineFor, serverConnected } from '../../support/connect.js';
import { nextEvent } from '../../support/events.js';
import { png } from '../workflow/support/encoders.js';

async function setup(t: { after: (fn: () => Promise<void>) => void }): Promise<{ sim: ComfySimulator; engine: Engine }> {
  const sim = await ComfySimulator.start({ stepDelayMs: 1 });
  t.after(() => sim.stop());
  const engine = await engineFor(t, [sim.url]);
  await serverConnected(engine);
  return { sim, engine };
}

/** Fixed ids so the test can listen for a job before it is queued. */
function ids(...list: string[]): () => string {
  let i = 0;
  return () => list[i++] ?? randomUUID();
}

const API_PROMPT = {
  '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 5 }, _meta: { title: 'Canvas' } },
  '2': { class_type: 'SimSteps', inputs: { steps: 3, image: ['1', 0] } },
  '3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: 'drop' } },
};

const UI_WORKFLOW = {
  version: 0.4,
  last_node_id: 2,
  last_link_id: 1,
  nodes: [
    { id: 1, type: 'EmptyImage', mode: 0, title: 'Canvas', inputs: [], outputs: [{ name: 'IMAGE', type: 'IMAGE', links: [1] }], widgets_values: [8, 16, 1, 3] },
    { id: 2, type: 'SaveImage', mode: 0, inputs: [{ name: 'images', type: 'IMAGE', link: 1 }], outputs: [], widgets_values: ['ui'] },
  ],
  links: [[1, 1, 0, 2, 0, 'IMAGE']],
  groups: [],
  extra: {},
};

test('an API JSON is submitted as is, with live progress, to completion', { timeout: 20_000 }, async (t) => {
  const { engine } = await setup(t);
  const prepared = await prepareSubmission(engine, { json: API_PROMPT, name: 'api.json' }, 's0');
  assert.equal(prepared.origin, 'api-prompt');
  assert.deepEqual(prepared.problems, []);
  assert.deepEqual(prepared.prompts, [API_PROMPT]);
  const id = randomUUID();
  const progressed = nextEvent(engine.events, 'job', (job) => job.id === id && job.status === 'running' && job.progress?.max === 3);
  const finished = nextEvent(engine.events, 'job-finished', (job) => job.id === id);
  const outcome = await submitPrepared(engine, prepared, {}, ids(id));
  assert.equal(outcome.ok, true);
  assert.deepEqual(outcome.queued.map((q) => q.promptId), [id]);
  await progressed;
  const job = await finished;
  assert.equal(job.status, 'completed');
  assert.equal(job.submittedBy, 'this-app');
});

test('a UI JSON is converted with the server object_info and carries its workflow into saved files', { timeout: 20_000 }, async (t) => {
  const { engine } = await setup(t);
  const prepared = await prepareSubmission(engine, { bytes: Buffer.from(JSON.stringify(UI_WORKFLOW)), name: 'ui.json' }, 's0');
  assert.equal(prepared.origin, 'converted');
  assert.deepEqual(prepared.prompt, {
    '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 16, batch_size: 1, color: 3 }, _meta: { title: 'Canvas' } },
    '2': { class_type: 'SaveImage', inputs: { filename_prefix: 'ui', images: ['1', 0] }, _meta: { title: 'Save Image' } },
  });
  const id = randomUUID();
  const finished = nextEvent(engine.events, 'job-finished', (job) => job.id === id);
  await submitPrepared(engine, prepared, {}, ids(id));
  const job = await finished;
  assert.equal(job.status, 'completed');
  const output = job.outputs[0];
  assert.ok(output);
  const { body } = await engine.backend('s0').fetchOutput(output);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  const text = readPngText(Buffer.concat(chunks));
  assert.deepEqual(JSON.parse(text.workflow ?? 'null'), UI_WORKFLOW);
});

test('a dropped PNG: embedded prompt preferred; its own image uploaded for LoadImage only when allowed', { timeout: 20_000 }, async (t) => {
  const { engine } = await setup(t);
  const prompt = {
    '1': { class_type: 'LoadImage', inputs: { image: 'dropped.png' }, _meta: { title: 'Photo' } },
    '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'png' } },
  };
  const bytes = png([
    { type: 'tEXt', key: 'prompt', text: JSON.stringify(prompt) },
    { type: 'tEXt', key: 'workflow', text: JSON.stringify(UI_WORKFLOW) },
  ]);
  const prepared = await prepareSubmission(engine, { bytes, name: 'dropped.png' }, 's0');
  assert.equal(prepared.format, 'png');
  assert.equal(prepared.origin, 'api-prompt');
  assert.deepEqual(prepared.blocking, []);
  assert.deepEqual([...prepared.uploadable.keys()], ['dropped.png']);
  assert.deepEqual(prepared.problems.map((p) => [p.title, p.input]), [['Photo', 'image']]);

  await assert.rejects(submitPrepared(engine, prepared), (error: unknown) => error instanceof SubmitError && error.code === 'SUBMIT_PREFLIGHT_FAILED' && error.problems[0]?.title === 'Photo');
  assert.equal(engine.jobs('s0').length, 0, 'nothing queued');

  const id = randomUUID();
  const finished = nextEvent(engine.events, 'job-finished', (job) => job.id === id);
  const outcome = await submitPrepared(engine, prepared, { uploadInputs: true }, ids(id));
  assert.deepEqual(outcome.uploaded, [{ from: 'dropped.png', to: 'dropped.png' }]);
  assert.equal((await finished).status, 'completed');
});

test('preflight reports a missing node type and a missing checkpoint at once, per node, and queues nothing', { timeout: 20_000 }, async (t) => {
  const { engine } = await setup(t);
  const prompt = {
    '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sd15.safetensors' }, _meta: { title: 'My model' } },
    '2': { class_type: 'FancyCustomNode', inputs: { model: ['1', 0] }, _meta: { title: 'Fancy' } },
  };
  const prepared = await prepareSubmission(engine, { json: prompt }, 's0');
  assert.deepEqual(prepared.preflight.missingNodeTypes, ['FancyCustomNode']);
  assert.deepEqual(
    prepared.blocking.map((p) => [p.nodeId, p.title, p.input, p.message]),
    [
      ['1', 'My model', 'ckpt_name', 'the server does not offer "sd15.safetensors"'],
      ['2', 'Fancy', undefined, 'the server has no node type "FancyCustomNode"'],
    ],
  );
  await assert.rejects(submitPrepared(engine, prepared), (error: unknown) => error instanceof SubmitError && error.problems.length === 2);
  assert.equal(engine.jobs('s0').length, 0);
});

test('a 400 is reported per node (title, input, message), and repeats after it are not sent', { timeout: 20_000 }, async (t) => {
  const { engine } = await setup(t);
  const prompt = {
    '1': { class_type: 'LoadImage', inputs: { image: 'nowhere.png' }, _meta: { title: 'Photo' } },
    '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'x' } },
  };
  const prepared = await prepareSubmission(engine, { json: prompt }, 's0', { repeat: 3 });
  assert.equal(prepared.blocking.length, 1, 'preflight saw it too');
  const outcome = await submitPrepared(engine, prepared, { force: true });
  assert.equal(outcome.ok, false);
  assert.deepEqual(outcome.queued, []);
  assert.deepEqual(outcome.notSent, [1, 2]);
  assert.equal(outcome.failed?.code, 'SUBMIT_REJECTED');
  assert.deepEqual(
    outcome.failed?.problems.map((p) => [p.nodeId, p.title, p.input, p.message]),
    [['1', 'Photo', 'image', 'Custom validation failed for node: image - Invalid image file: nowhere.png']],
  );
});

test('repeat N queues N prompts with their own ids; a failure midway says exactly which were queued', { timeout: 20_000 }, async (t) => {
  const { sim, engine } = await setup(t);
  const prepared = await prepareSubmission(engine, { json: API_PROMPT }, 's0', { repeat: 3, front: true });
  assert.equal(prepared.prompts.length, 3);
  const wanted = [randomUUID(), randomUUID(), randomUUID()];
  const done = Promise.all(wanted.map((id) => nextEvent(engine.events, 'job-finished', (job) => job.id === id)));
  const outcome = await submitPrepared(engine, prepared, {}, ids(...wanted));
  assert.deepEqual(outcome.queued.map((q) => [q.index, q.promptId]), wanted.map((id, i) => [i, id]));
  assert.deepEqual((await done).map((job) => job.status), ['completed', 'completed', 'completed']);

  // The second POST /prompt fails: the first is queued, the third never sent.
  sim.events.on('enqueued', () => sim.failNext('/prompt', 500, 1, 'POST'));
  const partial = await submitPrepared(engine, prepared);
  assert.equal(partial.ok, false);
  assert.equal(partial.queued.length, 1);
  assert.equal(partial.failed?.index, 1);
  assert.equal(partial.failed?.code, 'SUBMIT_FAILED');
  assert.deepEqual(partial.notSent, [2]);
});

test('object_info is fetched once per server version and refetched on request', { timeout: 20_000 }, async (t) => {
  const { sim, engine } = await setup(t);
  let fetches = 0;
  sim.events.on('request', (r) => {
    if (r.path.endsWith('/object_info')) fetches++;
  });
  const backend = engine.backend('s0') as ComfyBackend;
  const first = await backend.objectInfo();
  assert.ok(first.has('KSampler'));
  assert.equal(await backend.objectInfo(), first);
  assert.equal(fetches, 1);
  await backend.objectInfo({ refresh: true });
  assert.equal(fetches, 2);
});
