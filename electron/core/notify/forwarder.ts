// Forwards chosen notifications (done, failed, queue finished, server offline) to the targets in the settings, beside
// the local notifications and never in their way: everything here runs after them, on its own queue per target.
// Endings close together go out as one message, as locally; a target in "queue finished" mode gets its successes
// with the drained queue. A failed request is tried again with capped backoff; a target that still fails is
// reported once (until it works again). Nothing is sent while notifications are off or paused.
import type { JobView, ServerView } from '../../shared/app-state.js';
import { errorMessage } from '../errors.js';
import { createLogger } from '../logger.js';
import type { Settings } from '../store/settings-schema.js';
import { Batcher } from './batcher.js';
import { httpSend, type DeliveryOutcome, type Send } from './forward-delivery.js';
import { forwardEventOf, jobMessage, offlineMessage, summaryMessage, testMessage } from './forward-messages.js';
import { forwardRequest, type ForwardImage, type ForwardMessage } from './forward-request.js';
import { missingSecret, type ForwardEvent, type ForwardTarget } from './forward-settings.js';
import { isPaused, type NotifyContext } from './notification-model.js';
import { REAL_CLOCK, type PlannerClock } from './planner-clock.js';

export interface RetryPolicy {
  /** Tries per message, the first included. */
  readonly attempts: number;
  readonly firstDelayMs: number;
  /** Cap of the delay between two tries (also of a receiver's Retry-After). */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, firstDelayMs: 2_000, maxDelayMs: 60_000 };

export interface ForwarderOptions {
  /** The settings now; targets carry their secrets (revealed by the settings store). */
  readonly settings: () => Settings;
  readonly serverName: (serverId: string) => string;
  /** A finished job's picture, small enough to send (the shell scales it down); undefined when there is none. */
  readonly thumbnail?: (job: JobView) => Promise<ForwardImage | undefined>;
  /** Tells the user, once per outage, that a target keeps failing (the shell shows a local notification). */
  readonly notice: (message: string) => void;
  readonly send?: Send;
  readonly clock?: PlannerClock;
  readonly retry?: RetryPolicy;
}

/** Kinds a thumbnail goes with: Slack's incoming webhooks cannot take a file. */
const TAKES_IMAGES = new Set<ForwardTarget['kind']>(['ntfy', 'webhook', 'discord']);

export class Forwarder {
  private readonly log = createLogger('Forward');
  private readonly endings: Batcher<JobView>;
  private readonly caughtUp: Batcher<JobView>;
  /** Endings since each server's queue last drained (for targets in "queue finished" mode). */
  private readonly sinceDrain = new Map<string, JobView[]>();
  /** Servers seen connected, and those whose outage was told (once per outage). */
  private readonly connectedOnce = new Set<string>();
  private readonly offlineTold = new Set<string>();
  /** One chain of deliveries per target: its messages go out in order, one at a time. */
  private readonly chains = new Map<string, Promise<void>>();
  /** Targets whose failure was reported; cleared by their next success. */
  private readonly failing = new Set<string>();
  private readonly abort = new AbortController();
  private readonly send: Send;
  private readonly clock: PlannerClock;
  private readonly retry: RetryPolicy;
  private disposed = false;

  constructor(private readonly options: ForwarderOptions) {
    this.send = options.send ?? httpSend;
    this.clock = options.clock ?? REAL_CLOCK;
    this.retry = options.retry ?? DEFAULT_RETRY;
    const window = (): number => options.settings().notifications.batchWindowMs;
    this.endings = new Batcher(this.clock, window, (jobs) => this.forwardJobs(jobs, 'batch'));
    this.caughtUp = new Batcher(this.clock, () => 1_000, (jobs) => this.forwardJobs(jobs, 'digest'));
  }

  /** A job ended, live. */
  finished(job: JobView): void {
    if (this.disposed || forwardEventOf(job) === undefined) return;
    const list = this.sinceDrain.get(job.serverId) ?? [];
    list.push(job);
    this.sinceDrain.set(job.serverId, list);
    if (this.mayForward()) this.endings.add(job);
  }

  /** Jobs that ended while the app was away (told together, like the local digest). */
  digest(jobs: readonly JobView[]): void {
    if (this.disposed || !this.mayForward()) return;
    for (const job of jobs) if (forwardEventOf(job) !== undefined) this.caughtUp.add(job);
  }

  /** The server has nothing left to run: targets in "queue finished" mode hear about what ran. */
  queueDrained(serverId: string): void {
    if (this.disposed) return;
    const jobs = this.sinceDrain.get(serverId) ?? [];
    this.sinceDrain.delete(serverId);
    if (jobs.length === 0 || !this.mayForward()) return;
    const ctx = this.ctx();
    for (const target of this.targets('queueFinished')) this.deliver(target, summaryMessage(jobs, ctx, 'queue-finished'));
  }

  /** A server's connection changed: one that was up and is now offline is told once per outage. */
  server(view: ServerView): void {
    if (this.disposed) return;
    if (view.state === 'connected') {
      this.connectedOnce.add(view.id);
      this.offlineTold.delete(view.id);
      return;
    }
    if (view.state !== 'offline' || !this.connectedOnce.has(view.id) || this.offlineTold.has(view.id)) return;
    this.offlineTold.add(view.id);
    if (!this.mayForward()) return;
    for (const target of this.targets('serverOffline')) this.deliver(target, offlineMessage(view, this.clock.now()));
  }

  /** "Send test": one request now, whatever the switches and the pause say; its outcome, not retried. */
  async test(target: ForwardTarget): Promise<DeliveryOutcome> {
    if (missingSecret(target)) return notConfigured(target);
    const outcome = await this.send(forwardRequest(target, testMessage(target.name, this.clock.now())), this.abort.signal);
    if (outcome.ok) this.failing.delete(target.id);
    return outcome;
  }

  /** Resolves once every delivery under way has ended (delivered, or given up). */
  async settled(): Promise<void> {
    while (this.chains.size > 0) await Promise.all(this.chains.values());
  }

  /** Tells what waits in a batch now. */
  flush(): void {
    this.endings.flush();
    this.caughtUp.flush();
  }

  /** Drops what waits, ends requests under way, and ignores every later call (the app is quitting). */
  dispose(): void {
    this.disposed = true;
    this.endings.clear();
    this.caughtUp.clear();
    this.abort.abort();
  }

  private forwardJobs(jobs: readonly JobView[], kind: 'batch' | 'digest'): void {
    // A pause set while the batch waited applies to it.
    if (this.disposed || !this.mayForward()) return;
    const ctx = this.ctx();
    for (const target of this.enabledTargets()) {
      const mode = target.events.queueFinished;
      // In "queue finished" mode successes come with the drained queue; failures are told at once.
      const wanted = jobs.filter((job) => {
        const event = forwardEventOf(job);
        return event !== undefined && target.events[event] && !(mode && event === 'done' && kind === 'batch');
      });
      if (wanted.length === 0) continue;
      if (wanted.length > 1) {
        this.deliver(target, summaryMessage(wanted, ctx, kind));
        continue;
      }
      const job = wanted[0]!;
      this.deliver(target, jobMessage(job, ctx), job.status === 'completed' && TAKES_IMAGES.has(target.kind) ? job : undefined);
    }
  }

  private deliver(target: ForwardTarget, message: ForwardMessage, pictureOf?: JobView): void {
    const previous = this.chains.get(target.id) ?? Promise.resolve();
    const next = previous
      .then(async () => {
        const picture = pictureOf && (await this.options.thumbnail?.(pictureOf).catch(() => undefined));
        await this.deliverNow(target.id, picture ? { ...message, thumbnail: picture } : message);
      })
      .catch((error: unknown) => this.log.error('forwarding failed', { error: errorMessage(error) }))
      .finally(() => {
        if (this.chains.get(target.id) === next) this.chains.delete(target.id);
      });
    this.chains.set(target.id, next);
  }

  private async deliverNow(targetId: string, message: ForwardMessage): Promise<void> {
    // The target as it is now: switched off, removed or changed while the message waited.
    const target = this.enabledTargets().find((candidate) => candidate.id === targetId);
    if (!target || this.disposed) return;
    if (missingSecret(target)) return this.failed(target, notConfigured(target));
    // One delivery id for every try, so a receiver can tell a repeat.
    const request = forwardRequest(target, message);
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.send(request, this.abort.signal);
      if (this.disposed) return;
      if (outcome.ok) {
        this.failing.delete(target.id);
        return;
      }
      if (!outcome.retry || attempt >= this.retry.attempts) return this.failed(target, outcome);
      const backoff = Math.min(this.retry.maxDelayMs, outcome.retryAfterMs ?? this.retry.firstDelayMs * 2 ** (attempt - 1));
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, backoff));
      if (this.disposed) return;
    }
  }

  private failed(target: ForwardTarget, outcome: Extract<DeliveryOutcome, { ok: false }>): void {
    // The notice is what the user sees; the log keeps each failure (no URL, no secret).
    this.log.info('forwarding failed', { target: target.name, code: outcome.code });
    if (this.failing.has(target.id)) return;
    this.failing.add(target.id);
    this.options.notice(`Forwarding to ${target.name} is failing: ${outcome.message} [${outcome.code}]. Comfy Tray says so again only after it has worked once.`);
  }

  private mayForward(): boolean {
    const { notifications } = this.options.settings();
    return !this.disposed && notifications.enabled && !isPaused(this.options.settings(), this.clock.now());
  }

  private enabledTargets(): ForwardTarget[] {
    return this.options.settings().notifications.forwarding.filter((target) => target.enabled);
  }

  private targets(event: ForwardEvent): ForwardTarget[] {
    return this.enabledTargets().filter((target) => target.events[event]);
  }

  private ctx(): NotifyContext {
    return { settings: this.options.settings(), serverName: this.options.serverName, now: this.clock.now() };
  }
}

function notConfigured(target: ForwardTarget): Extract<DeliveryOutcome, { ok: false }> {
  return { ok: false, retry: false, code: 'FORWARD_NOT_CONFIGURED', message: `${target.name} has no webhook URL (enter it again in Settings)` };
}
