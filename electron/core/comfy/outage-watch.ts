// What a connection does while its server is down. Retrying the full connect (HTTP probe, then the socket) on a
// backoff is either slow to notice the server's return or costly for the server; instead the port is checked with
// bare TCP connects (port-check.ts), often, and a full attempt is made the moment the port serves again. Something
// that always accepts (a reverse proxy answering 502 while ComfyUI is down) gets a full attempt at most every
// `answeredRetryMs`; a front that accepts and drops at once (Docker's port proxy, an SSH tunnel) is told apart by
// holding the check's connection a moment, and watched as cheaply as a closed port.
import { checkPort, type PortState, type PortTarget } from './port-check.js';
import { portCheckDelay, type ConnectionTimings } from './reconnect-policy.js';

/** How a failed full attempt ended: nothing accepted, accepted and dropped without a word, or something answered. */
export type AttemptFailure = 'refused' | 'dropped' | 'answered';

const REFUSED_CODES = new Set([
  'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL',
  'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT',
]);
const DROPPED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET']);

/** Reads the system error under our own wrapping (`networkError`'s cause, an AggregateError's members). */
export function classifyFailure(error: unknown): AttemptFailure {
  const stack: unknown[] = [error];
  for (let seen = 0; stack.length > 0 && seen < 16; seen++) {
    const current = stack.pop();
    if (!(current instanceof Error)) continue;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && REFUSED_CODES.has(code)) return 'refused';
    if (typeof code === 'string' && DROPPED_CODES.has(code)) return 'dropped';
    if (current instanceof AggregateError) stack.push(...(current.errors as unknown[]));
    stack.push((current as { cause?: unknown }).cause);
  }
  return 'answered';
}

export class OutageWatch {
  private since: number | undefined;
  /** What the last attempt or check found; an attempt only follows a change to "serving". */
  private last: AttemptFailure | PortState | undefined;
  /** A front that accepts was seen: checks hold their connection to see whether it is dropped. */
  private hold = false;
  private lastAnsweredAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private abort: AbortController | undefined;
  private due: number | undefined;

  constructor(
    private readonly target: PortTarget,
    private readonly timings: ConnectionTimings,
    private readonly random: () => number,
    /** Told of every check made (for the connection's counters). */
    private readonly onCheck: () => void = () => undefined,
  ) {}

  /** When the next check is planned, while watching. */
  get nextCheckAt(): number | undefined {
    return this.due;
  }

  /** A full attempt failed: watch until the port serves again, then call `attempt` (once). */
  failed(error: unknown, attempt: () => void): AttemptFailure {
    this.pause();
    const now = Date.now();
    this.since ??= now;
    const failure = classifyFailure(error);
    if (failure !== 'refused') this.hold = true;
    if (failure === 'answered') this.lastAnsweredAt = now;
    this.last = failure;
    this.schedule(attempt);
    return failure;
  }

  /** A full attempt is starting (or the connection stops): no check meanwhile. */
  pause(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.abort?.abort();
    this.abort = undefined;
    this.due = undefined;
  }

  /** Connected again: the next outage starts afresh. */
  end(): void {
    this.pause();
    this.since = undefined;
    this.last = undefined;
    this.hold = false;
    this.lastAnsweredAt = Number.NEGATIVE_INFINITY;
  }

  private schedule(attempt: () => void): void {
    const now = Date.now();
    const delay = portCheckDelay(now - (this.since ?? now), this.random(), this.timings);
    this.due = now + delay;
    this.timer = setTimeout(() => void this.check(attempt), delay);
  }

  private async check(attempt: () => void): Promise<void> {
    this.timer = undefined;
    const abort = new AbortController();
    this.abort = abort;
    const state = await checkPort(this.target, {
      timeoutMs: this.timings.portCheckTimeoutMs,
      holdMs: this.hold ? this.timings.portHoldMs : 0,
      signal: abort.signal,
    });
    if (abort.signal.aborted) return;
    this.abort = undefined;
    this.onCheck();
    const wasServing = this.last === 'open' || this.last === 'answered';
    this.last = state;
    // A port that starts serving is worth a full attempt at once; one that serves all along (and keeps failing the
    // attempts) only now and then.
    if (state === 'open' && (!wasServing || Date.now() - this.lastAnsweredAt >= this.timings.answeredRetryMs)) {
      this.due = undefined;
      attempt();
      return;
    }
    this.schedule(attempt);
  }
}
