// Steering one server's queue where ComfyUI has no API for it: pause and resume, move jobs to the front or the back.
// Every step is a delete and a re-queue of the same prompt id with the exact prompt the server listed, and every step is
// made safe against crashes and races:
// - write-ahead: a job is in the held store, synced to disk, before the request that deletes it reaches the server;
// - a held job is queued again only after the server was asked whether it already has that prompt id (queued, running
//   or in its history), so a crash between the delete and the re-queue neither loses the job nor queues it twice;
// - every step is checked against the server's queue afterwards (a job that started meanwhile is left to run);
// - one step at a time per server.
import type { JobError } from '../../shared/app-state.js';
import type { QueuedPrompt, QueuePlacement } from '../comfy/queue-records.js';
import type { RemoteJob } from '../comfy/remote-jobs.js';
import type { EventSink } from '../emitter.js';
import { ComfyTrayError, errorCode, errorMessage } from '../errors.js';
import { createLogger } from '../logger.js';
import { PromptRejectedError, type JobBackend } from './backend.js';
import type { HeldJob, HeldQueueStore } from './held-queue-store.js';
import type { ServerTracker, TrackerEvents } from './server-tracker.js';

/** Why a job was left as it was. */
export type SteerSkip = 'started' | 'finished' | 'not-queued' | 'still-queued' | 'rejected' | 'will-retry';

export interface SteerOutcome {
  /** The jobs the action applied to, in the order it applied them. */
  readonly done: readonly string[];
  readonly skipped: readonly { readonly id: string; readonly reason: SkipReasonView }[];
}

export interface SkipReasonView {
  readonly code: SteerSkip;
  readonly message: string;
}

const LOOKUP_CONCURRENCY = 4;
/** How many re-queued jobs may pile up before the held store is rewritten without them (a crash re-checks them). */
const REMOVE_BATCH = 25;

type ServerPresence = 'queued' | 'running' | 'finished' | 'absent';

export class QueueSteering {
  private chain: Promise<unknown> = Promise.resolve();
  private holdWanted = false;
  private stopped = false;
  private readonly log;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly backend: JobBackend,
    private readonly tracker: ServerTracker,
    private readonly store: HeldQueueStore,
    private readonly events: EventSink<Pick<TrackerEvents, 'warning'>>,
    /** The paused state or the held jobs changed: the server's view is due again. */
    private readonly changed: () => void,
    private readonly now: () => number = Date.now,
  ) {
    this.log = createLogger(`Steering ${backend.name}`);
    const positions = new Map<string, number>();
    let positionsOf: readonly HeldJob[] | undefined;
    tracker.steerWith(
      {
        reasonOf: (id) => this.store.job(this.serverId, id)?.reason,
        positionOf: (id) => {
          const jobs = this.store.jobs(this.serverId);
          if (positionsOf !== jobs) {
            positions.clear();
            jobs.filter((job) => job.reason === 'paused').forEach((job, i) => positions.set(job.id, i + 1));
            positionsOf = jobs;
          }
          return positions.get(id);
        },
      },
      (pendingIds) => this.onListed(pendingIds),
    );
  }

  get serverId(): string {
    return this.backend.serverId;
  }

  get paused(): boolean {
    return this.store.paused(this.serverId);
  }

  get heldCount(): number {
    return this.store.jobs(this.serverId).length;
  }

  isHeld(id: string): boolean {
    return this.store.job(this.serverId, id) !== undefined;
  }

  /** Shows the held jobs at once, and on every (re)connect finishes whatever a crash or a lost connection left half done. */
  start(): void {
    for (const job of this.store.jobs(this.serverId)) this.tracker.showHeld(job);
    this.unsubscribe.push(this.backend.events.on('connected', () => void this.exclusive(() => this.recover()).catch((error: unknown) => this.warnFailed('recover', error))));
  }

  /** Resolves once no step is under way or queued (for tests and the CLI). */
  async settled(): Promise<void> {
    for (let chain = this.chain; ; chain = this.chain) {
      await chain.catch(() => undefined);
      if (chain === this.chain) return;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const off of this.unsubscribe.splice(0)) off();
    await this.chain.catch(() => undefined);
    await this.store.flush().catch(() => undefined);
  }

  // ---- actions ----

  /** Pauses the queue: the running job finishes; every pending job (anyone's) is taken off and held, now and later. */
  pause(): Promise<SteerOutcome> {
    return this.exclusive(async () => {
      this.supported();
      if (!this.paused) {
        await this.store.setPaused(this.serverId, true, this.now());
        this.changed();
      }
      return this.connected() ? this.hold() : { done: [], skipped: [] };
    });
  }

  /** Resumes: the held jobs go back on the server in their order, each under its own prompt id, unchanged. */
  resume(): Promise<SteerOutcome> {
    return this.exclusive(async () => {
      if (this.paused) {
        await this.store.setPaused(this.serverId, false, this.now());
        this.changed();
        this.tracker.refreshJobs(this.store.jobs(this.serverId).map((job) => job.id));
      }
      // Not connected: they go back at the next connect (recover).
      if (!this.connected() || this.store.jobs(this.serverId).length === 0) return { done: [], skipped: [] };
      return this.requeueHeld(this.store.jobs(this.serverId));
    });
  }

  moveToFront(ids: readonly string[]): Promise<SteerOutcome> {
    return this.exclusive(() => this.move(ids, 'front'));
  }

  moveToBack(ids: readonly string[]): Promise<SteerOutcome> {
    return this.exclusive(() => this.move(ids, 'back'));
  }

  /** Removes held jobs (never queued again: they end as cancelled); the ids the app does not hold are returned. */
  removeHeld(ids: readonly string[]): Promise<string[]> {
    return this.exclusive(async () => {
      const held = ids.filter((id) => this.store.job(this.serverId, id)?.reason === 'paused');
      await this.store.remove(this.serverId, held);
      for (const id of held) await this.tracker.endHeld(id, { status: 'cancelled', endedAt: this.backend.serverTime() });
      if (held.length > 0) this.changed();
      const removed = new Set(held);
      return ids.filter((id) => !removed.has(id));
    });
  }

  /** Clear pending while paused: the held jobs go too. */
  clearHeld(): Promise<void> {
    return this.exclusive(async () => {
      const held = this.store.jobs(this.serverId).filter((job) => job.reason === 'paused').map((job) => job.id);
      await this.store.remove(this.serverId, held);
      for (const id of held) await this.tracker.endHeld(id, { status: 'cancelled', endedAt: this.backend.serverTime() });
      if (held.length > 0) this.changed();
    });
  }

  // ---- steps ----

  /** Takes every pending job the app does not hold yet off the server: written down first, deleted, then checked. */
  private async hold(): Promise<SteerOutcome> {
    this.holdWanted = false;
    const active = await this.backend.listActive();
    const wanted = active.pending.filter((job) => !this.isHeld(job.id));
    if (wanted.length === 0) return { done: [], skipped: [] };
    const exact = await this.exactRecords(wanted.map((job) => job.id));
    const entries = wanted.flatMap((job) => {
      const record = exact.get(job.id);
      return record ? [this.entryFor(record, job, 'paused', { kind: 'append' })] : [];
    });
    const skipped: SteerOutcome['skipped'][number][] = wanted.filter((job) => !exact.has(job.id)).map((job) => ({ id: job.id, reason: skip('started') }));
    await this.store.add(this.serverId, entries);
    this.changed();
    for (const entry of entries) this.tracker.showHeld(entry);
    const outcome = await this.takeOff(entries);
    return { done: outcome.done, skipped: [...skipped, ...outcome.skipped] };
  }

  /**
   * Deletes jobs already written to the held store, then checks the queue: a job that started before the delete is left
   * to run (and leaves the store), a job the server still lists is left where it is.
   */
  private async takeOff(entries: readonly HeldJob[]): Promise<{ done: string[]; skipped: SteerOutcome['skipped'][number][] }> {
    if (entries.length === 0) return { done: [], skipped: [] };
    const ids = entries.map((entry) => entry.id);
    try {
      await this.backend.removePending(ids);
    } catch (error) {
      this.log.info('queue delete failed; checking what the server did', { code: errorCode(error) });
    }
    const after = await this.backend.listActive();
    const running = new Set(after.running.map((job) => job.id));
    const pending = new Set(after.pending.map((job) => job.id));
    const done: string[] = [];
    const skipped: SteerOutcome['skipped'][number][] = [];
    const release: string[] = [];
    for (const id of ids) {
      if (running.has(id)) {
        skipped.push({ id, reason: skip('started') });
        release.push(id);
      } else if (pending.has(id)) {
        skipped.push({ id, reason: skip('still-queued') });
        release.push(id);
      } else {
        done.push(id);
      }
    }
    await this.store.remove(this.serverId, release);
    if (release.length > 0) this.changed();
    this.tracker.refreshJobs(release);
    this.tracker.requestReconcile();
    return { done, skipped };
  }

  private async move(ids: readonly string[], to: 'front' | 'back'): Promise<SteerOutcome> {
    const wanted = new Set(ids);
    // Jobs held by a paused queue only change places among the held ones.
    const heldIds = this.store
      .jobs(this.serverId)
      .filter((job) => job.reason === 'paused' && wanted.has(job.id))
      .map((job) => job.id);
    if (heldIds.length > 0) {
      await this.store.reorder(this.serverId, heldIds, to);
      this.tracker.refreshJobs(this.store.jobs(this.serverId).map((job) => job.id));
    }
    const onServer = ids.filter((id) => !heldIds.includes(id));
    if (onServer.length === 0) return { done: heldIds, skipped: [] };
    this.supported();
    if (!this.connected()) throw new ComfyTrayError('COMFY_NOT_CONNECTED', `${this.backend.name} is not connected: its queue cannot be changed now`);
    const active = await this.backend.listActive();
    const queued = active.pending;
    const targets = queued.filter((job) => wanted.has(job.id) && !this.isHeld(job.id));
    const skipped: SteerOutcome['skipped'][number][] = onServer.filter((id) => !targets.some((job) => job.id === id)).map((id) => ({ id, reason: skip(active.running.some((job) => job.id === id) ? 'started' : 'not-queued') }));
    if (targets.length === 0) return { done: heldIds, skipped };
    const placements = placementsFor(targets, queued, to);
    const exact = await this.exactRecords(targets.map((job) => job.id));
    const entries = targets.flatMap((job, i) => {
      const record = exact.get(job.id);
      return record ? [this.entryFor(record, job, 'moving', placements[i]!)] : [];
    });
    for (const job of targets) if (!exact.has(job.id)) skipped.push({ id: job.id, reason: skip('started') });
    await this.store.add(this.serverId, entries);
    const taken = await this.takeOff(entries);
    skipped.push(...taken.skipped);
    const deleted = new Set(taken.done);
    // Jobs queued "to the front" without known queue numbers go in reverse: each later one lands before the earlier.
    const order = entries.filter((entry) => deleted.has(entry.id));
    if (order.some((entry) => entry.placement?.kind === 'front')) order.reverse();
    const requeued = await this.requeueHeld(order);
    await this.checkOrder(requeued.done, to);
    return { done: [...heldIds, ...requeued.done], skipped: [...skipped, ...requeued.skipped] };
  }

  /**
   * Queues held jobs again, in the given order, each only after the server said it does not have it already. What
   * made it back (or was found there) leaves the held store; a job the server refuses ends as failed, with its reason;
   * one that cannot be sent now stays held for the next try.
   */
  private async requeueHeld(entries: readonly HeldJob[]): Promise<SteerOutcome> {
    const presence = await this.presenceOf(entries.map((entry) => entry.id));
    const done: string[] = [];
    const skipped: SteerOutcome['skipped'][number][] = [];
    const leave: string[] = [];
    const flush = async (): Promise<void> => {
      await this.store.remove(this.serverId, leave.splice(0));
      this.changed();
    };
    for (const entry of entries) {
      if (this.stopped) break;
      const where = presence.get(entry.id) ?? 'absent';
      if (where !== 'absent') {
        // Already back (a crash after the re-queue), or it ran: never queued twice.
        leave.push(entry.id);
        if (where === 'queued') done.push(entry.id);
        else skipped.push({ id: entry.id, reason: skip(where === 'running' ? 'started' : 'finished') });
        continue;
      }
      const placement = this.paused && entry.reason === 'paused' ? undefined : (entry.placement ?? { kind: 'append' as const });
      if (!placement) continue;
      try {
        await this.requeueOne(entry, placement);
        done.push(entry.id);
        leave.push(entry.id);
      } catch (error) {
        if (error instanceof PromptRejectedError) {
          leave.push(entry.id);
          skipped.push({ id: entry.id, reason: { code: 'rejected', message: error.message } });
          await this.tracker.endHeld(entry.id, { status: 'failed', error: rejectionError(error), endedAt: this.backend.serverTime() });
          this.events.emit('warning', { serverId: this.serverId, code: 'QUEUE_REQUEUE_REJECTED', message: `${this.backend.name} refused to queue a held job again: ${error.message}` });
        } else {
          // Unknown whether it reached the queue: it stays held, and the next try asks the server first.
          skipped.push({ id: entry.id, reason: { code: 'will-retry', message: errorMessage(error) } });
        }
      }
      if (leave.length >= REMOVE_BATCH) await flush();
    }
    await flush();
    this.tracker.refreshJobs(entries.map((entry) => entry.id));
    this.tracker.requestReconcile();
    return { done, skipped };
  }

  private async requeueOne(entry: HeldJob, placement: QueuePlacement): Promise<void> {
    const requeue = this.backend.requeue?.bind(this.backend);
    if (!requeue) throw new ComfyTrayError('QUEUE_STEERING_UNSUPPORTED', `${this.backend.name} cannot queue a job again`);
    await requeue(entry, placement);
  }

  /** After a move: the moved jobs should now be first (or last) among the queued ones; anything else is reported. */
  private async checkOrder(moved: readonly string[], to: 'front' | 'back'): Promise<void> {
    if (moved.length === 0) return;
    const pending = (await this.backend.listActive()).pending.map((job) => job.id);
    const wanted = new Set(moved);
    const places = pending.map((id, i) => (wanted.has(id) ? i : -1)).filter((i) => i >= 0);
    const expected = to === 'front' ? places.every((place, i) => place === i) : places.every((place, i) => place === pending.length - places.length + i);
    if (!expected) {
      this.events.emit('warning', {
        serverId: this.serverId,
        code: 'QUEUE_ORDER_CHANGED',
        message: `${this.backend.name}: the moved jobs are queued, but another client changed the queue at the same time; check their order.`,
      });
    }
  }

  /**
   * After a (re)connect or a restart: finishes what was left half done. A held job the server still queues was not
   * deleted yet (a paused queue deletes it now; a move is simply dropped, the job is still where it was); one it runs
   * or ran is released; the rest go back on the server unless the queue is paused.
   */
  private async recover(): Promise<void> {
    if (this.stopped || !this.connected()) return;
    const jobs = this.store.jobs(this.serverId);
    if (jobs.length > 0) {
      const active = await this.backend.listActive();
      const queued = new Set(active.pending.map((job) => job.id));
      const running = new Set(active.running.map((job) => job.id));
      const release = jobs.filter((job) => running.has(job.id) || (queued.has(job.id) && !(this.paused && job.reason === 'paused')));
      const stillToDelete = jobs.filter((job) => queued.has(job.id) && this.paused && job.reason === 'paused');
      await this.store.remove(this.serverId, release.map((job) => job.id));
      this.tracker.refreshJobs(release.map((job) => job.id));
      await this.takeOff(stillToDelete);
      const rest = this.store.jobs(this.serverId).filter((job) => !(this.paused && job.reason === 'paused'));
      if (rest.length > 0) await this.requeueHeld(rest);
      this.changed();
    }
    if (this.paused) await this.hold();
  }

  // ---- helpers ----

  /** Every listing of the queue: a paused queue takes what newly arrived off the server. */
  private onListed(pendingIds: readonly string[]): void {
    if (!this.paused || this.stopped || this.holdWanted) return;
    if (!pendingIds.some((id) => !this.isHeld(id))) return;
    this.holdWanted = true;
    void this.exclusive(async () => {
      if (this.holdWanted && this.paused) await this.hold();
    }).catch((error: unknown) => this.warnFailed('hold', error));
  }

  /** Where each job is on the server now: queued, running, finished (its history has it), or nowhere. */
  private async presenceOf(ids: readonly string[]): Promise<Map<string, ServerPresence>> {
    const result = new Map<string, ServerPresence>();
    if (ids.length === 0) return result;
    const active = await this.backend.listActive();
    for (const job of active.running) result.set(job.id, 'running');
    for (const job of active.pending) result.set(job.id, 'queued');
    const unknown = ids.filter((id) => !result.has(id));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < unknown.length) {
        const id = unknown[next++]!;
        const record = await this.backend.lookup(id);
        if (record?.status === 'pending') result.set(id, 'queued');
        else if (record?.status === 'running') result.set(id, 'running');
        else if (record) result.set(id, 'finished');
        else result.set(id, 'absent');
      }
    };
    await Promise.all(Array.from({ length: Math.min(LOOKUP_CONCURRENCY, unknown.length) }, worker));
    return result;
  }

  private async exactRecords(ids: readonly string[]): Promise<Map<string, QueuedPrompt>> {
    const read = this.backend.queuedPrompts?.bind(this.backend);
    if (!read) throw new ComfyTrayError('QUEUE_STEERING_UNSUPPORTED', `${this.backend.name} does not give out the prompts of queued jobs`);
    // Only pending ones: a job that started meanwhile cannot be taken off any more.
    return new Map((await read(ids)).filter((job) => job.status === 'pending').map((job) => [job.id, job]));
  }

  private entryFor(record: QueuedPrompt, listed: RemoteJob, reason: HeldJob['reason'], placement: QueuePlacement): HeldJob {
    const shown = this.tracker.job(record.id);
    return {
      id: record.id,
      promptJson: record.promptJson,
      ...(record.extraDataJson !== undefined && { extraDataJson: record.extraDataJson }),
      ...(record.clientId !== undefined && { clientId: record.clientId }),
      ...(record.priority !== undefined && { priority: record.priority }),
      reason,
      placement,
      heldAt: this.now(),
      submittedBy: shown?.submittedBy ?? this.tracker.submitterOfClient(record.clientId),
      ...((shown?.workflowName ?? listed.workflowName) !== undefined && { workflowName: shown?.workflowName ?? listed.workflowName }),
      ...((shown?.createdAt ?? listed.createdAt) !== undefined && { createdAt: shown?.createdAt ?? listed.createdAt }),
    };
  }

  /** Why this server's queue cannot be steered (the views say it and offer no steering), or undefined when it can. */
  get unavailable(): string | undefined {
    if (this.backend.steeringUnavailable !== undefined) return this.backend.steeringUnavailable;
    if (!this.backend.queuedPrompts || !this.backend.requeue) return `${this.backend.name} does not let this app take jobs off its queue and queue them again`;
    return undefined;
  }

  private supported(): void {
    const why = this.unavailable;
    if (why !== undefined) throw new ComfyTrayError('QUEUE_STEERING_UNSUPPORTED', why);
  }

  private connected(): boolean {
    return this.backend.connection.state === 'connected';
  }

  private warnFailed(what: string, error: unknown): void {
    this.log.info(`${what} failed; the next connect or queue change tries again`, { code: errorCode(error), error: errorMessage(error) });
    this.events.emit('warning', { serverId: this.serverId, code: errorCode(error) ?? 'QUEUE_STEERING_FAILED', message: `${this.backend.name}: ${errorMessage(error)}` });
  }

  /** One step at a time per server; a failed step does not stop the next. */
  private exclusive<T>(step: () => Promise<T>): Promise<T> {
    const run = this.chain.catch(() => undefined).then(step);
    this.chain = run;
    return run;
  }
}

/**
 * Queue numbers that put the targets first (below every queued number) or last (above), in their current order; the
 * server orders its queue by (number, prompt id). Without numbers: ComfyUI's `front` flag, or an ordinary append.
 */
export function placementsFor(targets: readonly RemoteJob[], queued: readonly RemoteJob[], to: 'front' | 'back'): QueuePlacement[] {
  const numbers = queued.flatMap((job) => (job.priority !== undefined && Number.isFinite(job.priority) ? [job.priority] : []));
  if (numbers.length === 0 || numbers.length < queued.length) return targets.map(() => (to === 'front' ? { kind: 'front' } : { kind: 'append' }));
  if (to === 'front') {
    const lowest = numbers.reduce((a, b) => Math.min(a, b));
    return targets.map((_, i) => ({ kind: 'number', number: Math.floor(lowest) - (targets.length - i) }));
  }
  const highest = numbers.reduce((a, b) => Math.max(a, b));
  return targets.map((_, i) => ({ kind: 'number', number: Math.ceil(highest) + 1 + i }));
}

const SKIP_MESSAGES: Record<SteerSkip, string> = {
  started: 'it had already started',
  finished: 'it had already run',
  'not-queued': 'the server no longer queues it',
  'still-queued': 'the server kept it in its queue',
  rejected: 'the server refused it',
  'will-retry': 'it could not be sent; tried again at the next connect',
};

function skip(code: SteerSkip): SkipReasonView {
  return { code, message: SKIP_MESSAGES[code] };
}

function rejectionError(error: PromptRejectedError): JobError {
  return {
    exceptionType: 'PromptRejected',
    message: `Could not be queued again: ${error.message}`,
    traceback: error.nodeErrors.flatMap((node) => node.errors.map((e) => `node ${node.nodeId}${node.classType ? ` (${node.classType})` : ''}: ${e.message}${e.details ? ` ${e.details}` : ''}`)),
  };
}
