import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApiPrompt } from '../../../electron/core/workflow/classify-json.js';
import { parseObjectInfo } from '../../../electron/core/workflow/object-info.js';
import { preflightPrompt } from '../../../electron/core/workflow/preflight.js';
import { randomValue, randomizeSeeds, repeatPrompt } from '../../../electron/core/workflow/seeds.js';
import { realObjectInfo } from './support/object-info.js';

const info = realObjectInfo(['sd15.safetensors']);

const prompt: ApiPrompt = {
  '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sdxl.safetensors' }, _meta: { title: 'My model' } },
  '2': { class_type: 'LoadImage', inputs: { image: 'cat.png' }, _meta: { title: 'Photo' } },
  '3': { class_type: 'LoadImage', inputs: { image: 'example.png [input]' } },
  '4': { class_type: 'FancyCustomNode', inputs: {}, _meta: { title: 'Fancy' } },
  '5': { class_type: 'FancyCustomNode', inputs: {} },
  '6': { class_type: 'KSampler', inputs: { seed: 1, steps: 0, cfg: 8, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['1', 0] }, _meta: { title: 'Sampler' } },
};

test('reports every problem at once, per node by title', () => {
  const report = preflightPrompt(prompt, info);
  assert.equal(report.ok, false);
  assert.deepEqual(
    report.findings.map((finding) => [finding.kind, finding.node.title, finding.node.input]),
    [
      ['missing-combo-value', 'My model', 'ckpt_name'],
      ['missing-input-file', 'Photo', 'image'],
      ['missing-node-type', 'Fancy', undefined],
      ['missing-node-type', 'FancyCustomNode', undefined],
      ['invalid-value', 'Sampler', 'steps'],
    ],
  );
  assert.deepEqual(report.missingNodeTypes, ['FancyCustomNode']);
  assert.deepEqual(report.missingInputFiles, ['cat.png']);
});

test('uses the server input file list when given', () => {
  const report = preflightPrompt({ '2': prompt['2']!, '3': prompt['3']! }, info, { inputFiles: ['cat.png'] });
  assert.deepEqual(report.missingInputFiles, ['example.png']);
});

test('a clean prompt passes; both combo spellings are understood', () => {
  const small = parseObjectInfo({
    A: { input: { required: { x: ['COMBO', { options: ['p', 'q'] }], y: [['r', 's'], {}] } }, input_order: { required: ['x', 'y'] }, output: [] },
  }).info;
  assert.equal(preflightPrompt({ '1': { class_type: 'A', inputs: { x: 'q', y: 'r' } } }, small).ok, true);
  assert.equal(preflightPrompt({ '1': { class_type: 'A', inputs: { x: 'r', y: 'r' } } }, small).findings[0]?.kind, 'missing-combo-value');
});

test('randomize follows the editor rule with the 2^50 cap', () => {
  assert.equal(randomValue({ min: 0, max: 18446744073709551615n, step: undefined }, () => 0.5), 562949953421312);
  assert.equal(randomValue({ min: 0, max: 100, step: 10 }, () => 0.99), 90);
  assert.equal(randomValue({ min: -(2 ** 60), max: 2 ** 60, step: 1 }, () => 0), -(2 ** 50));
  const randomized = randomizeSeeds(prompt, info, () => 0.25);
  assert.equal(randomized['6']?.inputs.seed, 281474976710656);
  assert.equal(prompt['6']?.inputs.seed, 1, 'the original is untouched');
  assert.equal(randomized['6']?.inputs.steps, 0);
});

test('repeat N gives N copies, fresh seeds only when asked', () => {
  const same = repeatPrompt(prompt, 3);
  assert.equal(same.length, 3);
  assert.deepEqual(same[2], prompt);
  let n = 0;
  const fresh = repeatPrompt(prompt, 2, { randomize: { info, random: () => (n++ + 1) / 10 } });
  assert.notEqual(fresh[0]?.['6']?.inputs.seed, fresh[1]?.['6']?.inputs.seed);
  assert.equal(repeatPrompt(prompt, 0).length, 1);
});
