import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONNECTION_DEFAULTS, portCheckDelay, retryDelay } from '../../../electron/core/comfy/reconnect-policy.js';

test('backoff grows exponentially from the first delay and is capped, forever', () => {
  const middle = (attempt: number) => retryDelay(attempt, 0.5);
  assert.equal(middle(0), CONNECTION_DEFAULTS.firstRetryDelayMs);
  assert.equal(middle(1), CONNECTION_DEFAULTS.firstRetryDelayMs * 2);
  assert.equal(middle(3), CONNECTION_DEFAULTS.firstRetryDelayMs * 8);
  assert.equal(middle(50), CONNECTION_DEFAULTS.maxRetryDelayMs);
  assert.equal(middle(10_000), CONNECTION_DEFAULTS.maxRetryDelayMs);
});

test('jitter spreads delays by ±ratio and never exceeds the cap', () => {
  const low = retryDelay(2, 0);
  const high = retryDelay(2, 0.999999);
  const base = CONNECTION_DEFAULTS.firstRetryDelayMs * 4;
  assert.equal(low, Math.round(base * (1 - CONNECTION_DEFAULTS.jitterRatio)));
  assert.ok(high > base && high <= Math.round(base * (1 + CONNECTION_DEFAULTS.jitterRatio)));
  for (let attempt = 0; attempt < 40; attempt++) assert.ok(retryDelay(attempt, 0.999999) <= CONNECTION_DEFAULTS.maxRetryDelayMs);
});

test('custom timings are honoured', () => {
  const t = { ...CONNECTION_DEFAULTS, firstRetryDelayMs: 10, maxRetryDelayMs: 35, jitterRatio: 0 };
  assert.deepEqual([0, 1, 2, 3].map((a) => retryDelay(a, 0.3, t)), [10, 20, 35, 35]);
});

test('while down, the port is checked every portCheckMs at first, then less often as the outage grows, up to a cap', () => {
  const t = { ...CONNECTION_DEFAULTS, jitterRatio: 0 };
  assert.equal(portCheckDelay(0, 0.5, t), t.portCheckMs);
  assert.equal(portCheckDelay(t.portCheckRampAfterMs, 0.5, t), t.portCheckMs);
  assert.equal(portCheckDelay(2 * t.portCheckRampAfterMs, 0.5, t), 2 * t.portCheckMs);
  assert.equal(portCheckDelay(24 * 60 * 60_000, 0.5, t), t.maxPortCheckMs);
  for (let outage = 0; outage < 3_600_000; outage += 60_000) {
    assert.ok(portCheckDelay(outage, 0.999999) <= CONNECTION_DEFAULTS.maxPortCheckMs, 'jitter never passes the cap');
    assert.ok(portCheckDelay(outage, 0) >= CONNECTION_DEFAULTS.portCheckMs * (1 - CONNECTION_DEFAULTS.jitterRatio));
  }
});
