// The JSON tokens the in-place readers share, held to JSON.parse.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { JSON_NUMBER, JSON_STRING, PLAIN_STRING, stringEndAt } from '../../../electron/core/comfy/json-tokens.js';

const whole = (source: string): RegExp => new RegExp(`^(?:${source})$`);
const parses = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

test('property: a number or a string matches exactly when JSON.parse reads it as one', () => {
  const unit = fc.constantFrom('"', '\\', 'u', '0', '1', '9', 'a', 'F', 'e', 'E', '-', '+', '.', 'n', '/', 'b', 't', '\u0001', '\n', 'é');
  fc.assert(
    fc.property(fc.string({ unit, maxLength: 10 }), (text) => {
      // JSON.parse also takes whitespace around a value; a token has none.
      const value = parses(text) && text.trim() === text ? (JSON.parse(text) as unknown) : Symbol('not a token');
      assert.equal(whole(JSON_NUMBER).test(text), typeof value === 'number', text);
      assert.equal(whole(JSON_STRING).test(text), typeof value === 'string', text);
      if (whole(PLAIN_STRING).test(text)) assert.equal(typeof value, 'string', text);
    }),
    { numRuns: 3000 },
  );
  for (const value of [0, -0.5, 1e300, 123456789012345680000, 'plain', 'a "q" \\ / \n \u0000 \u2028 é 🎨']) {
    const text = JSON.stringify(value);
    assert.ok(whole(typeof value === 'number' ? JSON_NUMBER : JSON_STRING).test(text), text);
  }
});

test('property: the end of a string, escaped quotes and backslash runs included; -1 when it is not closed', () => {
  fc.assert(
    fc.property(fc.string(), fc.string(), (value, after) => {
      const text = `[${JSON.stringify(value)}${JSON.stringify(after)}]`;
      assert.equal(stringEndAt(text, 1), 1 + JSON.stringify(value).length);
    }),
  );
  assert.equal(stringEndAt('"abc\\"', 0), -1);
  assert.equal(stringEndAt('"abc\\\\"', 0), 7);
});
