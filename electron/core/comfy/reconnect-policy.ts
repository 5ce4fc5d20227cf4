// Connection timing in one place. After a drop the first attempt goes out at once; a server that keeps dropping us
// before the connection counts as stable (`stableAfterMs`) gets a capped exponential backoff with jitter, so it is
// not hammered. While the server is down, its port is watched with bare TCP connects (outage-watch.ts): often at
// first, less often as the outage grows, and a full attempt only once the port serves again.

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
  /** While down: TCP checks of the server's port this often during the first `portCheckRampAfterMs` of an outage… */
  readonly portCheckMs: number;
  readonly portCheckRampAfterMs: number;
  /** …then in proportion to the outage's length, but never less often than this. */
  readonly maxPortCheckMs: number;
  /** A check that gets no answer within this counts as refused (a host that is off drops our packets). */
  readonly portCheckTimeoutMs: number;
  /** Once a front that accepts was seen, a check holds its connection this long to see whether it is dropped. */
  readonly portHoldMs: number;
  /** While the port accepts but full attempts fail (a proxy answering 502), one full attempt at most this often. */
  readonly answeredRetryMs: number;
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
  portCheckMs: 500,
  portCheckRampAfterMs: 120_000,
  maxPortCheckMs: 5_000,
  portCheckTimeoutMs: 3_000,
  portHoldMs: 250,
  answeredRetryMs: 30_000,
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

/**
 * Delay before the next TCP check of a server that has been down for `outageMs`; `random` in [0, 1). Every
 * `portCheckMs` at first (its return is seen within a second), then in proportion to the outage's length (a server
 * down for ten minutes is checked every 2.5 s, with the defaults), never less often than every `maxPortCheckMs`.
 */
export function portCheckDelay(outageMs: number, random: number, t: ConnectionTimings = CONNECTION_DEFAULTS): number {
  const base = outageMs <= t.portCheckRampAfterMs ? t.portCheckMs : Math.min(t.maxPortCheckMs, (t.portCheckMs * outageMs) / t.portCheckRampAfterMs);
  const jittered = base * (1 - t.jitterRatio + 2 * t.jitterRatio * random);
  return Math.round(Math.min(t.maxPortCheckMs, Math.max(0, jittered)));
}
