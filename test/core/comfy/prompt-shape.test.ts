// Node tables shared between the prompts of one workflow, and the signatures hashed once per shared table
// (jobs/workflow-signature.ts relies on a shared table meaning the same signature): never a wrong one, whatever the
// prompts hold.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { promptShape } from '../../../electron/core/comfy/prompt-shape.js';
import { sharedWorkflowSignature, workflowSignature } from '../../../electron/core/jobs/workflow-signature.js';

/** The table as built from scratch, for comparison. */
function freshTable(prompt: Record<string, unknown>): Record<string, { type: string; title?: string }> {
  const nodes: Record<string, { type: string; title?: string }> = {};
  for (const [id, node] of Object.entries(prompt)) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) continue;
    const { class_type: type, _meta: meta } = node as { class_type?: unknown; _meta?: { title?: unknown } };
    if (typeof type !== 'string') continue;
    const title = meta !== null && typeof meta === 'object' ? meta.title : undefined;
    nodes[id] = typeof title === 'string' ? { type, title } : { type };
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
