import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseJson, replaceNonFinite, stringifyJson } from '../../electron/core/json.js';

test('parses NaN and Infinity from Python as null, leaving strings alone', () => {
  const text = '{"a": NaN, "b": [Infinity, -Infinity, 1.5], "c": "NaN and Infinity stay", "d": "quote \\" NaN"}';
  assert.deepEqual(parseJson(text), { a: null, b: [null, null, 1.5], c: 'NaN and Infinity stay', d: 'quote " NaN' });
});

test('replaceNonFinite leaves valid JSON untouched', () => {
  const text = '{"x":"Infinity","y":[1,2]}';
  assert.equal(replaceNonFinite(text), text);
});

test('keeps integers above 2^53 exact when asked, and writes them back unchanged', () => {
  const text = '{"3":{"class_type":"KSampler","inputs":{"seed":18446744073709551615,"cfg":7.5,"steps":20}}}';
  const value = parseJson(text, { exactIntegers: true }) as Record<string, { inputs: Record<string, unknown> }>;
  assert.equal(value['3']!.inputs.seed, 18446744073709551615n);
  assert.equal(value['3']!.inputs.steps, 20);
  assert.equal(stringifyJson(value), text);
});

test('without exactIntegers a plain JSON.parse result is returned (rounded seeds are the caller’s choice)', () => {
  assert.deepEqual(parseJson('{"seed": 123}'), { seed: 123 });
});

test('still rejects text that is not JSON at all', () => {
  assert.throws(() => parseJson('<html>'));
  assert.throws(() => parseJson('{"a": NaN', { exactIntegers: true }));
});

// Regression: a big integer more than 64 levels down was not looked for, so JSON.stringify met it and threw.
test('writes big integers exactly however deep they are nested', () => {
  let value: unknown = 18446744073709551615n;
  for (let level = 0; level < 100; level++) value = [value];
  const text = stringifyJson({ deep: value });
  assert.equal(text, `{"deep":${'['.repeat(100)}18446744073709551615${']'.repeat(100)}}`);
});
