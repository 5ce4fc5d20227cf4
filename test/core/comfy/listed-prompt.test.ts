// What a listing's prompts give (node table, signature, name) is what parsing each of them gives, whether it was read
// through a template or parsed; and a workflow queued again and again is parsed a few times, not once per job.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { digestOfListedPrompt, digestOfPrompt } from '../../../electron/core/comfy/listed-prompt.js';
import { parseJson } from '../../../electron/core/json.js';

function python(value: unknown): string {
  return JSON.stringify(value).replaceAll('":', '": ').replaceAll(/,(?=["{[\d-])/g, ', ');
}

const sampler = (i: number, prefix: string) => ({
  '3': { inputs: { seed: 156680208700286 + i, steps: 30, cfg: 7, model: ['4', 0] }, class_type: 'KSampler', _meta: { title: 'KSampler' } },
  '4': { inputs: { ckpt_name: 'sd_xl_base_1.0.safetensors' }, class_type: 'CheckpointLoaderSimple', _meta: { title: 'Load Checkpoint' } },
  '6': { inputs: { text: `a lighthouse, variation ${i} "${'é'.repeat(i % 3)}"`, clip: ['4', 1] }, class_type: 'CLIPTextEncode', _meta: { title: 'Positive' } },
  '9': { inputs: { filename_prefix: prefix, images: ['3', 0] }, class_type: 'SaveImage', _meta: { title: 'Save Image' } },
});
const upscale = (i: number) => ({
  '1': { inputs: { image: `in_${i}.png` }, class_type: 'LoadImage' },
  '2': { inputs: { model_name: '4x-UltraSharp.pth' }, class_type: 'UpscaleModelLoader' },
  '3': { inputs: { upscale_model: ['2', 0], image: ['1', 0] }, class_type: 'ImageUpscaleWithModel' },
  '4': { inputs: { filename_prefix: 'ComfyUI', images: ['3', 0] }, class_type: 'SaveImage' },
});

/** A listing's text with each prompt's span. */
function listing(prompts: readonly string[]): { text: string; spans: [number, number][] } {
  let text = '{"queue_running": [], "queue_pending": [';
  const spans: [number, number][] = [];
  prompts.forEach((prompt, i) => {
    text += `${i > 0 ? ', ' : ''}[${i}, "id-${i}", `;
    spans.push([text.length, text.length + prompt.length]);
    text += `${prompt}, {"client_id": "c"}, ["9"]]`;
  });
  return { text: `${text}]}`, spans };
}

function expectSame(text: string, spans: readonly [number, number][]): void {
  for (const [start, end] of spans) {
    let parsed: unknown;
    try {
      parsed = parseJson(text.slice(start, end));
    } catch {
      parsed = undefined;
    }
    assert.deepEqual(digestOfListedPrompt(text, start, end), digestOfPrompt(parsed), text.slice(start, end));
  }
}

/** JSON.parse calls on prompts (objects) while `run` runs. */
function promptParses(run: () => void): number {
  const original = JSON.parse;
  let count = 0;
  JSON.parse = ((source: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
    if (typeof source === 'string' && source.startsWith('{')) count++;
    return original(source, reviver);
  }) as typeof JSON.parse;
  try {
    run();
  } finally {
    JSON.parse = original;
  }
  return count;
}

test('a workflow queued 1,000 times is parsed a few times, once more per name; each job gets what its own parse gives', () => {
  const prefixes = ['portrait', 'portrait', 'landscape/%date%', 'ComfyUI'];
  const { text, spans } = listing(Array.from({ length: 1_000 }, (_, i) => python(sampler(i, prefixes[i % prefixes.length]!))));
  const parses = promptParses(() => {
    for (const [start, end] of spans) digestOfListedPrompt(text, start, end);
  });
  // Two to meet the workflow and make its template, then one per filename prefix not seen yet.
  assert.ok(parses <= 2 + 3, `${parses} parses`);
  expectSame(text, spans);
  const names = new Set(spans.map(([start, end]) => digestOfListedPrompt(text, start, end).name));
  // The editor's default prefix names nothing: those jobs are named after their checkpoint.
  assert.deepEqual([...names].sort(), ['landscape', 'portrait', 'sd_xl_base_1.0']);
});

test('workflows mixed in one queue, in other key orders and spacings, and prompts that are not JSON: each as its own parse', () => {
  const prompts: string[] = [];
  for (let i = 0; i < 300; i++) {
    const kind = i % 6;
    if (kind === 0 || kind === 1) prompts.push(python(sampler(i, `p${i % 4}`)));
    else if (kind === 2) prompts.push(python(upscale(i)));
    else if (kind === 3) prompts.push(JSON.stringify(sampler(i, `p${i % 4}`), null, i % 2)); // another client's spacing
    else if (kind === 4) prompts.push(python(Object.fromEntries(Object.entries(sampler(i, 'q')).reverse()))); // another key order
    else prompts.push(python(sampler(i, 'x')).replace('"cfg": 7', i % 2 ? '"cfg": 07' : '"cfg": "\u0001"')); // not JSON
  }
  const { text, spans } = listing(prompts);
  expectSame(text, spans);
});

test('property: any mix of prompts from a few workflows, with any values, gives what each prompt’s parse gives', () => {
  const value = fc.oneof(fc.integer(), fc.double(), fc.string(), fc.boolean(), fc.constant(null), fc.tuple(fc.constantFrom('3', '4', 4), fc.nat(2)), fc.jsonValue({ maxDepth: 1 }));
  const job = fc.record({
    workflow: fc.nat(2),
    seed: value,
    text: value,
    prefix: fc.oneof(fc.constantFrom('a', 'b', 'ComfyUI', '%date%/x'), value),
    ckpt: fc.oneof(fc.constantFrom('m.safetensors', 'dir\\\\n.ckpt'), value),
    spacing: fc.constantFrom('python', 'compact', 'indented'),
  });
  fc.assert(
    fc.property(fc.array(job, { minLength: 1, maxLength: 40 }), (jobs) => {
      const prompts = jobs.map((j) => {
        const base = sampler(0, 'x');
        const prompt =
          j.workflow === 0
            ? { ...base, '3': { ...base['3'], inputs: { ...base['3'].inputs, seed: j.seed } }, '9': { ...base['9'], inputs: { ...base['9'].inputs, filename_prefix: j.prefix } } }
            : j.workflow === 1
              ? { ...base, '4': { ...base['4'], inputs: { ckpt_name: j.ckpt } }, '6': { ...base['6'], inputs: { ...base['6'].inputs, text: j.text } } }
              : { ...upscale(0), '1': { inputs: { image: j.text }, class_type: 'LoadImage' } };
        return j.spacing === 'python' ? python(prompt) : JSON.stringify(prompt, null, j.spacing === 'indented' ? 1 : undefined);
      });
      const { text, spans } = listing(prompts);
      expectSame(text, spans);
    }),
    { numRuns: 200 },
  );
});
