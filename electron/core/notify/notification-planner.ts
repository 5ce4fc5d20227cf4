// Turns a stream of job endings into few, readable notifications: endings close together become one summary, a
// catch-up after reconnect or wake becomes one digest, and a drained queue can say so once.
import type { JobView } from '../../shared/app-state.js';
import { isPaused, notificationFor, summaryFor, wantsNotification, type NotificationContent, type NotifyContext } from './notification-model.js';

export interface PlannerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const REAL_CLOCK: PlannerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

const MAX_WINDOWS_PER_BATCH = 6;

export class NotificationPlanner {
  private batch: JobView[] = [];
  private timer: unknown;
  private batchStartedAt = 0;
  /** Endings since each server's queue last drained, for the "queue finished" summary. */
  private readonly sinceDrain = new Map<string, JobView[]>();

  constructor(
    private readonly context: () => Omit<NotifyContext, 'now'>,
    private readonly show: (notification: NotificationContent) => void,
    private readonly clock: PlannerClock = REAL_CLOCK,
  ) {}

  /** A job ended (live, not caught up: those come through `digest`). */
  finished(job: JobView): void {
    const list = this.sinceDrain.get(job.serverId) ?? [];
    list.push(job);
    this.sinceDrain.set(job.serverId, list);
    if (!wantsNotification(job, this.ctx())) return;
    if (this.batch.length === 0) this.batchStartedAt = this.clock.now();
    this.batch.push(job);
    // The window restarts with each ending, so a batch of 20 finishing over a few seconds is one notification; a
    // steady stream is still told at least every few windows.
    const window = this.context().settings.notifications.batchWindowMs;
    const deadline = this.batchStartedAt + window * MAX_WINDOWS_PER_BATCH;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => this.flush(), Math.max(0, Math.min(window, deadline - this.clock.now())));
  }

  /** Jobs that ended while we were away: one digest, never one notification each. */
  digest(jobs: readonly JobView[]): void {
    const ctx = this.ctx();
    const wanted = jobs.filter((job) => wantsNotification(job, ctx));
    if (wanted.length === 0) return;
    this.show(wanted.length === 1 ? notificationFor(wanted[0]!, ctx) : summaryFor(wanted, ctx, 'digest'));
  }

  /** The server has nothing left to run. */
  queueDrained(serverId: string): void {
    const jobs = this.sinceDrain.get(serverId) ?? [];
    this.sinceDrain.delete(serverId);
    const ctx = this.ctx();
    const server = ctx.settings.servers.find((s) => s.id === serverId);
    const wanted = server?.notifications?.queueFinished ?? ctx.settings.notifications.kinds.queueFinished;
    if (!wanted || jobs.length < 2 || !ctx.settings.notifications.enabled || isPaused(ctx.settings, ctx.now)) return;
    this.flush();
    this.show(summaryFor(jobs, ctx, 'queue-finished'));
  }

  flush(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const jobs = this.batch;
    this.batch = [];
    if (jobs.length === 0) return;
    const ctx = this.ctx();
    this.show(jobs.length === 1 ? notificationFor(jobs[0]!, ctx) : summaryFor(jobs, ctx, 'batch'));
  }

  private ctx(): NotifyContext {
    return { ...this.context(), now: this.clock.now() };
  }
}
