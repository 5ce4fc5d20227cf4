import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convertWorkflow } from '../../../electron/core/workflow/convert.js';
import type { ConvertResult } from '../../../electron/core/workflow/convert.js';
import { parseJson, stringifyJson } from '../../../electron/core/json.js';
import { parseObjectInfo } from '../../../electron/core/workflow/object-info.js';
import { fixture, rawObjectInfo, realObjectInfo } from './support/object-info.js';
import { REAL_FIXTURES_URL } from '../../support/real-fixtures.js';

const info = realObjectInfo();
const NOW = new Date(2026, 0, 2, 3, 4, 5);

function convert(workflow: unknown, options = { now: NOW }): ConvertResult {
  return convertWorkflow(workflow as Record<string, unknown>, info, options);
}

function ok(result: ConvertResult): Extract<ConvertResult, { ok: true }> {
  if (!result.ok) assert.fail(result.errors.map((error) => `${error.code}: ${error.message}`).join('\n'));
  return result;
}

for (const name of ['txt2img-v04', 'subgraph-v1', 'subgraph-modes-v1', 'seed-toggle-2023-v04']) {
  test(`golden: ${name} converts to the prompt the editor would queue`, () => {
    const result = ok(convert(fixture(`${name}.workflow.json`)));
    assert.deepEqual(result.prompt, fixture(`${name}.api.json`));
    assert.deepEqual(result.comboMisses, []);
  });
}

function tiny(nodes: unknown[], links: unknown[] = []): Record<string, unknown> {
  return { nodes, links, version: 0.4 };
}

test('the real 13_pnginfo_workflow UI graph converts to the prompt ComfyUI stored beside it', async () => {
  const { extractWorkflow } = await import('../../../electron/core/workflow/extract.js');
  const { readFileSync } = await import('node:fs');
  const png = readFileSync(new URL('0.28.0/13_pnginfo_workflow/saved_with_workflow.png', REAL_FIXTURES_URL));
  const extracted = extractWorkflow(png);
  assert.equal(extracted.kind, 'comfy');
  if (extracted.kind !== 'comfy' || extracted.workflow === undefined) return;
  const result = ok(convert(extracted.workflow));
  const withoutMeta = Object.fromEntries(Object.entries(result.prompt).map(([id, node]) => [id, { class_type: node.class_type, inputs: node.inputs }]));
  assert.deepEqual(withoutMeta, extracted.prompt);
});

test('a missing control value shifts nothing: conversion is refused naming node and input', () => {
  const workflow = tiny([{ id: 3, type: 'KSampler', title: 'My sampler', mode: 0, inputs: [], outputs: [], widgets_values: [5, 20, 8, 'euler', 'normal', 1] }]);
  const result = convert(workflow);
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(result.errors[0]?.code, 'WORKFLOW_VALUE_MISMATCH');
  assert.deepEqual(result.errors[0]?.node, { id: '3', title: 'My sampler', input: 'seed' });
  assert.match(result.errors[0]?.message ?? '', /My sampler.*#3.*seed/);
});

test('values failing type, range or a combo list of another input are refused', () => {
  const base = { id: 1, type: 'KSampler', mode: 0, inputs: [], outputs: [] };
  const cases: Array<[unknown[], string]> = [
    [[1, 'fixed', 'fixed', 8, 'euler', 'normal', 1], 'steps'],
    [[1, 'fixed', 0, 8, 'euler', 'normal', 1], 'steps'],
    [[1, 'fixed', 20, 8, 'normal', 'euler', 1], 'sampler_name'],
    [[1, 'fixed', 20, 8, 'euler', 'normal', 1, 'extra'], 'denoise'],
  ];
  for (const [values, input] of cases) {
    const result = convert(tiny([{ ...base, widgets_values: values }]));
    assert.equal(result.ok, false, JSON.stringify(values));
    if (!result.ok) assert.equal(result.errors[0]?.node?.input, input, JSON.stringify(values));
  }
});

test('a checkpoint the server lacks is not a shift: converted, reported as a combo miss', () => {
  const result = ok(convert(tiny([{ id: 1, type: 'CheckpointLoaderSimple', mode: 0, inputs: [], outputs: [], widgets_values: ['other.ckpt'] }])));
  assert.deepEqual(result.comboMisses.map((miss) => [miss.node.title, miss.input, miss.value]), [['Load Checkpoint', 'ckpt_name', 'other.ckpt']]);
});

test('unknown node types are all listed; muted unknown nodes are ignored', () => {
  const result = convert(
    tiny([
      { id: 1, type: 'SetNode', mode: 0, inputs: [], outputs: [], widgets_values: ['x'] },
      { id: 2, type: 'MysteryNode', title: 'Mystery', mode: 0, inputs: [], outputs: [] },
      { id: 3, type: 'Gone', mode: 2, inputs: [], outputs: [] },
    ]),
  );
  assert.equal(result.ok, false);
  if (!result.ok) assert.deepEqual(result.errors.map((error) => [error.code, error.node?.title]), [['WORKFLOW_UNKNOWN_NODE', 'SetNode'], ['WORKFLOW_UNKNOWN_NODE', 'Mystery']]);
});

test('a legacy group node whose definition is missing is refused, not guessed (expansion: group-nodes.test.ts)', () => {
  const result = convert(tiny([{ id: 1, type: 'workflow>My group', mode: 0, inputs: [], outputs: [] }]));
  assert.equal(result.ok ? 'ok' : result.errors[0]?.code, 'WORKFLOW_INVALID_GRAPH');
  assert.match(result.ok ? '' : (result.errors[0]?.message ?? ''), /legacy group node/);
});

test('array literals are wrapped, links are not; widgets_values by name are placed by name', () => {
  const listInfo = parseObjectInfo({
    ListNode: {
      input: { required: { tags: ['COMBO', { options: ['a', 'b', 'c'], multiselect: true }], image: ['IMAGE', {}] } },
      input_order: { required: ['tags', 'image'] },
      output: [],
      display_name: 'List',
    },
    EmptyImage: rawObjectInfo().EmptyImage,
  }).info;
  const result = convertWorkflow(
    tiny(
      [
        { id: 1, type: 'EmptyImage', mode: 0, inputs: [], outputs: [{ name: 'IMAGE', type: 'IMAGE', links: [1] }], widgets_values: { height: 8, width: 16, batch_size: 1, color: 0 } },
        { id: 2, type: 'ListNode', mode: 0, inputs: [{ name: 'image', type: 'IMAGE', link: 1 }], outputs: [], widgets_values: [['a', 'c']] },
      ],
      [[1, 1, 0, 2, 1, 'IMAGE']],
    ),
    listInfo,
  );
  const prompt = ok(result).prompt;
  assert.deepEqual(prompt['1']?.inputs, { width: 16, height: 8, batch_size: 1, color: 0 });
  assert.deepEqual(prompt['2'], { class_type: 'ListNode', inputs: { tags: { __value__: ['a', 'c'] }, image: ['1', 0] }, _meta: { title: 'List' } });
  const shifted = convertWorkflow(tiny([{ id: 2, type: 'ListNode', mode: 0, inputs: [], outputs: [], widgets_values: [['a', 'z']] }]), listInfo);
  assert.deepEqual(shifted.ok ? shifted.comboMisses[0]?.value : shifted.errors, ['a', 'z']);
});

test('bypassed nodes with no input of the requested type leave the input unset; links to muted nodes are dropped', () => {
  const result = ok(
    convert(
      tiny(
        [
          { id: 1, type: 'EmptyLatentImage', mode: 2, inputs: [], outputs: [{ name: 'LATENT', type: 'LATENT', links: [1] }], widgets_values: [64, 64, 1] },
          { id: 2, type: 'VAEDecode', mode: 0, inputs: [{ name: 'samples', type: 'LATENT', link: 1 }, { name: 'vae', type: 'VAE', link: 2 }], outputs: [] },
          { id: 3, type: 'EmptyImage', mode: 4, inputs: [], outputs: [{ name: 'IMAGE', type: 'VAE', links: [2] }], widgets_values: [8, 8, 1, 0] },
        ],
        [[1, 1, 0, 2, 0, 'LATENT'], [2, 3, 0, 2, 1, 'VAE']],
      ),
    ),
  );
  assert.deepEqual(Object.keys(result.prompt), ['2']);
  assert.deepEqual(result.prompt['2']?.inputs, {});
});

test('%NodeTitle.widget% falls back from S&R name to title; slashes in looked-up values become underscores', () => {
  const result = ok(
    convert(
      tiny([
        { id: 1, type: 'CLIPTextEncode', title: 'Prompt', mode: 0, inputs: [], outputs: [], widgets_values: ['a/b'] },
        { id: 2, type: 'SaveImage', mode: 0, inputs: [], outputs: [], widgets_values: ['%Prompt.text%_%date:hh.mm%_%date:yy-M-d%_%Nope.x%'] },
      ]),
    ),
  );
  assert.equal(result.prompt['2']?.inputs.filename_prefix, 'a_b_%date:hh.mm%_26-1-2_%Nope.x%');
});

test('an old workflow without a newer optional widget gets the default, a wrong primitive value is refused', () => {
  const result = convert(
    tiny(
      [
        { id: 1, type: 'PrimitiveNode', mode: 0, outputs: [{ type: 'INT', links: [1], widget: { name: 'steps' } }], widgets_values: [0, 'fixed'] },
        { id: 2, type: 'KSampler', mode: 0, inputs: [{ name: 'steps', type: 'INT', widget: { name: 'steps' }, link: 1 }], outputs: [], widgets_values: [1, 'fixed', 20, 8, 'euler', 'normal', 1] },
      ],
      [[1, 1, 0, 2, 0, 'INT']],
    ),
  );
  assert.equal(result.ok ? 'ok' : `${result.errors[0]?.code} ${result.errors[0]?.node?.input}`, 'WORKFLOW_VALUE_MISMATCH steps');
});

test('golden: added-inputs-v04: inputs a node type gained after the workflow was saved get the value the editor gave them', () => {
  const raw = rawObjectInfo() as { CLIPLoader: { input: { required: { clip_name: [string[]] } } }; CheckpointLoaderSimple: { input: { required: { ckpt_name: [string[]] } } } };
  raw.CLIPLoader.input.required.clip_name[0] = ['clip_l.safetensors'];
  raw.CheckpointLoaderSimple.input.required.ckpt_name[0] = ['model.safetensors'];
  const result = ok(convertWorkflow(fixture('added-inputs-v04.workflow.json') as Record<string, unknown>, parseObjectInfo(raw).info, { now: NOW }));
  assert.deepEqual(result.prompt, fixture('added-inputs-v04.api.json'));
  assert.deepEqual(result.comboMisses, []);
});

test('saved values that run out at a control slot are not a shift: the rest take the editor\'s values', () => {
  const result = ok(convert(tiny([{ id: 3, type: 'KSampler', mode: 0, inputs: [], outputs: [], widgets_values: [123] }])));
  assert.deepEqual(result.prompt['3']?.inputs, { seed: 123, steps: 20, cfg: 8, sampler_name: 'euler', scheduler: 'simple', denoise: 1 });
});

test('a value the editor cannot have had is refused naming node and input; an optional one is left out as the editor did', () => {
  const refused = convertWorkflow(tiny([{ id: 7, type: 'CheckpointLoaderSimple', title: 'Base model', mode: 0, inputs: [], outputs: [] }]), realObjectInfo([]), { now: NOW });
  assert.equal(refused.ok, false);
  if (!refused.ok) {
    assert.equal(refused.errors[0]?.code, 'WORKFLOW_VALUE_MISMATCH');
    assert.deepEqual(refused.errors[0]?.node, { id: '7', title: 'Base model', input: 'ckpt_name' });
  }
  const optionalInfo = parseObjectInfo({
    Picker: { input: { required: { size: ['INT', {}] }, optional: { style: [[]] } }, input_order: { required: ['size'], optional: ['style'] }, output: [], display_name: 'Picker' },
  }).info;
  const left = ok(convertWorkflow(tiny([{ id: 1, type: 'Picker', mode: 0, inputs: [], outputs: [], widgets_values: [] }]), optionalInfo));
  assert.deepEqual(left.prompt['1']?.inputs, { size: 0 });
});

test('malformed graphs are refused, not thrown', () => {
  const result = convert({ nodes: 'x' });
  assert.equal(result.ok ? 'ok' : result.errors[0]?.code, 'WORKFLOW_INVALID_GRAPH');
});

// Regression: a big integer inside an array of widget values made the message about it throw
// "TypeError: Do not know how to serialize a BigInt" instead of refusing the value.
test('a big integer nested in a widget value is refused naming node and input; one in its place stays exact', () => {
  const text = (seed: string): string =>
    `{"nodes":[{"id":3,"type":"KSampler","title":"My sampler","mode":0,"inputs":[],"outputs":[],"widgets_values":[${seed},"fixed",20,8,"euler","normal",1]}],"links":[],"version":0.4}`;
  const nested = convert(parseJson(text('[[18446744073709551615]]'), { exactIntegers: true }));
  assert.equal(nested.ok, false);
  if (nested.ok) return;
  assert.equal(nested.errors[0]?.code, 'WORKFLOW_VALUE_MISMATCH');
  assert.deepEqual(nested.errors[0]?.node, { id: '3', title: 'My sampler', input: 'seed' });
  assert.match(nested.errors[0]?.message ?? '', /\[\[18446744073709551615\]\]/);

  const placed = ok(convert(parseJson(text('18446744073709551615'), { exactIntegers: true })));
  assert.match(stringifyJson(placed.prompt), /"seed":18446744073709551615,/);
});

test('inputs a server named "__proto__" are inputs of the prompt like any other, linked or set', () => {
  const protoInfo = parseObjectInfo({
    ...(JSON.parse('{"ProtoNode": {"input": {"required": {"__proto__": ["IMAGE", {}], "constructor": ["INT", {"default": 1}]}}, "input_order": {"required": ["__proto__", "constructor"]}, "output": [], "display_name": "Proto"}}') as Record<string, unknown>),
    EmptyImage: rawObjectInfo().EmptyImage,
  }).info;
  const result = convertWorkflow(
    tiny(
      [
        { id: 1, type: 'EmptyImage', mode: 0, inputs: [], outputs: [{ name: 'IMAGE', type: 'IMAGE', links: [1] }], widgets_values: [16, 8, 1, 0] },
        { id: 2, type: 'ProtoNode', mode: 0, inputs: [{ name: '__proto__', type: 'IMAGE', link: 1 }], outputs: [], widgets_values: [7] },
      ],
      [[1, 1, 0, 2, 0, 'IMAGE']],
    ),
    protoInfo,
  );
  const inputs = ok(result).prompt['2']?.inputs;
  assert.ok(inputs);
  assert.equal(Object.getPrototypeOf(inputs), Object.prototype);
  assert.deepEqual(Object.keys(inputs).sort(), ['__proto__', 'constructor']);
  assert.deepEqual(inputs['__proto__'], ['1', 0]);
  assert.equal(inputs['constructor'], 7);
  assert.match(stringifyJson(ok(result).prompt), /"__proto__":\["1",0\]/);
});
