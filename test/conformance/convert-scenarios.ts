// `convert` of editor workflows built from the node definitions the real server lists: the CLI's API prompt must be
// exactly what the editor would queue, the server must accept it, and run it (every node here is model-free).
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../support/events.js';
import { EditorWorkflow } from './support/editor-workflow.js';
import { runCli, shown } from './support/headless-cli.js';
import { OtherClient } from './support/other-client.js';
import type { RealComfyUI } from './support/real-comfyui.js';

type TestContext = Parameters<typeof tempDir>[0];

/** Node types of the graphs below that 0.8.0 lists with a null display name (v3 schema); 0.3.54 names them all. */
const V3_TYPES = ['ImageBlur', 'ImageAddNoise', 'ImageSharpen', 'ImageFlip', 'ImageQuantize', 'RepeatImageBatch', 'EmptySD3LatentImage', 'SolidMask'];

function colour(): number {
  return Math.floor(Math.random() * 0xffffff);
}

/** Image nodes of both generations, with links through a Reroute, a PrimitiveNode on a widget, a Note, a muted node. */
function imageChain(defs: Record<string, unknown>): EditorWorkflow {
  const graph = new EditorWorkflow(defs);
  graph.note('Built from the server\'s own node definitions');
  const image = graph.add('EmptyImage', { width: 64, height: 48, batch_size: 1, color: colour() }, { title: 'Canvas' });
  const blurred = graph.add('ImageBlur', { image: image.out(), blur_radius: 2, sigma: 1.5 });
  const noisy = graph.add('ImageAddNoise', { image: blurred.out(), seed: 987654321, strength: 0.25 }, { control: 'randomize' });
  const sharp = graph.add('ImageSharpen', { image: noisy.out(), sharpen_radius: 1 });
  const flipped = graph.add('ImageFlip', { image: sharp.out(), flip_method: 'y-axis: horizontally' });
  const quantized = graph.add('ImageQuantize', { image: flipped.out(), colors: 16 });
  const width = graph.primitive('INT', 32, 'width');
  const scaled = graph.add('ImageScale', { image: quantized.out(), upscale_method: 'bilinear', width: width.out(), height: 24, crop: 'center' });
  const batch = graph.add('RepeatImageBatch', { image: scaled.out(), amount: 2 });
  const rerouted = graph.reroute(batch.out(), 'IMAGE');
  const inverted = graph.add('ImageInvert', { image: rerouted.out() });
  graph.add('SaveImage', { images: inverted.out(), filename_prefix: 'editor-chain' });
  graph.add('PreviewImage', { images: inverted.out() }, { mode: 2 });
  return graph;
}

/** A v3 latent and a mask, each to a saving node: EmptySD3LatentImage → SaveLatent, SolidMask → image → SaveImage. */
function latentAndMask(defs: Record<string, unknown>): EditorWorkflow {
  const graph = new EditorWorkflow(defs);
  const latent = graph.add('EmptySD3LatentImage', { width: 64, height: 64 });
  graph.add('SaveLatent', { samples: latent.out(), filename_prefix: 'latents/editor' });
  const mask = graph.add('SolidMask', { value: 0.5, width: 16, height: 16 });
  const image = graph.add('MaskToImage', { mask: mask.out() });
  graph.add('SaveImage', { images: image.out() }, { title: 'Mask' });
  return graph;
}

async function convertAndRun(t: TestContext, server: RealComfyUI, name: string, build: (defs: Record<string, unknown>) => EditorWorkflow): Promise<void> {
  const other = await OtherClient.connect(server.url, { withSocket: true });
  t.after(() => other.close());
  const defs = (await other.get('object_info')) as Record<string, unknown>;
  const graph = build(defs);
  const dir = await tempDir(t, 'real-convert-');
  const file = join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify(graph.workflow()));
  const run = await runCli(['convert', file, '--server', server.url]);
  assert.equal(run.code, 0, shown(run));
  assert.equal(run.stderr, '', 'no findings, no warnings');
  assert.equal(run.lines.length, 1, shown(run));
  assert.deepEqual(run.lines[0], graph.expectedPrompt());
  // The server takes it (POST /prompt answers 200 with an id) and runs it through.
  const id = await other.submit(graph.expectedPrompt());
  const terminal = await other.terminal(id);
  assert.equal(terminal.type, 'execution_success', JSON.stringify(terminal.data));
}

/**
 * As a 2023 editor saved it: seed controls hold the toggle's `true`/`false`, and nodes lack the values of inputs
 * their types gained since (the editor fills them from the definition when it loads the workflow).
 */
function savedIn2023(defs: Record<string, unknown>): EditorWorkflow {
  const graph = new EditorWorkflow(defs);
  const image = graph.add('EmptyImage', { width: 48, height: 48, batch_size: 1 }, { savedBefore: 'color' });
  const noisy = graph.add('ImageAddNoise', { image: image.out(), seed: 4242, strength: 0.3 }, { control: true });
  const seed = graph.primitive('INT', 77, 'seed', true);
  const noisier = graph.add('ImageAddNoise', { image: noisy.out(), seed: seed.out() }, { control: false, savedBefore: 'strength' });
  const sharp = graph.add('ImageSharpen', { image: noisier.out(), sharpen_radius: 2 }, { savedBefore: 'sigma' });
  graph.add('SaveImage', { images: sharp.out() }, { savedBefore: 'filename_prefix' });
  return graph;
}

/**
 * One node of every type the server lists, each with the editor's default values: what the builder cannot lay out
 * without the frontend's own code (upload widgets, v3 autogrow and dynamic inputs) is left out, and must stay rare.
 */
function everyNodeType(defs: Record<string, unknown>): { graph: EditorWorkflow; left: string[] } {
  const graph = new EditorWorkflow(defs);
  const left: string[] = [];
  for (const type of Object.keys(defs)) {
    try {
      new EditorWorkflow(defs).add(type, {}, { emptyCombo: 'model.safetensors' });
    } catch {
      left.push(type);
      continue;
    }
    graph.add(type, {}, { emptyCombo: 'model.safetensors' });
  }
  return { graph, left };
}

export function convertScenarios(server: () => RealComfyUI): void {
  test('convert: editor workflows built from /object_info (image nodes, links, a primitive, a reroute) queue as the editor would, and run', async (t) => {
    await convertAndRun(t, server(), 'image-chain', imageChain);
  });

  test('convert: v3-schema nodes (a latent, a mask) convert, are accepted and run; on 0.8.0 their display names are null', async (t) => {
    const other = await OtherClient.connect(server().url, { withSocket: false });
    const nulls = EditorWorkflow.nullDisplayNames((await other.get('object_info')) as Record<string, unknown>);
    const covered = V3_TYPES.filter((type) => nulls.includes(type));
    // The graphs must exercise what the server does: 0.8.0 leaves these names null, 0.3.54 names every node.
    assert.deepEqual(covered, server().version === '0.8.0' ? V3_TYPES : []);
    await convertAndRun(t, server(), 'latent-and-mask', latentAndMask);
  });

  test('convert: a workflow as 2023 editors saved it (seed toggles, inputs added since) queues as the editor loads it, and runs', async (t) => {
    await convertAndRun(t, server(), 'saved-in-2023', savedIn2023);
  });

  test('convert: one node of every type the server lists, with the editor\'s defaults, converts as the editor lays it out', async (t) => {
    const other = await OtherClient.connect(server().url, { withSocket: false });
    const defs = (await other.get('object_info')) as Record<string, unknown>;
    const { graph, left } = everyNodeType(defs);
    assert.ok(left.length < Object.keys(defs).length / 20, `too many node types left out: ${left.join(', ')}`);
    const dir = await tempDir(t, 'real-convert-all-');
    const file = join(dir, 'every-node-type.json');
    await writeFile(file, JSON.stringify(graph.workflow()));
    const run = await runCli(['convert', file, '--server', server().url]);
    assert.equal(run.code, 0, shown(run));
    // Models this server does not have are findings (stderr), not a reason to refuse converting.
    assert.equal(run.lines.length, 1, shown(run));
    assert.deepEqual(run.lines[0], graph.expectedPrompt());
  });
}
