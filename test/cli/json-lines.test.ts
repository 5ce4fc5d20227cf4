import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobLineFilter, jobLine } from '../../electron/cli/json-lines.js';
import type { JobView } from '../../electron/shared/app-state.js';

const base: JobView = { serverId: 'http://s', id: 'j', status: 'running', submittedBy: 'other', outputs: [] };

test('progress prints in 10% steps, not on every sampler step', () => {
  const filter = new JobLineFilter();
  const printed = [0, 0.01, 0.05, 0.1, 0.15, 0.2, 0.55, 0.56, 1].filter((overall) => filter.shouldPrint({ ...base, progress: { overall } }));
  assert.deepEqual(printed, [0, 0.1, 0.2, 0.55, 1]);
});

test('the final line carries outputs and the final flag, not the stale progress', () => {
  const line = jobLine({ ...base, status: 'completed', progress: { overall: 1 }, durationMs: 5, endedAt: 0 }, true);
  assert.equal(line.final, true);
  assert.deepEqual(line.outputs, []);
  assert.equal(line.progress, undefined);
  assert.equal(line.endedAt, '1970-01-01T00:00:00.000Z');
});
