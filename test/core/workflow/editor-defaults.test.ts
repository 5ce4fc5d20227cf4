import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NO_EDITOR_DEFAULT, editorDefault } from '../../../electron/core/workflow/editor-defaults.js';
import { parseObjectInfo } from '../../../electron/core/workflow/object-info.js';
import type { InputSpec } from '../../../electron/core/workflow/object-info.js';

function spec(raw: unknown): InputSpec {
  const info = parseObjectInfo({ N: { input: { required: { x: raw } }, input_order: { required: ['x'] }, output: [] } }).info;
  const found = info.get('N')?.inputs[0];
  if (found === undefined) throw new Error('no spec');
  return found;
}

test('a widget the workflow has no value for holds what the editor made it with: the definition\'s default', () => {
  assert.equal(editorDefault(spec(['INT', { default: 7, min: 1 }])), 7);
  assert.equal(editorDefault(spec(['FLOAT', { default: 0.5 }])), 0.5);
  assert.equal(editorDefault(spec(['STRING', { default: 'hi' }])), 'hi');
  assert.equal(editorDefault(spec(['BOOLEAN', { default: true }])), true);
  assert.equal(editorDefault(spec([['a', 'b'], { default: 'b' }])), 'b');
  assert.equal(editorDefault(spec(['COMBO', { options: ['a', 'b'], default: 'b' }])), 'b');
});

test('without a default: 0 for numbers (even below the minimum), "" for text, false for toggles, a combo\'s first option', () => {
  assert.equal(editorDefault(spec(['INT', { min: 1 }])), 0);
  assert.equal(editorDefault(spec(['FLOAT', {}])), 0);
  assert.equal(editorDefault(spec(['STRING', { multiline: true }])), '');
  assert.equal(editorDefault(spec(['BOOLEAN', {}])), false);
  assert.equal(editorDefault(spec([['first', 'second']])), 'first');
  // The editor only takes a truthy default; an empty one falls back to the first option.
  assert.equal(editorDefault(spec([['first', ''], { default: '' }])), 'first');
  assert.deepEqual(editorDefault(spec(['COMBO', { options: ['a'], multiselect: true }])), []);
});

test('a combo the server lists no options for had no value the editor could know', () => {
  assert.equal(editorDefault(spec([[]])), NO_EDITOR_DEFAULT);
  assert.equal(editorDefault(spec(['COMBO', { remote: { route: '/models' } }])), NO_EDITOR_DEFAULT);
  assert.equal(editorDefault(spec(['IMAGE', {}])), NO_EDITOR_DEFAULT);
});
