// Connection timings scaled down for tests, generous enough for a loaded two-core CI machine.
import type { ConnectionTimings } from '../../electron/core/comfy/reconnect-policy.js';

export const FAST_TIMINGS: Partial<ConnectionTimings> = {
  firstRetryDelayMs: 20,
  maxRetryDelayMs: 200,
  stableAfterMs: 1_000,
  handshakeTimeoutMs: 3_000,
  httpTimeoutMs: 3_000,
  pingIntervalMs: 250,
  pongTimeoutMs: 1_000,
  probeIntervalMs: 200,
  offlineAfterMs: 400,
  authRetryMs: 500,
  incompatibleRetryMs: 500,
  statusAfterSubmitMs: 1_000,
  statusQuietMs: 150,
  portCheckMs: 20,
  portCheckRampAfterMs: 60_000,
  maxPortCheckMs: 200,
  portCheckTimeoutMs: 1_000,
  portHoldMs: 30,
  answeredRetryMs: 100,
  pollIntervalMs: 100,
  upgradeRetryMs: 1_000,
};
