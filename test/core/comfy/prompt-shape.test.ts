// Node tables shared between the prompts of one workflow, and the signatures hashed once per shared table
// (comfy/workflow-signature.ts relies on a shared table meaning the same signature): never a wrong one, whatever the
// prompts hold.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { promptShape } from '../../../electron/core/comfy/prompt-shape.js';
import { sharedWorkflowSignature, workflowSignature } from '../../../electron/core/comfy/workflow-signature.js';

/** The table as built from scratch, for comparison. */
function freshTable(prompt: Record<string, unknown>): Record<string, { type: string; title?: string }> {
  const nodes: Record<string, { type: string; title?: string }> = {};
  for (const [id, node] of Object.entries(prompt)) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) continue;
    const { class_type: type, _meta: meta } = node as { class_type?: unknown; _meta?: { title?: unknown } };
    if (typeof type !== 'string') continue;
    const title = meta !== null && typeof meta === 'object' ? meta.title : undefined;
    Object.defineProperty(nodes, id, { value: typeof title === 'string' ? { type, title } : { type }, enumerable: true, writable: true, configurable: true });
  }
  return nodes;
}

const sampler = (seed: number, title = 'KSampler') => ({
  '3': { class_type: 'KSampler', inputs: { seed, steps: 20, model: ['4', 0], positive: ['6', 0] }, _meta: { title } },
  '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'a.safetensors' } },
  '6': { class_type: 'CLIPTextEncode', inputs: { text: `prompt ${seed}`, clip: ['4', 1] } },
});

test('prompts of one workflow share one frozen table and one signature; widget values do not matter, titles and links do', () => {
  const a = promptShape(sampler(1));
  const b = promptShape(sampler(2));
  assert.ok(a && b);
  assert.equal(a.nodes, b.nodes, 'the same table object');
  assert.equal(sharedWorkflowSignature(sampler(1)), sharedWorkflowSignature(sampler(2)));
  assert.equal(sharedWorkflowSignature(sampler(2)), workflowSignature(sampler(2)));
  assert.ok(Object.isFrozen(a.nodes) && Object.isFrozen(a.nodes['3']));
  assert.deepEqual(a.nodes, freshTable(sampler(1)));
  const retitled = promptShape(sampler(3, 'Sampler'));
  assert.notEqual(retitled?.nodes, a.nodes);
  assert.equal(retitled?.nodes['3']?.title, 'Sampler');
  const rewired = sampler(4);
  rewired['3'].inputs.positive = ['4', 1];
  assert.notEqual(promptShape(rewired)?.nodes, a.nodes);
  assert.notEqual(sharedWorkflowSignature(rewired), sharedWorkflowSignature(sampler(1)));
  const elsewhere = sampler(5);
  elsewhere['3'].inputs.model = ['41', 0];
  assert.equal(sharedWorkflowSignature(elsewhere), workflowSignature(elsewhere));
  assert.notEqual(sharedWorkflowSignature(elsewhere), sharedWorkflowSignature(sampler(1)));
  assert.equal(promptShape('not a prompt'), undefined);
});

test('whatever the prompts hold, a shared shape is always the one the prompt itself gives', () => {
  // A small alphabet, so that many generated prompts collide in the cache and ids, types, titles run together.
  const text = fc.string({ unit: fc.constantFrom('a', '1', ':', 'N', 'L', '"', '\u0000'), maxLength: 3 });
  const link = fc.tuple(fc.oneof(text, fc.integer({ min: 0, max: 3 })), fc.oneof(fc.integer({ min: 0, max: 2 }), text));
  const node = fc.record(
    {
      class_type: fc.oneof(text, fc.constant(7)),
      inputs: fc.oneof(fc.dictionary(text, fc.oneof(link, text, fc.integer()), { maxKeys: 3 }), fc.constant(null)),
      _meta: fc.oneof(fc.record({ title: fc.oneof(text, fc.constant(3)) }, { requiredKeys: [] }), fc.constant('x')),
    },
    { requiredKeys: [] },
  );
  const prompt = fc.dictionary(text, fc.oneof(node, fc.constant(null)), { maxKeys: 4 });
  fc.assert(
    fc.property(prompt, (p) => {
      const shape = promptShape(p);
      assert.ok(shape);
      assert.deepEqual(shape.nodes, freshTable(p));
      assert.equal(sharedWorkflowSignature(p), workflowSignature(p));
    }),
    { numRuns: 5_000 },
  );
});

/** The rule, written plainly: the same node ids, and for each the same class type, title and links. */
function sameShapeReference(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const record = (v: unknown): Record<string, unknown> | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
  const title = (node: Record<string, unknown>): unknown => {
    const t = record(node._meta)?.title;
    return typeof t === 'string' ? t : undefined;
  };
  const isLink = (v: unknown): v is [string | number, number] => Array.isArray(v) && v.length === 2 && (typeof v[0] === 'string' || typeof v[0] === 'number') && typeof v[1] === 'number';
  const links = (node: Record<string, unknown>): Map<string, string> =>
    new Map(Object.entries(record(node.inputs) ?? {}).flatMap(([name, v]) => (isLink(v) ? [[name, `${String(v[0])}:${v[1]}`] as const] : [])));
  const ids = Object.keys(a);
  if (ids.length !== Object.keys(b).length || !ids.every((id) => Object.hasOwn(b, id))) return false;
  return ids.every((id) => {
    const [x, y] = [record(a[id]), record(b[id])];
    const [tx, ty] = [x?.class_type, y?.class_type];
    if (typeof tx !== 'string' || typeof ty !== 'string') return typeof tx !== 'string' && typeof ty !== 'string';
    if (tx !== ty || title(x!) !== title(y!)) return false;
    const [lx, ly] = [links(x!), links(y!)];
    return lx.size === ly.size && [...lx].every(([name, link]) => ly.get(name) === link);
  });
}

test('property: a prompt shares the table of the prompt before it exactly when the two have the same shape', () => {
  const text = fc.string({ unit: fc.constantFrom('a', '1', '2', 'N'), maxLength: 2 });
  const link = fc.tuple(fc.oneof(text, fc.integer({ min: 0, max: 2 })), fc.oneof(fc.integer({ min: 0, max: 1 }), text));
  const node = fc.record(
    {
      class_type: fc.oneof(fc.constantFrom('A', 'B'), fc.constant(7)),
      inputs: fc.oneof(fc.dictionary(fc.constantFrom('x', 'y', 'z'), fc.oneof(link, text, fc.integer()), { maxKeys: 3 }), fc.constant(null)),
      _meta: fc.oneof(fc.record({ title: fc.oneof(fc.constantFrom('T', 'U'), fc.constant(3)) }, { requiredKeys: [] }), fc.constant('x')),
    },
    { requiredKeys: [] },
  );
  const prompt = fc.dictionary(fc.constantFrom('1', '2', '10', 'a'), fc.oneof(node, fc.constant(null), fc.constant([1])), { maxKeys: 3 });
  // The second prompt is often the first with its widget values changed, which must share; else anything.
  const pair = prompt.chain((p) =>
    fc.tuple(
      fc.constant(p),
      fc.oneof(
        fc.constant(JSON.parse(JSON.stringify(p).replace(/"(\w)"(?=[,}\]])/g, '"$1w"')) as Record<string, unknown>),
        fc.constant(structuredClone(p)),
        // One link more (or one widget more) on a node: a link changes the shape, a widget does not.
        fc.tuple(fc.constantFrom(...Object.keys(p), 'none'), fc.constantFrom<unknown>(['1', 0], 5)).map(([id, value]) => {
          const q = structuredClone(p) as Record<string, { inputs?: unknown } | null>;
          const node = q[id];
          if (node && typeof node === 'object' && !Array.isArray(node)) node.inputs = { ...(node.inputs as object), w: value };
          return q as Record<string, unknown>;
        }),
        prompt,
      ),
    ),
  );
  fc.assert(
    fc.property(pair, ([p, q]) => {
      const first = promptShape(structuredClone(p));
      const second = promptShape(q);
      assert.equal(first?.nodes === second?.nodes, sameShapeReference(p, q));
      assert.deepEqual(second?.nodes, freshTable(q));
    }),
    { numRuns: 5_000 },
  );
});

test('node ids a server chose to hurt ("__proto__", then "type" and "title") are entries of the table like any other', () => {
  const prompt = JSON.parse('{"__proto__": {"class_type": "A", "_meta": {"title": "t"}}, "type": {"class_type": "B"}, "title": {"class_type": "C", "_meta": {"title": "u"}}}') as Record<string, unknown>;
  const shape = promptShape(prompt);
  assert.ok(shape);
  assert.deepEqual(Object.keys(shape.nodes), ['__proto__', 'type', 'title']);
  assert.deepEqual(shape.nodes, freshTable(prompt));
  assert.equal(Object.getPrototypeOf(shape.nodes), Object.prototype);
  assert.ok(sharedWorkflowSignature(prompt));
});
