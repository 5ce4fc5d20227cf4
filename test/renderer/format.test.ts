// Wording of durations, estimates, connection states and copied error reports.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorReport, formatDuration, formatWhen, prepareFormats, remainingMs, roughly, serverStateText, takesText, timeLeftText } from '../../renderer/format.js';

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

test('rough durations: less than a minute, minutes, hours', () => {
  assert.equal(roughly(30_000), 'less than a minute');
  assert.equal(roughly(50_000), 'about 1 min');
  assert.equal(roughly(100_000), 'about 2 min');
  assert.equal(roughly(3_900_000), 'about 1 h 05 min');
  assert.equal(takesText(180_000), 'takes about 3 min');
});

test('time left: the estimate alone, then blended with progress as it advances', () => {
  assert.equal(remainingMs(180_000, 60_000), 120_000);
  assert.equal(remainingMs(180_000, 240_000), 0, 'never negative');
  // 50% after 60 s: the estimate says 120 s left, the progress says 60 s; trusted half and half.
  assert.equal(remainingMs(180_000, 60_000, 0.5), 90_000);
  // Almost done by progress: mostly trusted, whatever the estimate says.
  assert.equal(Math.round(remainingMs(600_000, 60_000, 0.95)), 30_000);
  // Progress of 0 or 1 says nothing about the rate.
  assert.equal(remainingMs(180_000, 60_000, 0), 120_000);
  assert.equal(remainingMs(180_000, 60_000, 1), 120_000);
});

test('time left wording: about N min left, finishing once past the estimate, the estimate before it starts', () => {
  assert.equal(timeLeftText(180_000, 60_000), 'about 2 min left');
  assert.equal(timeLeftText(180_000, 200_000), 'finishing…');
  assert.equal(timeLeftText(180_000, 160_000), 'less than a minute left');
  assert.equal(timeLeftText(180_000, undefined), 'takes about 3 min');
  assert.equal(timeLeftText(60_000, 90_000, 0.5), 'about 1 min left', 'past the estimate but only half done: progress keeps it honest');
});

test('times read as the time of day today, with the date otherwise; the formatters are built once, ahead of the rows', (t) => {
  const Original = Intl.DateTimeFormat;
  let built = 0;
  t.mock.method(Intl, 'DateTimeFormat', function (this: unknown, ...args: ConstructorParameters<typeof Intl.DateTimeFormat>) {
    built++;
    return new Original(...args);
  });
  prepareFormats();
  const afterPrepare = built;
  const noon = new Date(2026, 11, 4, 12, 30).getTime();
  const today = formatWhen(noon, noon + 60_000);
  const earlier = formatWhen(noon - 3 * 86_400_000, noon);
  assert.equal(today, new Original(undefined, { hour: '2-digit', minute: '2-digit' }).format(noon));
  assert.equal(earlier, `${new Original(undefined).format(noon - 3 * 86_400_000)} ${today}`);
  assert.equal(built, afterPrepare, 'rows build no formatter of their own');
});
