// Random and mutated inputs for the readers and the JSON detection: nothing may throw, hang or allocate wildly.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { ReaderLimits } from '../../../electron/core/workflow/bytes.js';
import { classifyJsonText } from '../../../electron/core/workflow/classify-json.js';
import { extractWorkflow, readMetadata } from '../../../electron/core/workflow/extract.js';
import type { FileFormat } from '../../../electron/core/workflow/detect.js';
import { exifBlock, mkv, mp4, png, webp } from './support/encoders.js';

const LIMITS: ReaderLimits = { maxTextBytes: 1 << 20, maxInflatedBytes: 1 << 21, maxEntries: 64, maxScanBytes: 1 << 22 };
const SEEDS: Array<[FileFormat, Buffer]> = [
  ['png', png([{ type: 'tEXt', key: 'prompt', text: '{"1":{"class_type":"A","inputs":{}}}' }, { type: 'iTXt', key: 'workflow', text: '{"nodes":[]}', compressed: true }])],
  ['webp', webp(exifBlock([[0x0110, 'prompt:{}'], [0x010f, 'workflow:{"nodes":[]}']]))],
  ['isobmff', mp4([['prompt', '{}'], ['workflow', '{"nodes":[]}']])],
  ['matroska', mkv([['prompt', '{}'], ['workflow', '{"nodes":[]}']])],
];

function mutate(seed: Buffer, edits: Array<[number, number]>, cut: number): Buffer {
  const copy = Buffer.from(seed);
  for (const [at, value] of edits) copy[at % copy.length] = value;
  return copy.subarray(0, Math.max(0, copy.length - (cut % (copy.length + 1))));
}

// A reader that loops on a crafted length field shows up as this test hitting its time limit (HANG_LIMIT_MS), not as
// a timed assertion: how fast a reader is belongs to the benchmarks.
const HANG_LIMIT_MS = 60_000;

function bounded(run: () => unknown): void {
  run();
}

test('mutated PNG/WebP/ISO-BMFF/EBML files never throw or hang', { timeout: HANG_LIMIT_MS }, () => {
  const heapBefore = process.memoryUsage().heapUsed;
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: SEEDS.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      fc.nat(),
      (which, edits, cut) => {
        const [format, seed] = SEEDS[which]!;
        const file = mutate(seed, edits, cut % 4 === 0 ? cut : 0);
        bounded(() => {
          readMetadata(format, file, LIMITS);
          extractWorkflow(file, undefined, LIMITS);
        });
      },
    ),
    { numRuns: 600 },
  );
  assert.ok(process.memoryUsage().heapUsed - heapBefore < 256 * 1024 * 1024);
});

test('random bytes in every reader never throw', () => {
  const formats: FileFormat[] = ['png', 'webp', 'flac', 'mp3', 'ogg', 'isobmff', 'matroska', 'safetensors'];
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
      bounded(() => {
        for (const format of formats) readMetadata(format, bytes, LIMITS);
        extractWorkflow(bytes, 'x.png', LIMITS);
      });
    }),
    { numRuns: 400 },
  );
});

test('JSON detection never throws on arbitrary JSON-ish text', () => {
  fc.assert(
    fc.property(fc.oneof(fc.json(), fc.string(), fc.jsonValue().map((value) => JSON.stringify({ a: { class_type: 'X', inputs: value } }))), (text) => {
      bounded(() => classifyJsonText(text));
    }),
    { numRuns: 600 },
  );
});
