// Turns a stream of job endings into few, readable notifications: endings close together become one summary; the
// catch-ups after a reconnect or wake, from every server and however many triggers, become one digest; a server in
// "queue finished" mode is announced once when its queue drains; save failures close together become one; and a
// success waits (briefly) for its image to be saved, so the notification can show it and offer to open it.
import type { JobView } from '../../shared/app-state.js';
import { Batcher } from './batcher.js';
import {
  awaitsSavedImage,
  isPaused,
  kindSwitchedOn,
  notificationFor,
  saveFailedSummary,
  summaryFor,
  wantsNotification,
  wantsSaveFailedNotification,
  type NotificationContent,
  type NotifyContext,
  type SaveFailure,
} from './notification-model.js';
import { REAL_CLOCK, type PlannerClock } from './planner-clock.js';
import { RecentKeys } from './recent-keys.js';

export type { PlannerClock } from './planner-clock.js';

export interface PlannerTimings {
  /** Digests arriving within this window of each other (several servers, resume then unlock) are told as one. */
  readonly digestWindowMs: number;
  /** The longest a success waits for its image to be saved before it is told without it. */
  readonly saveWaitMs: number;
}

const DEFAULT_TIMINGS: PlannerTimings = { digestWindowMs: 1_000, saveWaitMs: 15_000 };

export class NotificationPlanner {
  private readonly endings: Batcher<JobView>;
  private readonly caughtUp: Batcher<JobView>;
  private readonly saveFailures: Batcher<SaveFailure>;
  /** Endings since each server's queue last drained, for the "queue finished" announcement. */
  private readonly sinceDrain = new Map<string, JobView[]>();
  /** Jobs whose ending was heard, live or caught up: a repeated event is not told twice. */
  private readonly heard = new RecentKeys();
  /** Jobs told already, on their own or in a summary. */
  private readonly told = new RecentKeys();
  /** Jobs whose saving ended, saved or failed: nothing to wait for. */
  private readonly saveSettled = new RecentKeys();
  private readonly saveFailureTold = new RecentKeys();
  /** Successes waiting for their image to be on disk. */
  private readonly held = new Map<string, { job: JobView; timer: unknown }>();
  private readonly timings: PlannerTimings;
  /** The app is quitting: endings heard while the engine stops are not told, nor start timers. */
  private disposed = false;

  constructor(
    private readonly context: () => Omit<NotifyContext, 'now'>,
    private readonly show: (notification: NotificationContent) => void,
    private readonly clock: PlannerClock = REAL_CLOCK,
    timings: Partial<PlannerTimings> = {},
  ) {
    this.timings = { ...DEFAULT_TIMINGS, ...timings };
    const batchWindow = (): number => this.context().settings.notifications.batchWindowMs;
    this.endings = new Batcher(clock, batchWindow, (jobs) => this.tellJobs(jobs, 'batch'));
    this.caughtUp = new Batcher(clock, () => this.timings.digestWindowMs, (jobs) => this.tellJobs(jobs, 'digest'));
    this.saveFailures = new Batcher(clock, batchWindow, (failures) => this.tellSaveFailures(failures));
  }

  /** A job ended (live, not caught up: those come through `digest`). */
  finished(job: JobView): void {
    if (this.disposed || !this.hear(job)) return;
    const ctx = this.ctx();
    // The drained-queue announcement tells the successes (what the mode stands in for) and the endings whose own
    // switch is on: with "Cancelled" off, cancelling a queue's only job is not announced as that job's ending.
    if (job.status === 'completed' || kindSwitchedOn(job, ctx.settings)) {
      const list = this.sinceDrain.get(job.serverId) ?? [];
      list.push(job);
      this.sinceDrain.set(job.serverId, list);
    }
    if (!wantsNotification(job, ctx)) return;
    // "Queue finished" is a mode: the server's other endings wait for the drained queue; problems are told at once.
    if (queueFinishedMode(job.serverId, ctx) && !isProblem(job)) return;
    this.endings.add(job);
  }

  /** Jobs that ended while we were away, from one server: all servers' digests close together are told as one. */
  digest(jobs: readonly JobView[]): void {
    if (this.disposed) return;
    const ctx = this.ctx();
    for (const job of jobs) {
      if (this.hear(job) && wantsNotification(job, ctx)) this.caughtUp.add(job);
    }
  }

  /** The server has nothing left to run. */
  queueDrained(serverId: string): void {
    if (this.disposed) return;
    const jobs = this.sinceDrain.get(serverId) ?? [];
    this.sinceDrain.delete(serverId);
    const ctx = this.ctx();
    if (jobs.length === 0 || !queueFinishedMode(serverId, ctx) || !ctx.settings.notifications.enabled || isPaused(ctx.settings, ctx.now)) return;
    // The server's endings still waiting in the batch are told by this announcement instead of just before it.
    this.endings.take((job) => job.serverId === serverId);
    if (jobs.length > 1) this.tellSummary(jobs, 'queue-finished');
    else if (!this.told.has(jobKey(jobs[0]!))) this.tellJob(jobs[0]!);
  }

  /** Every wanted output of the job is on disk: a success waiting for its image is told now. */
  saved(serverId: string, jobId: string): void {
    if (this.disposed) return;
    const key = keyOf(serverId, jobId);
    this.saveSettled.add(key);
    this.release(key);
  }

  /** Saving the job's outputs failed (the saver retries): told once per job, failures close together as one. */
  saveFailed(failure: SaveFailure): void {
    if (this.disposed) return;
    const key = keyOf(failure.serverId, failure.jobId);
    this.saveSettled.add(key);
    this.release(key);
    if (this.saveFailureTold.has(key) || !wantsSaveFailedNotification(failure.serverId, this.ctx())) return;
    this.saveFailureTold.add(key);
    this.saveFailures.add(failure);
  }

  /** Tells what waits in a batch now (successes waiting for their image keep waiting). */
  flush(): void {
    if (this.disposed) return;
    this.endings.flush();
    this.caughtUp.flush();
    this.saveFailures.flush();
  }

  /** Drops everything waiting and its timers, and ignores every later call (the app is quitting). */
  dispose(): void {
    this.disposed = true;
    this.endings.clear();
    this.caughtUp.clear();
    this.saveFailures.clear();
    for (const { timer } of this.held.values()) this.clock.clearTimeout(timer);
    this.held.clear();
    this.sinceDrain.clear();
  }

  private hear(job: JobView): boolean {
    const key = jobKey(job);
    if (this.heard.has(key)) return false;
    this.heard.add(key);
    return true;
  }

  private tellJobs(jobs: readonly JobView[], kind: 'batch' | 'digest'): void {
    // A pause set while the batch waited applies to it.
    if (!this.mayShow()) return;
    if (jobs.length === 1) this.tellJob(jobs[0]!);
    else this.tellSummary(jobs, kind);
  }

  private tellSummary(jobs: readonly JobView[], kind: 'batch' | 'digest' | 'queue-finished'): void {
    for (const job of jobs) this.told.add(jobKey(job));
    this.show(summaryFor(jobs, this.ctx(), kind));
  }

  private tellJob(job: JobView): void {
    const key = jobKey(job);
    this.told.add(key);
    const ctx = this.ctx();
    if (!awaitsSavedImage(job, ctx.settings) || this.saveSettled.has(key)) {
      this.show(notificationFor(job, ctx));
      return;
    }
    if (this.held.has(key)) return;
    this.held.set(key, { job, timer: this.clock.setTimeout(() => this.release(key), this.timings.saveWaitMs) });
  }

  private release(key: string): void {
    const held = this.held.get(key);
    if (!held) return;
    this.held.delete(key);
    this.clock.clearTimeout(held.timer);
    if (this.mayShow()) this.show(notificationFor(held.job, this.ctx()));
  }

  private tellSaveFailures(failures: readonly SaveFailure[]): void {
    if (this.mayShow()) this.show(saveFailedSummary(failures, this.ctx()));
  }

  private mayShow(): boolean {
    if (this.disposed) return false;
    const ctx = this.ctx();
    return ctx.settings.notifications.enabled && !isPaused(ctx.settings, ctx.now);
  }

  private ctx(): NotifyContext {
    return { ...this.context(), now: this.clock.now() };
  }
}

function queueFinishedMode(serverId: string, ctx: NotifyContext): boolean {
  const server = ctx.settings.servers.find((s) => s.id === serverId);
  return server?.notifications?.queueFinished ?? ctx.settings.notifications.kinds.queueFinished;
}

function isProblem(job: JobView): boolean {
  return job.status === 'failed' || job.status === 'lost';
}

function jobKey(job: JobView): string {
  return keyOf(job.serverId, job.id);
}

function keyOf(serverId: string, jobId: string): string {
  return `${serverId}\u0000${jobId}`;
}
