import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { extractWorkflow } from '../../../electron/core/workflow/extract.js';
import { readPngMetadata } from '../../../electron/core/workflow/png.js';
import { readWebpMetadata } from '../../../electron/core/workflow/webp.js';
import { exifBlock, hostilePng, png, u32be, webp } from './support/encoders.js';
import { REAL_FIXTURES_URL } from '../../support/real-fixtures.js';

const REAL = new URL('0.28.0/', REAL_FIXTURES_URL);
const PROMPT = '{"1": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0}}}';
const WORKFLOW = '{"last_node_id": 1, "last_link_id": 0, "nodes": [], "links": [], "version": 0.4}';

test('reads prompt and workflow from a PNG written by ComfyUI 0.28', () => {
  const result = extractWorkflow(readFileSync(new URL('13_pnginfo_workflow/saved_with_workflow.png', REAL)), 'x.png');
  assert.equal(result.kind, 'comfy');
  if (result.kind !== 'comfy') return;
  assert.deepEqual(Object.keys(result.prompt ?? {}), ['1', '2']);
  assert.equal(result.prompt?.['2']?.class_type, 'SaveImage');
  assert.equal((result.workflow?.nodes as unknown[]).length, 2);
  assert.deepEqual(result.warnings, []);
});

test('a ComfyUI PNG saved without extra_pnginfo has only the prompt', () => {
  const result = extractWorkflow(readFileSync(new URL('01_basic_client_A/saved_basic.png', REAL)));
  assert.equal(result.kind, 'comfy');
  if (result.kind === 'comfy') {
    assert.equal(result.workflow, undefined);
    assert.deepEqual(result.prompt?.['3']?.inputs, { images: ['2', 0], filename_prefix: 'peer_basic' });
  }
});

test('reads tEXt, iTXt (plain and compressed), zTXt and APNG comf chunks', () => {
  const file = png(
    [
      { type: 'iTXt', key: 'prompt', text: PROMPT, compressed: true },
      { type: 'iTXt', key: 'note', text: 'ünïcödé ✓' },
      { type: 'zTXt', key: 'z', text: 'zipped' },
      { type: 'tEXt', key: 'latin', text: Buffer.of(0x63, 0x61, 0x66, 0xe9) },
    ],
    [{ type: 'comf', key: 'workflow', text: WORKFLOW }],
  );
  const read = readPngMetadata(file);
  assert.equal(read.damage, undefined);
  assert.deepEqual(read.entries, { prompt: PROMPT, note: 'ünïcödé ✓', z: 'zipped', latin: 'café', workflow: WORKFLOW });
});

test('keeps 64-bit seeds exact from embedded prompts', () => {
  const prompt = '{"3": {"class_type": "KSampler", "inputs": {"seed": 18446744073709551615}}}';
  const result = extractWorkflow(png([{ type: 'tEXt', key: 'prompt', text: prompt }]));
  assert.equal(result.kind === 'comfy' ? result.prompt?.['3']?.inputs.seed : undefined, 18446744073709551615n);
});

test('A1111 parameters are recognised as not a ComfyUI workflow', () => {
  const result = extractWorkflow(png([{ type: 'tEXt', key: 'parameters', text: 'a cat\nSteps: 20, Sampler: Euler a' }]));
  assert.equal(result.kind, 'not-comfy');
  if (result.kind === 'not-comfy') assert.equal(result.reason, 'a1111-parameters');
});

test('a PNG without metadata is reported as such', () => {
  const result = extractWorkflow(png([]));
  assert.equal(result.kind === 'error' ? result.code : result.kind, 'WORKFLOW_NO_METADATA');
});

test('damaged PNGs: truncated, huge declared lengths, broken compression — no throw, partial results kept', () => {
  const good = png([{ type: 'tEXt', key: 'prompt', text: PROMPT }, { type: 'tEXt', key: 'workflow', text: WORKFLOW }]);
  const cut = good.subarray(0, good.length - 40);
  const truncated = readPngMetadata(cut);
  assert.equal(truncated.damage?.code, 'TRUNCATED');
  assert.equal(truncated.entries.prompt, PROMPT);
  const result = extractWorkflow(cut);
  assert.equal(result.kind, 'comfy');
  if (result.kind === 'comfy') assert.match(result.warnings[0] ?? '', /TRUNCATED/);

  const huge = Buffer.from(good);
  u32be(0xfffffff0).copy(huge, 33);
  assert.equal(readPngMetadata(huge).damage?.code, 'BAD_LENGTH');
  const big = Buffer.from(good);
  u32be(0x7ffffff0).copy(big, 33);
  assert.equal(readPngMetadata(big).damage?.code, 'TRUNCATED');
  assert.deepEqual(extractWorkflow(big).kind, 'error');

  const bomb = png([{ type: 'iTXt', key: 'prompt', text: 'x'.repeat(200_000), compressed: true }]);
  assert.equal(readPngMetadata(bomb, { maxTextBytes: 1000, maxInflatedBytes: 1000, maxEntries: 10, maxScanBytes: 1000 }).damage?.code, 'TOO_LARGE');
  const broken = Buffer.from(png([{ type: 'iTXt', key: 'prompt', text: PROMPT, compressed: true }]));
  broken.fill(0xaa, 60, 80);
  assert.ok(readPngMetadata(broken).damage !== undefined);
  assert.equal(readPngMetadata(Buffer.from('not a png')).damage?.code, 'BAD_STRUCTURE');
});

// Regression: each compressed chunk was limited on its own, so hundreds of chunks each just under the limit were
// all inflated (an 8 MB file held the CPU for minutes, then ran out of memory). The file's chunks share one budget.
test('compressed chunks share one inflate budget per file: once it is spent, no other chunk is inflated', () => {
  const limits = { maxTextBytes: 1000, maxInflatedBytes: 2500, maxEntries: 100, maxScanBytes: 1 << 20 };
  const chunks = Array.from({ length: 10 }, (_, i) => ({ type: 'zTXt' as const, key: `k${i}`, text: String(i).repeat(900) }));
  const read = readPngMetadata(png(chunks), limits);
  assert.deepEqual(Object.keys(read.entries), ['k0', 'k1'], 'two chunks of 900 fit in 2500, the third does not');
  assert.equal(read.damage?.code, 'TOO_LARGE');
});

test('an 8 MB PNG of zip bombs is refused as too large (its reading cost is in docs/benchmarks.md)', () => {
  const result = extractWorkflow(hostilePng(), 'bombs.png');
  assert.equal(result.kind === 'error' ? result.code : result.kind, 'WORKFLOW_TOO_LARGE');
});

test('reading stops once the file has given a prompt and a workflow', () => {
  const limits = { maxTextBytes: 1000, maxInflatedBytes: 1000, maxEntries: 100, maxScanBytes: 1 << 20 };
  const file = png([
    { type: 'tEXt', key: 'prompt', text: PROMPT },
    { type: 'tEXt', key: 'workflow', text: WORKFLOW },
    { type: 'zTXt', key: 'later', text: 'x'.repeat(200_000) },
  ]);
  const read = readPngMetadata(file, limits);
  assert.deepEqual(read, { entries: { prompt: PROMPT, workflow: WORKFLOW } }, 'the bomb after them is never inflated');
});

test('invalid JSON in the prompt chunk is an error, not a crash', () => {
  const result = extractWorkflow(png([{ type: 'tEXt', key: 'prompt', text: '{"1": {' }]));
  assert.equal(result.kind === 'error' ? result.code : result.kind, 'WORKFLOW_INVALID_JSON');
});

test('reads WebP EXIF tags 0x0110/0x010F/0x010E, with or without the Exif prefix and capitalised keys', () => {
  for (const prefix of [false, true]) {
    const file = webp(exifBlock([[0x0110, `prompt:${PROMPT}`], [0x010f, `Workflow:${WORKFLOW}`], [0x010e, 'extra:{"a":1}']], { prefix }));
    const read = readWebpMetadata(file);
    assert.equal(read.damage, undefined);
    assert.deepEqual(read.entries, { prompt: PROMPT, workflow: WORKFLOW, extra: '{"a":1}' });
    const result = extractWorkflow(file, 'anim.webp');
    assert.equal(result.kind, 'comfy');
  }
});

test('damaged WebP files: truncated chunk, IFD beyond the block, tag offsets out of range', () => {
  const file = webp(exifBlock([[0x0110, `prompt:${PROMPT}`]]));
  assert.equal(readWebpMetadata(file.subarray(0, file.length - 10)).damage?.code, 'TRUNCATED');
  const badIfd = exifBlock([[0x0110, `prompt:${PROMPT}`]]);
  badIfd.writeUInt32LE(0x7fffffff, 4);
  assert.equal(readWebpMetadata(webp(badIfd)).damage?.code, 'BAD_LENGTH');
  const badTag = exifBlock([[0x0110, `prompt:${PROMPT}`]]);
  badTag.writeUInt32LE(0xffffff00, 18);
  assert.equal(readWebpMetadata(webp(badTag)).damage?.code, 'BAD_LENGTH');
  assert.equal(extractWorkflow(webp(undefined)).kind, 'error');
});

test('WebP EXIF text that is not UTF-8 is decoded as Latin-1', () => {
  const read = readWebpMetadata(webp(exifBlock([[0x010e, Buffer.of(0x6b, 0x3a, 0xe9, 0xff, 0)]])));
  assert.equal(read.entries.k, 'éÿ');
});
