import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadedValue } from '../../../electron/core/workflow/legacy-values.js';

test('KSampler sampler names saved with the early-2023 "sample_" prefix load without it, as the editor rewrote them', () => {
  assert.equal(loadedValue('KSampler', 'sampler_name', 'sample_euler_ancestral'), 'euler_ancestral');
  assert.equal(loadedValue('KSamplerAdvanced', 'sampler_name', 'sample_dpm_2'), 'dpm_2');
});

test('only that: other nodes, other inputs and other values are loaded as saved', () => {
  assert.equal(loadedValue('SamplerCustom', 'sampler_name', 'sample_euler'), 'sample_euler');
  assert.equal(loadedValue('KSampler', 'scheduler', 'sample_karras'), 'sample_karras');
  assert.equal(loadedValue('KSampler', 'sampler_name', 'euler'), 'euler');
  assert.equal(loadedValue('KSampler', 'sampler_name', 7), 7);
});
