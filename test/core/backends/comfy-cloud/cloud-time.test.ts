// Comfy Cloud's times arrive in seconds (its OpenAPI), milliseconds (its examples) or ISO strings: all become
// epoch milliseconds, and a whole-second end never falls before a start heard to the millisecond.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cloudTime } from '../../../../electron/core/backends/comfy-cloud/cloud-time.js';

test('seconds and milliseconds give the same moment', () => {
  assert.equal(cloudTime(1_706_540_000), 1_706_540_000_000);
  assert.equal(cloudTime(1_706_540_000_123), 1_706_540_000_123);
  assert.equal(cloudTime(1_706_540_000.25), 1_706_540_000_250, 'fractional seconds');
});

test('a whole-second end is read as the end of its second', () => {
  assert.equal(cloudTime(1_706_540_005, 'up'), 1_706_540_005_999);
  assert.equal(cloudTime(1_706_540_005_120, 'up'), 1_706_540_005_120, 'milliseconds are exact already');
});

test('ISO strings are read; nonsense is no time', () => {
  assert.equal(cloudTime('2024-01-15T14:30:00Z'), Date.UTC(2024, 0, 15, 14, 30));
  for (const value of [undefined, null, 0, -5, Number.NaN, 'yesterday', '', {}]) assert.equal(cloudTime(value), undefined, String(value));
});
