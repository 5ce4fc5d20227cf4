// /object_info as real servers send it: ComfyUI 0.8.0 lists v3-schema nodes with `null` in fields conversion does not
// need, and every node type must still be there; an input whose spec is unusable keeps its node, whose layout then
// counts as unknowable (conversion refuses it by name instead of guessing).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseJson } from '../../../electron/core/json.js';
import { isWidgetInput, parseObjectInfo } from '../../../electron/core/workflow/object-info.js';
import { REAL_FIXTURES_URL } from '../../support/real-fixtures.js';

test('ComfyUI 0.8.0: every node type it lists is kept, nulls and all', () => {
  const text = readFileSync(new URL('0.8.0/object_info.json', REAL_FIXTURES_URL), 'utf8');
  const body = parseJson(text, { exactIntegers: true }) as Record<string, Record<string, unknown>>;
  const withNullName = Object.keys(body).filter((name) => body[name]?.display_name === null);
  assert.ok(withNullName.length > 100, 'the recording holds the nulls this test is about');
  const { info, skipped } = parseObjectInfo(body);
  assert.deepEqual(skipped, []);
  assert.equal(info.size, Object.keys(body).length);
  const latent = info.get('EmptySD3LatentImage');
  assert.ok(latent, 'EmptySD3LatentImage is there');
  assert.equal(latent.displayName, 'EmptySD3LatentImage', 'a null display name falls back to the type');
  assert.deepEqual(latent.inputs.filter(isWidgetInput).map((input) => input.name), ['width', 'height', 'batch_size']);
  assert.deepEqual(latent.outputs, ['LATENT']);
});

test('an unusable input spec keeps the node and marks that input unknowable; a node without usable inputs is listed as skipped', () => {
  const { info, skipped } = parseObjectInfo({
    Good: { input: { required: { a: ['INT', { default: 1 }], broken: null } }, output: [null], display_name: null },
    Bad: { input: 'nope' },
  });
  const good = info.get('Good');
  assert.deepEqual(good?.inputs.map((i) => [i.name, i.dynamic]), [['a', false], ['broken', true]]);
  assert.deepEqual(good?.outputs, ['*']);
  assert.deepEqual(skipped, ['Bad']);
});
