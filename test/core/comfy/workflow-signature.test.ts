// The workflow signature: the prompt's shape (ids, classes, links), blind to every widget value.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { workflowSignature } from '../../../electron/core/comfy/workflow-signature.js';

const PROMPT = {
  '3': { class_type: 'KSampler', inputs: { seed: 1, steps: 20, cfg: 8, model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0] } },
  '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'a.safetensors' } },
  '5': { class_type: 'EmptyLatentImage', inputs: { width: 512, height: 512, batch_size: 1 } },
  '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a cat', clip: ['4', 1] }, _meta: { title: 'Positive' } },
  '7': { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['4', 1] } },
  '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'x', images: ['3', 0] } },
};

function variant(change: (prompt: typeof PROMPT) => void): Record<string, unknown> {
  const copy = structuredClone(PROMPT);
  change(copy);
  return copy;
}

test('widget values, titles and key order do not change the signature', () => {
  const base = workflowSignature(PROMPT);
  assert.ok(base !== undefined && base.length > 0 && base.length <= 64);
  const reworded = variant((p) => {
    p['3'].inputs.seed = 987654321;
    p['3'].inputs.steps = 30;
    p['6'].inputs.text = 'a dog in the rain';
    p['6']._meta.title = 'Renamed';
    p['4'].inputs.ckpt_name = 'b.safetensors';
  });
  assert.equal(workflowSignature(reworded), base);
  const reordered = Object.fromEntries(Object.entries(PROMPT).reverse());
  assert.equal(workflowSignature(reordered), base);
  // Integers above 2^53 arrive as bigint from exact parsing: still just a widget value.
  assert.equal(workflowSignature(variant((p) => Object.assign(p['3'].inputs, { seed: 18446744073709551615n }))), base);
});

test('another node, another class or another wiring is another workflow', () => {
  const base = workflowSignature(PROMPT);
  const added = variant((p) => Object.assign(p, { '10': { class_type: 'PreviewImage', inputs: { images: ['3', 0] } } }));
  const swapped = variant((p) => Object.assign(p['4'], { class_type: 'UNETLoader' }));
  const rewired = variant((p) => Object.assign(p['3'].inputs, { positive: ['7', 0], negative: ['6', 0] }));
  const renumbered = variant((p) => Object.assign(p, { '99': p['9'] }));
  const signatures = [base, workflowSignature(added), workflowSignature(swapped), workflowSignature(rewired), workflowSignature(renumbered)];
  assert.equal(new Set(signatures).size, signatures.length, 'all different');
});

test('anything that is not an API prompt has no signature', () => {
  for (const value of [undefined, null, 42, 'text', [], {}, { '1': { inputs: {} } }, { '1': 'node' }]) {
    assert.equal(workflowSignature(value), undefined, JSON.stringify(value));
  }
});
