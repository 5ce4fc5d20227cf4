// Prompt templates: a prompt that matches one parses to the template's prompt with other scalars as input values, so
// it has the same node table and signature, and its name follows from the key. Checked against JSON.parse, on
// ComfyUI-shaped prompts and on arbitrary ones, with cuts holding arbitrary text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { jobName } from '../../../electron/core/comfy/job-name.js';
import { digestOfPrompt } from '../../../electron/core/comfy/listed-prompt.js';
import { matchPromptTemplate, promptTemplate, type PromptTemplate } from '../../../electron/core/comfy/prompt-template.js';
import { workflowSignature } from '../../../electron/core/comfy/workflow-signature.js';
import { parseJson } from '../../../electron/core/json.js';

/** As ComfyUI's server writes JSON (Python's separators). */
function python(value: unknown): string {
  return JSON.stringify(value).replaceAll('":', '": ').replaceAll(/,(?=["{[\d-])/g, ', ');
}

const workflow = (values: { seed?: unknown; text?: unknown; prefix?: unknown; ckpt?: unknown; cfg?: unknown } = {}) => ({
  '3': { inputs: { seed: values.seed ?? 1, steps: 30, cfg: values.cfg ?? 7.5, model: ['4', 0], positive: ['6', 0] }, class_type: 'KSampler', _meta: { title: 'KSampler' } },
  '4': { inputs: { ckpt_name: values.ckpt ?? 'sd_xl_base_1.0.safetensors' }, class_type: 'CheckpointLoaderSimple', _meta: { title: 'Load Checkpoint' } },
  '6': { inputs: { text: values.text ?? 'a lighthouse', clip: ['4', 1] }, class_type: 'CLIPTextEncode', _meta: { title: 'Positive' } },
  '9': { inputs: { filename_prefix: values.prefix ?? 'lighthouse', images: ['8', 0] }, class_type: 'SaveImage', _meta: { title: 'Save Image' } },
});

function match(template: PromptTemplate, text: string): string | undefined {
  // Inside a longer text, as in a listing: the match reads only its span.
  const body = `[1, "id", ${text}, {}]`;
  const start = body.indexOf(text);
  return matchPromptTemplate(template, body, start, start + text.length);
}

test('a prompt of the same workflow with other widget values matches; its key holds only the naming inputs', () => {
  const template = promptTemplate(python(workflow()));
  assert.ok(template);
  assert.equal(template.naming, 2, 'the checkpoint and the filename prefix');
  const values = [
    { seed: 156680208700286, text: 'a "quoted" \\ path\n ünïcødé 🎨 [not] {a}, "x": 1' },
    { seed: -0.5e-7, cfg: 0, text: '' },
    { seed: 2 ** 64, text: '\u2028\u0000\u001f' },
    { seed: 0, cfg: -1e300, text: 'Infinity' },
  ];
  const keys = new Set<string>();
  for (const value of values) {
    const key = match(template, python(workflow(value)));
    assert.equal(typeof key, 'string', JSON.stringify(value));
    keys.add(key!);
  }
  assert.equal(keys.size, 1, 'no naming input changed');
  const renamed = match(template, python(workflow({ prefix: 'portrait/%date%', ckpt: 'flux.gguf' })));
  assert.ok(renamed !== undefined && !keys.has(renamed));
  // Python's NaN and Infinity, which parseJson reads, fit a number's cut.
  assert.equal(typeof match(template, python(workflow({ seed: 1 })).replace('"cfg": 7.5', '"cfg": NaN')), 'string');
  assert.equal(typeof match(template, python(workflow({ seed: 1 })).replace('"cfg": 7.5', '"cfg": -Infinity')), 'string');
  // A value of another kind is left to the parse; where the template had null, any scalar fits.
  const base = python(workflow());
  for (const value of ['"text now"', 'true', 'null', '[]']) assert.equal(match(template, base.replace('"seed": 1', `"seed": ${value}`)), undefined, value);
  assert.equal(match(template, base.replace('"text": "a lighthouse"', '"text": 5')), undefined);
  const optional = promptTemplate(base.replace('"cfg": 7.5', '"cfg": null'));
  assert.ok(optional);
  for (const cfg of ['1', '"x"', 'true', 'null', 'NaN']) assert.equal(typeof match(optional, base.replace('"cfg": 7.5', `"cfg": ${cfg}`)), 'string', cfg);
});

test('what changes the table, the signature or the parse does not match', () => {
  const template = promptTemplate(python(workflow()));
  assert.ok(template);
  const base = python(workflow());
  const changed = [
    base.replace('["4", 0]', '["6", 0]'), // a link
    base.replace('"title": "Positive"', '"title": "Prompt"'), // a title
    base.replace('"CheckpointLoaderSimple"', '"UNETLoader"'), // a class type
    base.replace('"steps": 30', '"steps": [30, 0]'), // a value that is now a link
    base.replace('"steps": 30', '"steps": {"a": 1}'),
    base.replace('"steps": 30, ', ''), // an input gone
    base.replace('"steps": 30', '"steps": 30, "denoise": 1'), // an input more
    JSON.stringify(workflow()), // other spacing
    JSON.stringify(workflow(), null, 2),
    python({ ...workflow(), '10': { inputs: {}, class_type: 'Note' } }), // a node more
    base.replace('"steps": 30', '"st\\u0065ps": 30'), // an escaped name
  ];
  for (const text of changed) assert.equal(match(template, text), undefined, text);
  // Values JSON.parse refuses: the text would not parse, so it does not match.
  for (const value of ['012', '+1', '.5', '1.', '1e', '-', 'tru', 'nul', 'NaNa', "'single'", 'undefined']) {
    const text = base.replace('"steps": 30', `"steps": ${value}`);
    assert.throws(() => parseJson(text));
    assert.equal(match(template, text), undefined, value);
  }
  for (const value of ['"\u0001"', '"a\nb"', '"\\x"', '"\\u12g4"', '"open', '"a"b"', '"\\"']) {
    const text = base.replace('"text": "a lighthouse"', `"text": ${value}`);
    assert.throws(() => parseJson(text));
    assert.equal(match(template, text), undefined, value);
  }
  // Only its own span: a prompt cut short, or followed by more, does not match.
  const body = `[${base}, {}]`;
  assert.equal(matchPromptTemplate(template, body, 1, base.length), undefined);
  assert.equal(matchPromptTemplate(template, body, 1, base.length + 2), undefined);
  assert.equal(typeof matchPromptTemplate(template, body, 1, base.length + 1), 'string');
});

test('no template for what is not a prompt object or has no input value to cut', () => {
  for (const text of ['[]', '"a"', '{}', python({ '1': { class_type: 'A', inputs: { x: ['2', 0] } } }), python({ '1': { class_type: 'A', inputs: [1, 2] } })]) {
    assert.equal(promptTemplate(text), undefined, text);
  }
  assert.ok(promptTemplate(python({ '1': { class_type: 'A', inputs: { x: 1 } } })));
  // Text that is not JSON (callers parse it first): no template, nothing thrown.
  for (const text of ['{"1": {"inputs": {"x": 1}', '{"1": {"inputs": {"x": "open}}}', '{"1": {"inputs": {"x": 1} "y"}}']) assert.equal(promptTemplate(text), undefined, text);
});

// ---- against the parse, on arbitrary prompts ----------------------------------------------------------------------

/** Strings made of what JSON and patterns trip on. */
const tricky = fc.string({ unit: fc.constantFrom('\\', '"', '[', ']', '{', '}', ',', ':', ' ', '.', '*', '(', '$', '^', '|', '?', '+', '/', 'a', '1', 'é', '🎨', '\n', '\u0000', '\u2028') });
const key = fc.oneof(fc.constantFrom('inputs', 'class_type', '_meta', 'title', 'filename_prefix', 'ckpt_name', 'model_name', 'seed', '__proto__', '3', '10'), tricky);
const scalar = fc.oneof(fc.double(), fc.integer(), fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(Number), tricky, fc.string({ unit: 'binary' }), fc.boolean(), fc.constant(null));
const inputValue = fc.oneof(scalar, fc.tuple(fc.oneof(key, fc.integer()), fc.integer({ min: 0, max: 3 })), fc.jsonValue({ maxDepth: 2 }));
const node = fc.oneof(
  { weight: 4, arbitrary: fc.record({ inputs: fc.oneof({ weight: 4, arbitrary: fc.dictionary(key, inputValue) }, inputValue), class_type: fc.oneof(key, scalar), _meta: fc.oneof(fc.record({ title: fc.oneof(key, scalar) }), scalar) }, { requiredKeys: [] }) },
  fc.dictionary(key, inputValue),
  scalar,
);
const prompt = fc.dictionary(key, node, { maxKeys: 6 });

const NAMING = new Set(['filename_prefix', 'ckpt_name', 'unet_name', 'model_name', 'base_ckpt_name']);

/**
 * A prompt with the scalar input values that a template cuts at replaced through `next` (the rest untouched). Inputs
 * whose names JSON writes with escapes are not cut at; `only` picks among the others.
 */
function revalue(value: Record<string, unknown>, next: (old: unknown) => unknown, only: (name: string) => boolean = () => true): Record<string, unknown> {
  const copy: Record<string, unknown> = JSON.parse(JSON.stringify(value));
  for (const id of Object.keys(copy)) {
    const n = copy[id];
    if (n === null || typeof n !== 'object' || Array.isArray(n)) continue;
    const inputs = (n as Record<string, unknown>).inputs;
    if (inputs === null || typeof inputs !== 'object' || Array.isArray(inputs)) continue;
    for (const name of Object.keys(inputs)) {
      const v = (inputs as Record<string, unknown>)[name];
      if ((v === null || typeof v !== 'object') && !JSON.stringify(name).includes('\\') && only(name)) (inputs as Record<string, unknown>)[name] = next(v);
    }
  }
  return copy;
}

test('property: a prompt that matches parses, and has the template’s table and signature; its name follows from its key', () => {
  const strings = fc.array(fc.oneof(tricky, fc.string({ unit: 'binary' })), { minLength: 1, maxLength: 10 });
  const numbers = fc.array(fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(Number)), { minLength: 1, maxLength: 10 });
  fc.assert(
    fc.property(prompt, strings, numbers, fc.array(scalar, { minLength: 1, maxLength: 10 }), fc.boolean(), (source, texts, nums, anys, pythonStyle) => {
      const write = (v: unknown): string => (pythonStyle ? python(v) : JSON.stringify(v));
      const text = write(source);
      const template = promptTemplate(text);
      if (!template) return;
      const expected = digestOfPrompt(parseJson(text));
      let i = 0;
      // Another value of the same kind at every cut (any scalar where the prompt had null).
      const sameKind = (old: unknown): unknown => {
        i++;
        if (typeof old === 'string') return texts[i % texts.length];
        if (typeof old === 'number') return nums[i % nums.length];
        if (typeof old === 'boolean') return i % 2 === 0;
        return anys[i % anys.length];
      };
      const other = write(revalue(source, sameKind));
      const key = match(template, other);
      // Only scalar input values changed: it must match.
      assert.notEqual(key, undefined, other);
      const parsed = parseJson(other);
      assert.deepEqual(digestOfPrompt(parsed).nodes, expected.nodes);
      assert.equal(workflowSignature(parsed), workflowSignature(parseJson(text)));
      // The same key, the same name: with only the other values changed, the key and the name stay.
      const sameNames = write(revalue(source, sameKind, (name) => !NAMING.has(name)));
      assert.equal(match(template, sameNames), match(template, text));
      assert.equal(jobName({ prompt: parseJson(sameNames) })?.name, expected.name);
    }),
    { numRuns: 300 },
  );
});

const KEEP = 'the value that was there';

test('property: whatever text stands at the cuts, a match means JSON.parse reads the template’s prompt with scalars there', () => {
  // The template's text with its cut values replaced by arbitrary text, made of JSON's own characters.
  const junk = fc.oneof(
    fc.string({ unit: fc.constantFrom('"', '\\', 'u', '0', '1', '9', 'a', 'e', 'E', '-', '+', '.', 'n', 'u', 'l', 't', 'r', 'N', 'I', '[', ']', '{', '}', ',', ':', ' ', '\u0001'), maxLength: 12 }),
    // Valid ones too, and the value that was there, so that whole prompts match.
    { weight: 3, arbitrary: scalar.map((value) => JSON.stringify(value)) },
    { weight: 4, arbitrary: fc.constant(KEEP) },
    fc.constantFrom('NaN', 'Infinity', '-Infinity', '"\\u00e9"', '1E+2', '-0.0e-0', '["4", 0]', '[1]', '{}'),
  );
  fc.assert(
    fc.property(prompt, fc.array(junk, { minLength: 1, maxLength: 10 }), (source, junks) => {
      const marker = '\u{10FFFF}marker';
      let n = 0;
      const originals: string[] = [];
      const marked = python(
        revalue(source, (old) => {
          originals.push(JSON.stringify(old));
          return `${marker}${n++}`;
        }),
      );
      const template = promptTemplate(python(source));
      if (!template) return;
      const text = marked.replaceAll(new RegExp(`"${marker}(\\d+)"`, 'g'), (_, k: string) => {
        const junk = junks[Number(k) % junks.length]!;
        return junk === KEEP ? originals[Number(k)]! : junk;
      });
      const key = match(template, text);
      if (key === undefined) return;
      const parsed = parseJson(text);
      assert.deepEqual(digestOfPrompt(parsed).nodes, digestOfPrompt(parseJson(python(source))).nodes);
      assert.equal(workflowSignature(parsed), workflowSignature(parseJson(python(source))));
    }),
    { numRuns: 500 },
  );
});
