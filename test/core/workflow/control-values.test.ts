import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isControlValue } from '../../../electron/core/workflow/control-values.js';

test('the control slot after a seed holds today\'s modes or what 2023 editors saved there, nothing else', () => {
  for (const value of ['fixed', 'increment', 'decrement', 'randomize', 'increment-wrap', true, false, 'fixed seed']) assert.equal(isControlValue(value), true, String(value));
  for (const value of [20, 'euler', 'Fixed', null, undefined, '', 0, 1]) assert.equal(isControlValue(value), false, String(value));
});
