// An own job heard from its start is announced from its live events the moment its terminal event arrives, before
// the server has written its record (ComfyUI writes it between `execution_success` and `executing {node: null}`).
// This checks that announcement against the record once it is written: outputs the record lists that the events did
// not (a frame the socket lost, a server that differs) are added to the finished job, and the saver, which waits for
// this check before it looks at a job's outputs, saves them with the rest, once.
import type { JobView, OutputRef, TerminalJobStatus } from '../../shared/app-state.js';
import { mergeOutputs, outputKey } from '../comfy/outputs.js';
import type { RemoteJob } from '../comfy/remote-jobs.js';
import { errorMessage } from '../errors.js';

export type FinishedView = JobView & { status: TerminalJobStatus };

export interface FollowUpHost {
  lookup(id: string): Promise<RemoteJob | undefined>;
  /** The job's finished view, once its announcement is over (undefined: it was not announced after all). */
  announced(id: string): Promise<FinishedView | undefined>;
  /** Records the finished view with the outputs added (journal first), then shows it. */
  update(view: FinishedView): Promise<void>;
  debug(message: string, fields: Record<string, unknown>): void;
}

export interface FollowUpTimings {
  /** Checked anyway this long after the announcement, should `executing {node: null}` never come (a dropped socket). */
  readonly fallbackMs: number;
  /** A record not written yet (or a failed lookup) is asked for again this often, this many times. */
  readonly retryMs: number;
  readonly attempts: number;
}

export const FOLLOW_UP_DEFAULTS: FollowUpTimings = { fallbackMs: 5_000, retryMs: 2_000, attempts: 3 };

interface Pending {
  readonly done: Promise<void>;
  readonly resolve: () => void;
  timer: NodeJS.Timeout | undefined;
  checking: boolean;
  attemptsLeft: number;
}

export class RecordFollowUp {
  private readonly pending = new Map<string, Pending>();
  private stopped = false;

  constructor(
    private readonly host: FollowUpHost,
    private readonly timings: FollowUpTimings = FOLLOW_UP_DEFAULTS,
  ) {}

  /** The job is being announced from its live events: its record is to be checked. */
  expect(id: string): void {
    if (this.stopped || this.pending.has(id)) return;
    let resolve = (): void => undefined;
    const done = new Promise<void>((r) => (resolve = r));
    const entry: Pending = { done, resolve, timer: undefined, checking: false, attemptsLeft: this.timings.attempts };
    this.pending.set(id, entry);
    this.later(id, entry, this.timings.fallbackMs);
  }

  /** The server said the job's record is written (`executing {node: null}` for it). */
  recordWritten(id: string): void {
    const entry = this.pending.get(id);
    if (entry && !entry.checking) void this.check(id, entry);
  }

  /** Resolves once the job's record was checked (at once for a job that waits for none). */
  checked(id: string): Promise<void> {
    return this.pending.get(id)?.done ?? Promise.resolve();
  }

  /** Nothing more is checked; whoever waits is let go. */
  stop(): void {
    this.stopped = true;
    for (const [id, entry] of this.pending) this.settle(id, entry);
  }

  private later(id: string, entry: Pending, ms: number): void {
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => void this.check(id, entry), ms);
  }

  private async check(id: string, entry: Pending): Promise<void> {
    clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.checking = true;
    entry.attemptsLeft--;
    try {
      const view = await this.host.announced(id);
      if (!view || this.stopped) return this.settle(id, entry);
      const record = await this.host.lookup(id);
      if (this.stopped) return this.settle(id, entry);
      if (record?.outputs === undefined || record.status === 'pending' || record.status === 'running') {
        // Not written yet (or a route that does not say): asked again a few times, then the live outputs stand.
        if (entry.attemptsLeft > 0) {
          entry.checking = false;
          return this.later(id, entry, this.timings.retryMs);
        }
        return this.settle(id, entry);
      }
      const added = missingFrom(view.outputs, record.outputs);
      if (added.length > 0) {
        this.host.debug('the record lists outputs the live events did not', { id, added: added.length });
        await this.host.update({ ...view, outputs: mergeOutputs(view.outputs, added) });
      }
      this.settle(id, entry);
    } catch (error) {
      this.host.debug('record check failed', { id, error: errorMessage(error) });
      if (entry.attemptsLeft > 0 && !this.stopped) {
        entry.checking = false;
        this.later(id, entry, this.timings.retryMs);
      } else {
        this.settle(id, entry);
      }
    }
  }

  private settle(id: string, entry: Pending): void {
    clearTimeout(entry.timer);
    if (this.pending.get(id) === entry) this.pending.delete(id);
    entry.resolve();
  }
}

function missingFrom(known: readonly OutputRef[], record: readonly OutputRef[]): OutputRef[] {
  const keys = new Set(known.map(outputKey));
  return record.filter((ref) => !keys.has(outputKey(ref)));
}
