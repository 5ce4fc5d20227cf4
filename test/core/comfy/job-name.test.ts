// Naming jobs from their records: the workflow's own name, this app's label, the output's filename prefix, the
// model; checked on prompts recorded from real servers (every job of theirs with a SaveImage is named after it) and
// on the shapes other clients send.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { activeFromQueue, fromHistoryBody, fromJobsApiItem } from '../../../electron/core/comfy/remote-jobs.js';
import { jobName, workflowOwnName } from '../../../electron/core/comfy/job-name.js';
import { RECORDED_VERSIONS, httpTranscript, scenarioDir, scenarios, type HttpLine } from '../../support/recorded.js';

const save = (prefix: unknown) => ({ '9': { class_type: 'SaveImage', inputs: { images: ['8', 0], filename_prefix: prefix } } });
const checkpoint = (name: string) => ({ '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: name } } });

describe('jobName', () => {
  test('the best source wins: workflow name, label, filename prefix, model, then the default prefix', () => {
    const prompt = { ...checkpoint('SDXL/sd_xl_base_1.0.safetensors'), ...save('portraits/alice') };
    assert.deepEqual(jobName({ prompt, workflow: { extra: { name: 'Night city' } }, label: 'night.png' }), { name: 'Night city', source: 'workflow' });
    assert.deepEqual(jobName({ prompt, workflow: { name: 'Top-level name' } }), { name: 'Top-level name', source: 'workflow' });
    assert.deepEqual(jobName({ prompt, workflow: { extra: {} }, label: 'night.png' }), { name: 'night.png', source: 'label' });
    assert.deepEqual(jobName({ prompt }), { name: 'portraits/alice', source: 'filename-prefix' });
    // The editor's default prefix says nothing about the workflow: the model says more.
    const defaults = { ...checkpoint('SDXL/sd_xl_base_1.0.safetensors'), ...save('ComfyUI') };
    assert.deepEqual(jobName({ prompt: defaults }), { name: 'sd_xl_base_1.0', source: 'checkpoint' });
    assert.deepEqual(jobName({ prompt: save('ComfyUI') }), { name: 'ComfyUI', source: 'default-prefix' });
    assert.deepEqual(jobName({ prompt: { '1': { class_type: 'UNETLoader', inputs: { unet_name: 'flux1-dev.sft' } } } }), { name: 'flux1-dev', source: 'checkpoint' });
    // A finished job's file, when the prompt names nothing (the file name without its counter and type).
    assert.deepEqual(jobName({ prompt: { '1': { class_type: 'SimOutput', inputs: {} } }, outputs: [{ filename: 'walk.webm' }] }), { name: 'walk', source: 'output-file' });
    assert.deepEqual(jobName({ outputs: [{ filename: 'clip_00012_.mp4' }] }), { name: 'clip', source: 'output-file' });
    assert.deepEqual(jobName({ prompt: save('ComfyUI'), outputs: [{ filename: 'ComfyUI_00042_.png' }] }), { name: 'ComfyUI', source: 'default-prefix' });
    assert.deepEqual(jobName({ prompt: save('portrait'), outputs: [{ filename: 'other.png' }] }), { name: 'portrait', source: 'filename-prefix' }, 'the prompt says more');
    assert.equal(jobName({}), undefined);
    assert.equal(jobName({ prompt: { '1': { class_type: 'EmptyImage', inputs: { width: 8 } } } }), undefined);
  });

  test('editor tokens, folders, links and control characters never reach the name', () => {
    assert.equal(jobName({ prompt: save('%date:yyyy-MM-dd%/render_') })?.name, 'render');
    assert.equal(jobName({ prompt: save('%date:yyyy-MM-dd%/') }), undefined);
    // A prefix fed by a link (a Primitive or a string node) is not text the prompt carries.
    assert.equal(jobName({ prompt: save(['12', 0]) }), undefined);
    assert.equal(jobName({ prompt: save('evil\u001b[2Jname\nsecond') })?.name, 'evil [2Jname second');
    assert.equal(jobName({ label: `  ${'x'.repeat(500)}  ` })?.name.length, 200);
    assert.equal(workflowOwnName({ extra: { name: '   ' }, name: 42 }), undefined);
  });

  test('the first output node in id order names the job, whatever order the keys came in', () => {
    const prompt = { '10': { class_type: 'SaveImage', inputs: { filename_prefix: 'second' } }, '9': { class_type: 'SaveAnimatedWEBP', inputs: { filename_prefix: 'first' } } };
    assert.equal(jobName({ prompt })?.name, 'first');
  });

  test('property: a name does not depend on the prompts named before it (the last id order and prefixes are remembered)', () => {
    // Few ids and prefixes, so that prompts repeat each other's id lists (in any order) and prefixes.
    const id = fc.constantFrom('1', '2', '9', '10', '1a', 'b', '02');
    const node = fc.record({ class_type: fc.constantFrom('SaveImage', 'CheckpointLoaderSimple'), inputs: fc.record({ filename_prefix: fc.constantFrom('a/b', '%date%/c', 'ComfyUI', '  '), ckpt_name: fc.constantFrom('m.safetensors', 'x/y.ckpt') }, { requiredKeys: [] }) });
    const prompts = fc.array(fc.dictionary(id, node, { maxKeys: 5 }), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(prompts, (list) => {
        const forward = list.map((prompt) => jobName({ prompt }));
        const backward = [...list].reverse().map((prompt) => jobName({ prompt })).reverse();
        const alone = list.map((prompt) => {
          jobName({ prompt: { '0': { class_type: 'SaveImage', inputs: { filename_prefix: 'reset' } } } });
          return jobName({ prompt: structuredClone(prompt) });
        });
        assert.deepEqual(forward, backward);
        assert.deepEqual(forward, alone);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('names of recorded jobs', () => {
  for (const version of RECORDED_VERSIONS) {
    test(`${version}: every history entry and queue item with a SaveImage prefix is named after it, the rest stay unnamed`, () => {
      let named = 0;
      let unnamed = 0;
      // Every recorded exchange, plus the server's whole history at the end of the run.
      const full: HttpLine = { method: 'GET', path: '/history', status: 200, body: JSON.parse(readFileSync(join(scenarioDir(version, '15_endpoints'), 'history_full.json'), 'utf8')) };
      for (const scenario of scenarios(version)) {
        for (const line of [...httpTranscript(version, scenario), ...(scenario === '15_endpoints' ? [full] : [])]) {
          if (line.status !== 200) continue;
          const jobs =
            line.method === 'GET' && /^\/(api\/)?history(\?|$)/.test(line.path)
              ? fromHistoryBody(line.body)
              : line.method === 'GET' && /^\/(api\/)?queue$/.test(line.path)
                ? [...activeFromQueue(line.body).running, ...activeFromQueue(line.body).pending]
                : line.method === 'GET' && /^\/api\/jobs\/[0-9a-f-]{36}$/.test(line.path)
                  ? [fromJobsApiItem(line.body)].flatMap((job) => job ?? [])
                  : [];
          for (const job of jobs) {
            const prefixes = [...JSON.stringify(line.body).matchAll(/"filename_prefix": ?"([^"]+)"/g)].map((match) => match[1]!);
            if (job.workflowName !== undefined) {
              named++;
              const name = job.workflowName;
              assert.ok(prefixes.some((prefix) => prefix.endsWith(name)), `${scenario}: ${name} came from a filename prefix`);
              assert.match(name, /peer_[a-z_]+$/, `${scenario}: ${job.id}`);
              assert.doesNotMatch(name, /^\.|[0-9a-f]{8}-/, 'never an id, never a leading ../');
            } else {
              unnamed++;
            }
          }
        }
      }
      // Both kinds occur: the recordings hold SaveImage prompts and PreviewImage/SaveImageWebsocket-only ones.
      assert.ok(named >= 10, `named ${named}`);
      assert.ok(unnamed > 0, `unnamed ${unnamed}`);
    });
  }

  test('a jobs-API record names its job from the prompt it stores', () => {
    const lines = httpTranscript('0.28.0', '13_pnginfo_workflow');
    const submitted = lines.find((line) => line.method === 'POST' && /\/prompt$/.test(line.path))?.request_body as { prompt: unknown; extra_data: unknown };
    const job = fromJobsApiItem({ id: 'x', status: 'completed', workflow: { prompt: submitted.prompt, extra_data: submitted.extra_data } });
    assert.equal(job?.workflowName, 'peer_pnginfo');
  });
});
