// Connection timing in one place. Backoff: capped exponential with jitter, retried forever; the attempt counter is
// reset only once a connection has stayed up for `stableAfterMs`, so a server that accepts and then drops at once
// does not get hammered.

export interface ConnectionTimings {
  readonly firstRetryDelayMs: number;
  readonly maxRetryDelayMs: number;
  readonly backoffFactor: number;
  /** ±ratio applied to each delay, so many clients do not reconnect in lockstep after a server restart. */
  readonly jitterRatio: number;
  readonly stableAfterMs: number;
  /** HTTP probe plus socket open plus the first `status` frame. */
  readonly handshakeTimeoutMs: number;
  /**
   * After the first `status`, how long to wait for the server's answer to our `feature_flags` (it comes right
   * behind): the connection is reported once its capabilities are known. Servers that never answer (older than the
   * handshake) are reported connected when this runs out.
   */
  readonly featureFlagsWaitMs: number;
  readonly httpTimeoutMs: number;
  /** The server never pings; we do, and a missing pong means a half-open socket. */
  readonly pingIntervalMs: number;
  readonly pongTimeoutMs: number;
  /** Cheap HTTP check of the queue size; also the slow safety net for reconciliation. */
  readonly probeIntervalMs: number;
  /** After this long without a connection, `reconnecting` becomes `offline` (still retrying). */
  readonly offlineAfterMs: number;
  readonly authRetryMs: number;
  readonly incompatibleRetryMs: number;
  /** After our own submission, a `status` broadcast must arrive within this; else the socket is deaf. */
  readonly statusAfterSubmitMs: number;
  /** A probe that disagrees with the socket only counts once no `status` arrived for this long (races). */
  readonly statusQuietMs: number;
  /** Without a socket (the upgrade is refused): how often the server is asked what changed. */
  readonly pollIntervalMs: number;
  /** While polling: how often the socket upgrade is tried again. */
  readonly upgradeRetryMs: number;
  /** A run's event stream (ComfyControl) sends a snapshot about this often; three of these in silence is a stall. */
  readonly streamIntervalMs: number;
}

export const CONNECTION_DEFAULTS: ConnectionTimings = {
  firstRetryDelayMs: 250,
  maxRetryDelayMs: 30_000,
  backoffFactor: 2,
  jitterRatio: 0.2,
  stableAfterMs: 20_000,
  handshakeTimeoutMs: 10_000,
  featureFlagsWaitMs: 1_000,
  httpTimeoutMs: 15_000,
  pingIntervalMs: 20_000,
  pongTimeoutMs: 10_000,
  probeIntervalMs: 30_000,
  offlineAfterMs: 60_000,
  authRetryMs: 5 * 60_000,
  incompatibleRetryMs: 10 * 60_000,
  statusAfterSubmitMs: 5_000,
  statusQuietMs: 2_000,
  pollIntervalMs: 3_000,
  upgradeRetryMs: 60_000,
  streamIntervalMs: 2_000,
};

/** Delay before retry number `attempt` (0-based); `random` in [0, 1). */
export function retryDelay(attempt: number, random: number, t: ConnectionTimings = CONNECTION_DEFAULTS): number {
  const exponent = Math.min(Math.max(attempt, 0), 30);
  const base = Math.min(t.maxRetryDelayMs, t.firstRetryDelayMs * t.backoffFactor ** exponent);
  const jittered = base * (1 - t.jitterRatio + 2 * t.jitterRatio * random);
  return Math.round(Math.min(t.maxRetryDelayMs, Math.max(0, jittered)));
}
