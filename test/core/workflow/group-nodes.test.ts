// Legacy group nodes ("workflow>Name" with extra.groupNodes): golden conversions against the prompts the 2024 editor
// queued (derivations in test/fixtures/workflow/README.md), and every way a group can fail to line up.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { convertWorkflow } from '../../../electron/core/workflow/convert.js';
import type { ConvertResult } from '../../../electron/core/workflow/convert.js';
import { parseObjectInfo } from '../../../electron/core/workflow/object-info.js';
import { fixture, rawObjectInfo } from './support/object-info.js';

const info = parseObjectInfo(fixture('group-nodes.object_info.json')).info;
const NOW = new Date(2026, 0, 2, 3, 4, 5);

interface NodeJson {
  id: number;
  type: string;
  mode: number;
  title?: string;
  inputs?: Array<Record<string, unknown>>;
  outputs?: Array<Record<string, unknown>>;
  widgets_values?: unknown;
}

interface GroupJson {
  nodes: NodeJson[];
  links: unknown[][];
  external?: unknown[][];
  config?: Record<string, unknown>;
}

interface WorkflowJson {
  nodes: NodeJson[];
  links: unknown[][];
  extra: { groupNodes: Record<string, GroupJson> };
  definitions?: unknown;
}

function load(name: string): WorkflowJson {
  return fixture(`${name}.workflow.json`) as WorkflowJson;
}

function convert(workflow: WorkflowJson): ConvertResult {
  return convertWorkflow(workflow as unknown as Record<string, unknown>, info, { now: NOW });
}

function ok(result: ConvertResult): Extract<ConvertResult, { ok: true }> {
  if (!result.ok) assert.fail(result.errors.map((error) => `${error.code}: ${error.message}`).join('\n'));
  return result;
}

function refused(result: ConvertResult): { code: string; id: string | undefined; input: string | undefined; message: string } {
  if (result.ok) assert.fail('expected the conversion to be refused');
  assert.equal(result.errors.length, 1, result.errors.map((error) => error.message).join('\n'));
  const [error] = result.errors;
  return { code: error?.code ?? '', id: error?.node?.id, input: error?.node?.input, message: error?.message ?? '' };
}

function node(workflow: WorkflowJson, id: number): NodeJson {
  const found = workflow.nodes.find((candidate) => candidate.id === id);
  if (found === undefined) assert.fail(`no node ${id}`);
  return found;
}

function group(workflow: WorkflowJson, name: string): GroupJson {
  const found = workflow.extra.groupNodes[name];
  if (found === undefined) assert.fail(`no group ${name}`);
  return found;
}

function inner(workflow: WorkflowJson, name: string, index: number): NodeJson {
  const found = group(workflow, name).nodes[index];
  if (found === undefined) assert.fail(`no inner node ${index}`);
  return found;
}

function values(target: NodeJson): unknown[] {
  assert.ok(Array.isArray(target.widgets_values));
  return target.widgets_values as unknown[];
}

for (const name of ['group-sampler-v04', 'group-io-v04', 'group-primitive-reroute-v04', 'group-bypass-v04']) {
  test(`golden: ${name} converts to the prompt the editor queued`, () => {
    const result = ok(convert(load(name)));
    assert.deepEqual(result.prompt, fixture(`${name}.api.json`));
    assert.deepEqual(result.comboMisses, []);
  });
}

test('the object_info subset of the group fixtures is the real 0.28.0 recording', () => {
  const real = rawObjectInfo();
  const subset = fixture('group-nodes.object_info.json') as Record<string, unknown>;
  const recorded = Object.fromEntries(Object.keys(subset).map((name) => [name, real[name]]));
  // The recording server had no checkpoints; the fixtures add the one they use.
  (recorded as { CheckpointLoaderSimple: { input: { required: { ckpt_name: [unknown[], unknown] } } } }).CheckpointLoaderSimple.input.required.ckpt_name[0] = [
    'model.safetensors',
  ];
  assert.deepEqual(subset, recorded);
});

test('the older "workflow/Name" spelling expands the same way', () => {
  const workflow = load('group-sampler-v04');
  node(workflow, 10).type = 'workflow/Sampler';
  assert.deepEqual(ok(convert(workflow)).prompt, fixture('group-sampler-v04.api.json'));
});

test('a 2023 control value (the seed toggle\'s true/false, "fixed seed") in a group\'s control slot expands the same way', () => {
  for (const control of [true, false, 'fixed seed']) {
    const workflow = load('group-sampler-v04');
    const values = node(workflow, 10).widgets_values as unknown[];
    values[7] = control;
    assert.deepEqual(ok(convert(workflow)).prompt, fixture('group-sampler-v04.api.json'), String(control));
  }
});

test('a group node without its definition is refused, naming the node', () => {
  const workflow = load('group-sampler-v04');
  workflow.extra.groupNodes = {};
  const error = refused(convert(workflow));
  assert.equal(error.code, 'WORKFLOW_INVALID_GRAPH');
  assert.equal(error.id, '10');
  assert.match(error.message, /node "Sampler" \(#10\) is a legacy group node: its definition "Sampler" is missing from the workflow \(extra\.groupNodes\)/);
});

test('malformed definitions are refused, not thrown', () => {
  const cases: Array<(definition: GroupJson) => void> = [
    (definition) => definition.links.push([0, 0, 99, 0, 1, 'MODEL']),
    (definition) => definition.links.push('x' as unknown as unknown[]),
    (definition) => (definition.nodes[1] = 7 as unknown as NodeJson),
    (definition) => (definition.external = [['a', 0, 'VAE']]),
    (definition) => ((definition as unknown as Record<string, unknown>).nodes = 'none'),
  ];
  for (const [at, edit] of cases.entries()) {
    const workflow = load('group-sampler-v04');
    edit(group(workflow, 'Sampler'));
    const error = refused(convert(workflow));
    assert.deepEqual([error.code, error.id], ['WORKFLOW_INVALID_GRAPH', '10'], `case ${at}`);
  }
});

test('a widget count that does not match the definition is refused before any value is placed', () => {
  for (const edit of [(list: unknown[]) => list.pop(), (list: unknown[]) => list.push(1)]) {
    const workflow = load('group-sampler-v04');
    edit(values(node(workflow, 10)));
    const error = refused(convert(workflow));
    assert.equal(error.code, 'WORKFLOW_VALUE_MISMATCH');
    assert.equal(error.id, '10');
    assert.match(error.message, /saved widget values but its definition "Sampler" needs 13/);
  }
});

test('values that fit the count but not their widgets are refused, naming the widget or inner input', () => {
  const seedControl = load('group-sampler-v04');
  const list = values(node(seedControl, 10));
  list.splice(6, 2, list[7], list[6]); // control before the seed
  const control = refused(convert(seedControl));
  assert.deepEqual([control.code, control.id, control.input], ['WORKFLOW_VALUE_MISMATCH', '10', 'seed']);

  const steps = load('group-sampler-v04');
  values(node(steps, 10))[8] = 'fixed';
  const inside = refused(convert(steps));
  assert.deepEqual([inside.code, inside.id, inside.input], ['WORKFLOW_VALUE_MISMATCH', '10:4', 'steps']);

  const upload = load('group-io-v04');
  values(node(upload, 5))[1] = 42;
  const button = refused(convert(upload));
  assert.deepEqual([button.code, button.id, button.input], ['WORKFLOW_VALUE_MISMATCH', '5', 'upload']);
});

test('an inner node type the server lacks is named by its inner id', () => {
  const workflow = load('group-sampler-v04');
  inner(workflow, 'Sampler', 4).type = 'FancySampler';
  const error = refused(convert(workflow));
  assert.deepEqual([error.code, error.id], ['WORKFLOW_UNKNOWN_NODE', '10:4']);
  assert.match(error.message, /node "FancySampler" \(#10:4\) inside legacy group node "Sampler" \(#10\): the server has no node type "FancySampler"/);
});

test('inner nodes saved in a layout the editor would have mis-wired are refused', () => {
  // A newer editor saves a socket for every widget, interleaved with the node's own inputs.
  const workflow = load('group-sampler-v04');
  inner(workflow, 'Sampler', 4).inputs?.splice(1, 0, { name: 'seed', type: 'INT', link: null, widget: { name: 'seed' } });
  const error = refused(convert(workflow));
  assert.deepEqual([error.code, error.id], ['WORKFLOW_UNSUPPORTED_NODE', '10']);
  assert.match(error.message, /saved inputs of its inner node "KSampler" are not in the layout/);
});

test('names the editor would have collided (and so dropped a widget) are refused', () => {
  const workflow = load('group-sampler-v04');
  const definition = group(workflow, 'Sampler');
  const encoder = (title?: string): NodeJson => ({ ...structuredClone(inner(workflow, 'Sampler', 1)), ...(title === undefined ? {} : { title }) });
  definition.nodes.splice(3, 0, encoder(), encoder());
  definition.config = { '1': { input: { text: { name: 'CLIPTextEncode 2 text' } } } };
  const error = refused(convert(workflow));
  assert.deepEqual([error.code, error.id], ['WORKFLOW_UNSUPPORTED_NODE', '10']);
  assert.match(error.message, /same name \("CLIPTextEncode 2 text"\)/);
});

test('saved sockets that do not line up with the definition are refused', () => {
  const outputs = load('group-sampler-v04');
  node(outputs, 10).outputs?.pop();
  assert.equal(refused(convert(outputs)).code, 'WORKFLOW_UNSUPPORTED_NODE');

  const inputs = load('group-io-v04');
  const sockets = node(inputs, 5).inputs ?? [];
  sockets.splice(0, 2, sockets[1] ?? {}, sockets[0] ?? {});
  assert.match(refused(convert(inputs)).message, /saved inputs .* do not line up/);

  const byName = load('group-sampler-v04');
  node(byName, 10).widgets_values = { seed: 1 };
  assert.equal(refused(convert(byName)).code, 'WORKFLOW_UNSUPPORTED_NODE');
});

test('a muted group node is skipped whole and links from it are dropped', () => {
  const workflow = load('group-sampler-v04');
  node(workflow, 10).mode = 2;
  workflow.extra.groupNodes = {}; // never read: the editor did not expand a muted group either
  const prompt = ok(convert(workflow)).prompt;
  assert.deepEqual(Object.keys(prompt).sort(), ['11', '12']);
  assert.deepEqual(prompt['11']?.inputs, {});
});

test('inner modes apply inside; an output whose inner origin is bypassed leaves the input unset', () => {
  const workflow = load('group-sampler-v04');
  inner(workflow, 'Sampler', 4).mode = 4;
  inner(workflow, 'Sampler', 2).mode = 2;
  const prompt = ok(convert(workflow)).prompt;
  assert.deepEqual(Object.keys(prompt).sort(), ['10:0', '10:1', '10:3', '11', '12']);
  // The editor stopped at the inner origin behind a group output, without walking around bypassed nodes.
  assert.deepEqual(prompt['11']?.inputs, { vae: ['10:0', 2] });
});

test('a bypassed inner node is walked around by type; with no input of that type the input stays unset', () => {
  const workflow = load('group-io-v04');
  inner(workflow, 'Img2Img', 1).mode = 4; // VAEEncode: IMAGE in, LATENT out, so nothing matches
  const prompt = ok(convert(workflow)).prompt;
  assert.equal(prompt['5:1'], undefined);
  assert.equal(prompt['5:2']?.inputs.latent_image, undefined);
});

test('a group widget converted to an input on the group node itself takes only a primitive value', () => {
  const workflow = load('group-sampler-v04');
  const primitive: NodeJson = { id: 13, type: 'PrimitiveNode', mode: 0, outputs: [{ name: 'INT', type: 'INT', links: [4], widget: { name: 'steps' } }], widgets_values: [33, 'fixed'] };
  workflow.nodes.push(primitive);
  node(workflow, 10).inputs = [{ name: 'steps', type: 'INT', link: 4, widget: { name: 'steps' } }];
  workflow.links.push([4, 13, 0, 10, 0, 'INT']);
  assert.equal(ok(convert(workflow)).prompt['10:4']?.inputs.steps, 33);

  // Any other node there was ignored by the editor, which queued the saved value instead: not reproducible with certainty.
  primitive.type = 'EmptyLatentImage';
  primitive.widgets_values = [512, 512, 1];
  const error = refused(convert(workflow));
  assert.deepEqual([error.code, error.id, error.input], ['WORKFLOW_UNSUPPORTED_NODE', '10:4', 'steps']);
});

test('a combo primitive inside a group saves its control and filter after its value', () => {
  const workflow = load('group-primitive-reroute-v04');
  const definition = group(workflow, 'Latent');
  definition.nodes.push({ id: 0, type: 'PrimitiveNode', mode: 0, outputs: [{ name: 'COMBO', type: 'COMBO', links: [], widget: { name: 'upscale_method' } }], widgets_values: ['area', 'fixed', ''] });
  inner(workflow, 'Latent', 3).inputs?.push({ name: 'upscale_method', type: 'COMBO', link: null, widget: { name: 'upscale_method' } });
  definition.links.push([4, 0, 3, 2, 50, 'COMBO']);
  // The converted combo leaves the group's widgets; the new primitive's widget is appended after batch_size's node.
  node(workflow, 20).widgets_values = [640, 'increment', 2, 'bicubic', 'increment', '/^b/', 1.5];
  assert.equal(ok(convert(workflow)).prompt['20:3']?.inputs.upscale_method, 'bicubic');

  values(node(workflow, 20)).splice(5, 1);
  assert.equal(refused(convert(workflow)).code, 'WORKFLOW_VALUE_MISMATCH');
});

test('a primitive inside a group that reaches a widget only through a Reroute is refused', () => {
  const workflow = load('group-primitive-reroute-v04');
  const definition = group(workflow, 'Latent');
  // Primitive → Reroute → width: the old editor dropped the value instead of applying it.
  definition.nodes.push({ id: 0, type: 'Reroute', mode: 0, inputs: [{ name: '', type: '*', link: null }], outputs: [{ name: '', type: 'INT', links: [] }] });
  definition.links.splice(0, 1, [0, 0, 4, 0, 40, 'INT'], [4, 0, 1, 0, 43, 'INT']);
  const error = refused(convert(workflow));
  assert.deepEqual([error.code, error.id], ['WORKFLOW_UNSUPPORTED_NODE', '20']);
  assert.match(error.message, /PrimitiveNode inside it feeds something other than a widget/);
});

test('group nodes inside subgraphs are refused; a bypassed group needs no definition', () => {
  const nested = load('group-sampler-v04');
  const outer = node(nested, 10);
  nested.definitions = {
    subgraphs: [{ id: 'sub-1', name: 'Wrapper', inputs: [], outputs: [], nodes: [{ ...outer, id: 1 }], links: [] }],
  };
  nested.nodes = [{ id: 2, type: 'sub-1', mode: 0, inputs: [], outputs: [] }];
  nested.links = [];
  const error = refused(convert(nested));
  assert.deepEqual([error.code, error.id], ['WORKFLOW_UNSUPPORTED_NODE', '2:1']);

  const bypassed = load('group-bypass-v04');
  bypassed.extra.groupNodes = {};
  assert.deepEqual(ok(convert(bypassed)).prompt, fixture('group-bypass-v04.api.json'));
});

test('every instance of a definition expands on its own ids and values', () => {
  const workflow = load('group-sampler-v04');
  const copy: NodeJson = { ...structuredClone(node(workflow, 10)), id: 20, outputs: [{ name: 'VAE', type: 'VAE', links: null }, { name: 'LATENT', type: 'LATENT', links: null }] };
  values(copy)[6] = 5;
  workflow.nodes.push(copy);
  const prompt = ok(convert(workflow)).prompt;
  assert.equal(prompt['10:4']?.inputs.seed, 123456789);
  assert.equal(prompt['20:4']?.inputs.seed, 5);
  assert.deepEqual(prompt['20:4']?.inputs.model, ['20:0', 0]);
});

test('"Manage group node" overrides that hide an output renumber the group outputs as in the editor', () => {
  const workflow = load('group-io-v04');
  group(workflow, 'Img2Img').config = { '0': { output: { '1': { visible: false } } } };
  const outer = node(workflow, 5);
  outer.outputs = outer.outputs?.slice(1);
  for (const link of workflow.links) if (link[1] === 5) link[2] = Number(link[2]) - 1;
  assert.deepEqual(ok(convert(workflow)).prompt, fixture('group-io-v04.api.json'));
});

test('a FLOAT primitive inside a group has no control value (the 2024 FLOAT widget ignored the flag)', () => {
  const workflow = load('group-primitive-reroute-v04');
  const definition = group(workflow, 'Latent');
  definition.nodes.push({ id: 0, type: 'PrimitiveNode', mode: 0, outputs: [{ name: 'FLOAT', type: 'FLOAT', links: [], widget: { name: 'scale_by' } }], widgets_values: [2, 'fixed'] });
  definition.links.push([4, 0, 3, 1, 60, 'FLOAT']);
  const outer = node(workflow, 20);
  // scale_by is now wired inside, so the group loses that widget and its socket, and gains the primitive's widget.
  outer.inputs = [];
  outer.widgets_values = [640, 'increment', 2, 'bislerp', 1.75];
  workflow.links = workflow.links.filter((link) => link[3] !== 20);
  assert.equal(ok(convert(workflow)).prompt['20:3']?.inputs.scale_by, 1.75);
});

test('mutated group definitions and group nodes are refused or converted, never thrown', { timeout: 60_000 }, () => {
  const base = load('group-io-v04');
  const targets: Array<{ parent: Record<string, unknown>; key: string }> = [];
  const walk = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    const parent = value as Record<string, unknown>;
    for (const [key, item] of Object.entries(parent)) {
      targets.push({ parent, key });
      walk(item);
    }
  };
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(), fc.jsonValue({ maxDepth: 2 })), { minLength: 1, maxLength: 4 }), (edits) => {
      const workflow = structuredClone(base);
      targets.length = 0;
      walk(workflow.extra.groupNodes);
      walk(node(workflow, 5));
      for (const [at, value] of edits) {
        const target = targets[at % targets.length];
        if (target !== undefined) target.parent[target.key] = value;
      }
      const result = convert(workflow);
      if (!result.ok) assert.ok(result.errors.every((error) => error.message.length > 0));
    }),
    { numRuns: 500 },
  );
});
