// Which runs count towards an estimate, and the estimate itself.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimateFrom, median, sampleOfRun } from '../../../electron/core/jobs/duration-estimate.js';

test('only completed runs with a plausible duration count, and never one served entirely from the cache', () => {
  assert.deepEqual(sampleOfRun({ status: 'completed', durationMs: 1234.4, nodeCount: 7, cachedNodeCount: 4 }), { ms: 1234, cached: 4 });
  assert.deepEqual(sampleOfRun({ status: 'completed', durationMs: 900 }), { ms: 900 });
  for (const status of ['failed', 'cancelled', 'lost', 'running', 'pending'] as const) {
    assert.equal(sampleOfRun({ status, durationMs: 1000, nodeCount: 3, cachedNodeCount: 0 }), undefined, status);
  }
  assert.equal(sampleOfRun({ status: 'completed' }), undefined, 'no duration');
  assert.equal(sampleOfRun({ status: 'completed', durationMs: -5 }), undefined, 'clock went backwards');
  assert.equal(sampleOfRun({ status: 'completed', durationMs: Number.NaN }), undefined);
  assert.equal(sampleOfRun({ status: 'completed', durationMs: 30 * 24 * 3600_000 }), undefined, 'a month');
  assert.equal(sampleOfRun({ status: 'completed', durationMs: 3, nodeCount: 7, cachedNodeCount: 7 }), undefined, 'nothing ran');
});

test('the median resists one outlier; a known cache pattern narrows the runs used', () => {
  assert.equal(median([]), undefined);
  assert.equal(median([5]), 5);
  assert.equal(median([10, 1000, 12]), 12);
  assert.equal(median([10, 21]), 16);
  const samples = [{ ms: 60_000, cached: 0 }, { ms: 10_000, cached: 4 }, { ms: 50_000, cached: 0 }, { ms: 12_000, cached: 4 }, { ms: 200 }];
  assert.equal(estimateFrom(samples), 12_000, 'not started: every run');
  assert.equal(estimateFrom(samples, 4), 11_000, 'started, 4 cached: the runs that cached 4');
  assert.equal(estimateFrom(samples, 0), 55_000);
  assert.equal(estimateFrom(samples, 2), 12_000, 'no run cached 2: every run');
  assert.equal(estimateFrom([]), undefined);
});
