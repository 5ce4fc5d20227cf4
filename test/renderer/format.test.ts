// Wording of durations, connection states and copied error reports.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorReport, formatDuration, serverStateText } from '../../renderer/format.js';

test('durations read as seconds, minutes or hours', () => {
  assert.equal(formatDuration(12_400), '12 s');
  assert.equal(formatDuration(125_000), '2 min 05 s');
  assert.equal(formatDuration(3_720_000), '1 h 02 min');
});

test('connection states, with the retry countdown', () => {
  const base = { id: 's', name: 's', url: 'http://s/' };
  assert.equal(serverStateText({ ...base, state: 'reconnecting', nextRetryAt: 12_000 }, 100), 'Reconnecting in 12 s');
  assert.equal(serverStateText({ ...base, state: 'reconnecting', nextRetryAt: 50 }, 100), 'Reconnecting…');
  assert.equal(serverStateText({ ...base, state: 'auth-failed' }, 0), 'Authentication failed');
});

test('an error report names the node, the exception and the traceback', () => {
  assert.equal(
    errorReport({ nodeId: '2', nodeTitle: 'Sampler', nodeType: 'KSampler', exceptionType: 'RuntimeError', message: 'CUDA out of memory', traceback: ['  File "x"'] }),
    'Sampler (KSampler) #2\nRuntimeError: CUDA out of memory\n  File "x"',
  );
});
