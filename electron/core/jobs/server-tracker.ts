// Follows every job on one server. Live socket events give progress for jobs addressed to us (and the broadcast
// progress of prompts without a client id); reconciliation against the server's own lists (on every `status`
// broadcast, every (re)connect and a slow probe) finds everything else. Only `finish` announces a job, once.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { isTerminal, type JobView, type ServerProblem, type TerminalJobStatus } from '../../shared/app-state.js';
import type { ServerMessage } from '../comfy/messages.js';
import { mergeOutputs, outputsOfNode } from '../comfy/outputs.js';
import { nodeInfoOf, type ActiveJobs, type RemoteJob } from '../comfy/remote-jobs.js';
import type { EventSink } from '../emitter.js';
import { ComfyTrayError, HttpStatusError, errorCode, errorMessage } from '../errors.js';
import { createLogger } from '../logger.js';
import { PromptRejectedError, type JobBackend, type SubmitRequest, type SubmitResult } from './backend.js';
import type { DurationHistory } from './duration-history.js';
import type { HeldJob, HoldReason } from './held-queue-store.js';
import { sampleOfRun } from './duration-estimate.js';
import { changedActiveRecords } from './active-records.js';
import type { FinishedRecord, Journal } from './journal.js';
import { jobName } from '../comfy/job-name.js';
import { RecordFollowUp } from './record-follow-up.js';
import { nextStepRate } from './step-rate.js';
import { sharedWorkflowSignature } from '../comfy/workflow-signature.js';
import { applyRemoteFields, newTrackedJob, nodeLabel, overallProgress, toView, withTitle, type Terminal, type TrackedJob } from './tracked-job.js';

export interface TrackerEvents {
  /** Any visible change of a job. */
  job: JobView;
  /** A job the tracker stopped showing without it finishing (a submission the server refused). */
  'job-removed': { serverId: string; id: string };
  /** Exactly once per job that ends, whatever told us. */
  'job-finished': JobView;
  preview: { serverId: string; jobId: string; mime: string; image: Buffer };
  /** Jobs that finished while we were not watching, announced together after a (re)connect. */
  digest: { serverId: string; jobs: readonly JobView[] };
  warning: { serverId: string; code: string; message: string };
  /** The server's job lists stopped (or started again) being readable: a state the views show. */
  'server-problem': { serverId: string; problem: ServerProblem | undefined };
  /** The server restarted (its queue and history are gone); `lostJobs` of ours and others' were waiting or running. */
  restarted: { serverId: string; lostJobs: number };
}

/** The jobs the app holds off this server's queue (queue-steering.ts): never judged missing while held. */
export interface HeldJobs {
  /** 'paused': held by a paused queue (shown as held); 'moving': between the delete and the re-queue of a move. */
  reasonOf(id: string): HoldReason | undefined;
  /** 1 = queued again first. */
  positionOf(id: string): number | undefined;
}

export interface TrackerOptions {
  /** How long to wait before deciding a job the server does not know is gone (it may be between lists). */
  readonly recheckDelayMs?: number;
  readonly maxFinishedInMemory?: number;
  /** Reconcile at least this often while the server has work, even when nothing seems to change. */
  readonly safetyIntervalMs?: number;
}

type HistoryState = 'intact' | 'cleared' | 'unknown';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Enough for what finishes between two looks; catching up reads on in longer pages. */
const FIRST_PAGE_SIZE = 20;
/** ComfyUI keeps 10,000 history entries: a look never needs to read more. */
const MAX_DISCOVERED = 10_000;
/**
 * Requests for pages one look may make: those 10,000 in pages of 100 or more after the first (see `JobBackend`).
 * Counted apart from the jobs found, which a server repeating itself (or sending empty pages) never adds to.
 */
const MAX_PAGES_PER_LOOK = 1 + Math.ceil(MAX_DISCOVERED / 100);
/** How many of the newest finished jobs mark where a look began (one is enough unless the user deletes some). */
const ANCHOR_COUNT = 20;
/** Only jobs ordered this long before the last look's newest job stop a look by time (server clocks can step). */
const HORIZON_MARGIN_MS = 60_000;
const ANNOUNCE_CHUNK = 200;
const BASELINE_CLOCK_MARGIN_MS = 2_000;
/** Besides the witness, how many of the last look's newest jobs are looked up before judging the history cleared. */
const WITNESS_SECONDS = 3;
const RECONCILE_PAUSE_FACTOR = 3;
const MAX_RECONCILE_PAUSE_MS = 10_000;
const LOOKUP_CONCURRENCY = 4;
/** Failed looks in a row before the failure is shown (one can be a restart racing the request). */
const FAILURES_BEFORE_PROBLEM = 2;
/** A failed look is retried on its own, sooner at first: live events still come, other clients' jobs do not. */
const FIRST_RETRY_AFTER_FAILURE_MS = 1_000;
const MAX_RETRY_AFTER_FAILURE_MS = 60_000;

export class ServerTracker {
  private readonly active = new Map<string, TrackedJob>();
  private readonly finished = new Map<string, JobView>();
  /** The latest live preview of each running job (only the newest is kept: previews are many and large). */
  private readonly previews = new Map<string, { mime: string; image: Buffer }>();
  /** Announcements in flight (the journal write comes first), by job id. */
  private readonly finishing = new Map<string, Promise<JobView | undefined>>();
  private readonly log;
  private readonly serverId: string;
  private readonly unsubscribe: (() => void)[] = [];
  private epoch = 0;
  private catchUpPending = false;
  private reconciling: Promise<void> | undefined;
  private reconcileAgain = false;
  /** Reconciliations started so far; orders listings against our own submissions. */
  private reconciliations = 0;
  private recheckTimer: NodeJS.Timeout | undefined;
  /** Looks that failed in a row, and what the views are told about it. */
  private failedLooks = 0;
  private problem: ServerProblem | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  /** A listing with repeated ids was reported (once per tracker: it is the server's doing, not news each look). */
  private toldRepeatedIds = false;
  private lastRunningId: string | undefined;
  private lastReconcileAt = 0;
  /** When the current connection was made, on the server's clock. */
  private connectedAt = 0;
  private stopped = false;
  /** Own jobs announced from their live events, checked against the server's record once it is written. */
  private readonly followUp: RecordFollowUp;
  /** A look at the queue's prompts in flight (describeActive), and the jobs it was asked about already. */
  private describing: Promise<void> | undefined;
  private readonly described = new Set<string>();
  private held: HeldJobs | undefined;
  private reconciled: ((pendingIds: readonly string[]) => void) | undefined;

  constructor(
    private readonly backend: JobBackend,
    private readonly journal: Journal,
    private readonly events: EventSink<TrackerEvents>,
    private readonly options: TrackerOptions = {},
    /** Where finished runs are remembered and estimates come from; no estimates without it. */
    private readonly durations?: DurationHistory,
  ) {
    this.serverId = backend.serverId;
    this.log = createLogger(`Tracker ${backend.name}`);
    this.followUp = new RecordFollowUp({
      lookup: (id) => this.backend.lookup(id),
      announced: async (id) => {
        const view = (await this.finishing.get(id)) ?? this.finished.get(id);
        return view && isTerminal(view.status) ? { ...view, status: view.status } : undefined;
      },
      update: async (view) => {
        await this.recordView(view);
        if (this.finished.has(view.id)) this.finished.set(view.id, view);
        this.events.emit('job', view);
      },
      debug: (message, fields) => this.log.debug(message, fields),
    });
    for (const record of journal.finishedJobs(this.serverId)) this.finished.set(record.id, fromFinishedRecord(this.serverId, record));
    for (const record of journal.activeJobs(this.serverId)) {
      this.active.set(record.id, newTrackedJob(record.id, { ...record, epoch: -1 }));
    }
  }

  /**
   * Wires the queue steering in (before `start`): which jobs are held, and after every look the ids of the jobs the
   * server listed as waiting (ids, not the listing: a legacy `/queue` listing holds every prompt).
   */
  steerWith(held: HeldJobs, onReconciled: (pendingIds: readonly string[]) => void): void {
    this.held = held;
    this.reconciled = onReconciled;
  }

  /** Shows a job the app holds (adopting it when only the held store knew it, after a crash). */
  showHeld(entry: HeldJob): void {
    let job = this.active.get(entry.id);
    if (!job) {
      if (this.finishing.has(entry.id) || this.journal.isSettled(this.serverId, entry.id)) return;
      const prompt = parseForDisplay(entry.promptJson);
      job = newTrackedJob(entry.id, {
        status: 'pending',
        submittedBy: entry.submittedBy,
        epoch: this.epoch,
        ...(entry.workflowName !== undefined && { workflowName: entry.workflowName }),
        ...(entry.createdAt !== undefined && { createdAt: entry.createdAt }),
        ...nodeInfoOf(prompt),
        ...signatureOf(prompt),
      });
      this.active.set(entry.id, job);
      this.persistActive();
    }
    this.emitJob(job);
  }

  /** Sends the views of these jobs again (held, or no longer). */
  refreshJobs(ids: Iterable<string>): void {
    for (const id of ids) {
      const job = this.active.get(id);
      if (job) this.emitJob(job);
    }
  }

  /** Ends a held job that will not go back on the server (removed by the user, refused by the server). */
  async endHeld(id: string, terminal: Terminal): Promise<void> {
    const job = this.active.get(id);
    if (job) await this.finish(job, terminal, false);
  }

  /** Who queued a job, from the client id it was queued with. */
  submitterOfClient(clientId: string | undefined): 'this-app' | 'other' {
    return this.journal.isOwnClientId(this.serverId, clientId) ? 'this-app' : 'other';
  }

  start(): void {
    this.unsubscribe.push(
      this.backend.events.on('message', (message) => this.onMessage(message)),
      this.backend.events.on('warning', ({ code, message }) => this.events.emit('warning', { serverId: this.serverId, code, message })),
      this.backend.events.on('connected', () => {
        this.connectedAt = this.backend.serverTime();
        this.epoch++;
        this.catchUpPending = true;
        this.requestReconcile();
      }),
      this.backend.events.on('probe', ({ queueRemaining }) => {
        // The slow safety net: reconcile when the server's queue size disagrees with ours, or now and then anyway.
        const believed = [...this.active.values()].filter((job) => !job.live && this.held?.reasonOf(job.id) === undefined).length;
        const stale = Date.now() - this.lastReconcileAt > (this.options.safetyIntervalMs ?? 120_000);
        if (queueRemaining !== believed || (stale && (queueRemaining > 0 || believed > 0))) this.requestReconcile();
      }),
    );
    // A service that follows jobs by id (ComfyControl) is told which ones: those still waiting from the last run.
    for (const id of this.active.keys()) this.backend.watchJob?.(id);
    this.backend.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.followUp.stop();
    for (const off of this.unsubscribe.splice(0)) off();
    if (this.recheckTimer) clearTimeout(this.recheckTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.reconciling?.catch(() => undefined);
    await Promise.allSettled(this.finishing.values());
    this.persistActive();
    await this.backend.stop();
  }

  jobs(): JobView[] {
    return [...this.finished.values(), ...[...this.active.values()].map((job) => this.view(job))];
  }

  /**
   * Resolves once an own job announced from its live events was checked against the server's record (its outputs
   * completed from it), at once for any other job: what the saver waits for before it looks at a job's outputs.
   */
  recordChecked(id: string): Promise<void> {
    return this.followUp.checked(id);
  }

  latestPreview(id: string): { mime: string; image: Buffer } | undefined {
    return this.previews.get(id);
  }

  job(id: string): JobView | undefined {
    const active = this.active.get(id);
    return active ? this.view(active) : this.finished.get(id);
  }

  // ---- commands ----

  async submit(request: SubmitRequest): Promise<SubmitResult> {
    const promptId = request.promptId ?? randomUUID();
    if (!UUID.test(promptId)) throw new PromptRejectedError('A prompt id must be a lowercase UUID', 'invalid_prompt_id', []);
    if (this.active.has(promptId) || this.journal.isSettled(this.serverId, promptId)) {
      throw new PromptRejectedError(`Prompt id ${promptId} was already used on this server`, 'duplicate_prompt_id', []);
    }
    const job = newTrackedJob(promptId, {
      status: 'pending',
      submittedBy: 'this-app',
      epoch: this.epoch,
      // Job times are the server's: keep ours on its clock too.
      createdAt: this.backend.serverTime(),
      ...nodeInfoOf(request.prompt),
      ...signatureOf(request.prompt),
      ...nameFor(request),
    });
    // Recorded before the request goes out: if we crash or time out, reconciliation finds the job by its id.
    job.listedFrom = Number.POSITIVE_INFINITY;
    this.active.set(promptId, job);
    this.persistActive();
    await this.journal.flush();
    this.emitJob(job);
    try {
      const result = await this.backend.submit({ ...request, promptId });
      job.listedFrom = this.reconciliations + 1;
      this.requestReconcile();
      return result;
    } catch (error) {
      if (!(await this.queuedDespite(error, promptId))) {
        this.active.delete(promptId);
        this.persistActive();
        this.events.emit('job-removed', { serverId: this.serverId, id: promptId });
        throw error;
      }
      job.listedFrom = this.reconciliations + 1;
      return { promptId, nodeErrors: [] };
    }
  }

  async cancel(id: string): Promise<boolean> {
    const job = this.active.get(id);
    if (job) job.cancelRequested = true;
    const cancelled = await this.backend.cancel(id, job?.status === 'running' || this.lastRunningId === id);
    this.requestReconcile();
    return cancelled;
  }

  async removePending(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      const job = this.active.get(id);
      if (job) job.cancelRequested = true;
    }
    await this.backend.removePending(ids);
    this.requestReconcile();
  }

  async clearPending(): Promise<void> {
    for (const job of this.active.values()) if (job.status === 'pending') job.cancelRequested = true;
    await this.backend.clearPending();
    this.requestReconcile();
  }

  /**
   * A job the user points to by its id on a service that cannot list jobs (a ComfyControl run): tracked, kept in the
   * journal and announced like any other from now on. A job already known is left as it is.
   */
  follow(id: string): JobView {
    const known = this.job(id);
    if (known) return known;
    const job = newTrackedJob(id, { status: 'pending', submittedBy: 'this-app', epoch: this.epoch });
    this.active.set(id, job);
    this.persistActive();
    this.emitJob(job);
    this.backend.watchJob?.(id);
    this.requestReconcile();
    return this.view(job);
  }

  /** The server's current answer for one job (queue position included), merged with what we know. */
  async lookup(id: string): Promise<JobView | undefined> {
    const active = await this.backend.listActive();
    const pendingIndex = active.pending.findIndex((job) => job.id === id);
    const queued = active.running.find((job) => job.id === id) ?? active.pending[pendingIndex];
    const record = queued ?? (await this.backend.lookup(id));
    const known = this.job(id);
    if (!record) return known;
    if (known && (known.status === 'lost' || !queued) && record.status === 'pending') return known;
    const job = newTrackedJob(id, {
      status: record.status,
      submittedBy: known?.submittedBy ?? this.submitterOf(record),
      epoch: this.epoch,
      ...(pendingIndex >= 0 && { queuePosition: pendingIndex + 1 }),
    });
    applyRemoteFields(job, record);
    if (record.status === 'pending' || record.status === 'running') return this.view(job);
    return finishedView(this.serverId, job, terminalFromRecord(record), false);
  }

  reconnectNow(): void {
    this.catchUpPending = true;
    this.backend.reconnectNow();
    if (this.backend.connection.state === 'connected') this.requestReconcile();
  }

  // ---- live events ----

  private onMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'status':
        this.requestReconcile();
        return;
      case 'execution_start': {
        // Start/executing/executed/success/error are only ever sent to the submitter's client id: ours.
        const job = this.liveJob(message.promptId, true);
        if (!job) return;
        job.status = 'running';
        job.queuePosition = undefined;
        job.startedAt = message.timestamp ?? Date.now();
        job.heardFromStart = this.epoch;
        this.lastRunningId = job.id;
        this.emitJob(job);
        return;
      }
      case 'execution_cached': {
        const job = this.liveJob(message.promptId, true);
        if (!job) return;
        job.cached = new Set(message.nodes);
        job.cacheKnown = true;
        // Knowing what is cached narrows the estimate to runs that cached as much.
        if (this.durations && job.signature !== undefined) this.emitJob(job);
        return;
      }
      case 'executing': {
        if (message.node === null) {
          // After this, the server's record of the job is written: announce without waiting for a reconcile.
          if (message.promptId === undefined) return;
          this.followUp.recordWritten(message.promptId);
          const job = this.active.get(message.promptId);
          if (job?.live) void this.finalizeFromRecord(job);
          return;
        }
        const job = message.promptId !== undefined ? this.liveJob(message.promptId, true) : this.currentRunning();
        if (!job || job.live) return;
        job.status = 'running';
        job.queuePosition = undefined;
        job.stepRate = undefined;
        const { stepsPerSecond: _rate, ...before } = job.progress ?? {};
        job.progress = { ...before, nodeId: message.node, ...nodeLabel(job, message.node), value: undefined, max: undefined };
        this.lastRunningId = job.id;
        this.emitJob(job);
        return;
      }
      case 'progress': {
        const job = message.promptId !== undefined ? this.liveJob(message.promptId, false) : this.currentRunning();
        if (!job || job.live) return;
        const nodeId = message.node ?? job.progress?.nodeId;
        job.status = 'running';
        job.stepRate = nextStepRate(job.stepRate, nodeId ?? undefined, message.value, Date.now());
        const perSecond = job.stepRate.perSecond;
        const { stepsPerSecond: _previous, ...rest } = job.progress ?? {};
        job.progress = {
          ...rest,
          ...(nodeId != null && { nodeId, ...nodeLabel(job, nodeId) }),
          value: message.value,
          max: message.max,
          // Two decimals are all a reader takes in, and fewer patches look different.
          ...(perSecond !== undefined && { stepsPerSecond: Math.round(perSecond * 100) / 100 }),
        };
        this.lastRunningId = job.id;
        this.emitJob(job);
        return;
      }
      case 'progress_state': {
        const job = this.liveJob(message.promptId, false);
        if (!job || job.live) return;
        const overall = overallProgress(job, message.nodes);
        if (overall === undefined) return;
        job.status = 'running';
        job.progress = { ...job.progress, overall };
        this.emitJob(job);
        return;
      }
      case 'executed': {
        const job = this.liveJob(message.promptId, true);
        if (!job) return;
        job.outputs = mergeOutputs(job.outputs, outputsOfNode(message.displayNode ?? message.node, message.output));
        this.emitJob(job);
        return;
      }
      case 'execution_success':
        this.onLiveTerminal(message.promptId, { status: 'completed', ...(message.timestamp !== undefined && { endedAt: message.timestamp }) }, true);
        return;
      case 'execution_error':
        // ExecutionBlocked is a notice from a node; the prompt goes on and may still succeed.
        if (message.blocked) return;
        this.onLiveTerminal(message.promptId, { status: 'failed', error: message.error, ...(message.timestamp !== undefined && { endedAt: message.timestamp }) }, true);
        return;
      case 'execution_interrupted':
        this.onLiveTerminal(message.promptId, { status: 'cancelled', ...(message.timestamp !== undefined && { endedAt: message.timestamp }) }, false);
        return;
      case 'preview': {
        const jobId = message.promptId ?? this.lastRunningId;
        const job = jobId === undefined ? undefined : this.active.get(jobId);
        if (!job || job.live) return;
        job.previewVersion = (job.previewVersion ?? 0) + 1;
        this.previews.set(job.id, { mime: message.mime, image: message.image });
        this.events.emit('preview', { serverId: this.serverId, jobId: job.id, mime: message.mime, image: message.image });
        this.emitJob(job);
        return;
      }
      default:
        return;
    }
  }

  /** The job a live event is about; created when the event is the first we hear of it. */
  private liveJob(promptId: string, addressedToUs: boolean): TrackedJob | undefined {
    const existing = this.active.get(promptId);
    if (existing) {
      existing.epoch = this.epoch;
      return existing;
    }
    if (this.finishing.has(promptId) || this.journal.isSettled(this.serverId, promptId)) return undefined;
    // Our own submissions are in `active` from the moment they are sent, so an id first heard of here was not sent
    // by this app, whoever the event was addressed to (a server can send anything): another client's job until a
    // listing names its submitter.
    const job = newTrackedJob(promptId, { status: 'running', submittedBy: 'other', epoch: this.epoch, unconfirmed: true });
    this.active.set(promptId, job);
    if (addressedToUs) this.log.debug('live event for a prompt this app did not submit', { id: promptId });
    this.requestReconcile();
    return job;
  }

  private currentRunning(): TrackedJob | undefined {
    return this.lastRunningId === undefined ? undefined : this.active.get(this.lastRunningId);
  }

  private onLiveTerminal(promptId: string, live: NonNullable<TrackedJob['live']>, addressedToUs: boolean): void {
    const job = this.liveJob(promptId, addressedToUs);
    if (!job || job.live) return;
    job.live = live;
    job.status = live.status;
    if (live.status === 'completed') job.progress = { ...job.progress, overall: 1 };
    if (this.lastRunningId === promptId) this.lastRunningId = undefined;
    if (this.backend.liveOutputsComplete === true && job.heardFromStart === this.epoch && job.submittedBy === 'this-app' && !job.unconfirmed) {
      // Our own job, every event of its run heard on this socket: its outputs are all known. Announced now, and
      // checked against the server's record once that is written (record-follow-up.ts).
      this.followUp.expect(job.id);
      void this.finish(job, { status: live.status }, false);
      return;
    }
    this.emitJob(job);
  }

  private async finalizeFromRecord(job: TrackedJob): Promise<void> {
    try {
      const record = await this.backend.lookup(job.id);
      if (record) this.confirm(job, record);
      if (record && isFinishedRemote(record)) await this.finish(job, terminalFromRecord(record), false);
    } catch (error) {
      this.log.debug('record not available yet', { error: errorMessage(error) });
    }
  }

  // ---- reconciliation ----

  /** Coalesced: a burst of triggers costs at most one run in flight plus one after it. */
  requestReconcile(): void {
    if (this.stopped) return;
    this.reconcileAgain = true;
    this.reconciling ??= this.reconcileLoop();
  }

  /** Resolves when no reconciliation is running or queued (for tests and the CLI). */
  async settled(): Promise<void> {
    while (this.reconciling || this.finishing.size > 0 || this.describing) {
      await this.reconciling;
      await Promise.all(this.finishing.values());
      await this.describing;
    }
  }

  /**
   * Queued jobs listed without their prompt (the jobs API lists them bare) have no name and no node titles: one look
   * at the queue's prompts gives both, once per job, one look at a time.
   */
  private describeUnnamed(): void {
    const describe = this.backend.describeActive?.bind(this.backend);
    if (!describe || this.describing || this.stopped) return;
    for (const id of this.described) if (!this.active.has(id)) this.described.delete(id);
    const wanted = [...this.active.values()].filter((job) => job.nodes === undefined && !job.live && !this.described.has(job.id));
    if (wanted.length === 0) return;
    for (const job of wanted) this.described.add(job.id);
    this.describing = describe()
      .then((active) => {
        for (const remote of [...active.running, ...active.pending]) {
          const job = this.active.get(remote.id);
          if (!job || job.nodes !== undefined) continue;
          if (applyRemoteFields(job, remote)) this.emitJob(job);
        }
      })
      .catch((error: unknown) => this.log.debug('could not read the queue for names', { error: errorMessage(error) }))
      .finally(() => {
        this.describing = undefined;
      });
  }

  private async reconcileLoop(): Promise<void> {
    // Yield once so `requestReconcile` has stored this promise before `finally` can clear it.
    await Promise.resolve();
    try {
      // The flag is re-checked after every run; `finally` clears `reconciling` in the same tick the loop ends, so a
      // request can never fall between the last check and the end of the loop.
      while (this.reconcileAgain && !this.stopped) {
        this.reconcileAgain = false;
        if (this.backend.connection.state !== 'connected') continue;
        // What a look costs this process, not how long it took: a busy server can take a second to answer a small
        // listing (ComfyUI's HTTP handlers wait while a job holds the interpreter), and waiting on it costs nothing.
        const started = performance.eventLoopUtilization();
        try {
          await this.reconcileOnce();
          this.lookSucceeded();
        } catch (error) {
          this.lookFailed(error);
        }
        // ComfyUI broadcasts `status` at every queue change; with a huge queue each look costs real CPU time, so the
        // next one waits in proportion to the time this process was busy meanwhile (a few ms for a normal queue,
        // seconds for 10,000 legacy items).
        if (this.reconcileAgain && !this.stopped) await delay(Math.min(MAX_RECONCILE_PAUSE_MS, performance.eventLoopUtilization(started).active * RECONCILE_PAUSE_FACTOR));
      }
    } finally {
      this.reconciling = undefined;
    }
  }

  /** What the views say about this server's job lists (undefined: nothing wrong). */
  get listingProblem(): ServerProblem | undefined {
    return this.problem;
  }

  private lookSucceeded(): void {
    this.failedLooks = 0;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.problem === undefined) return;
    this.log.info('job lists readable again');
    this.problem = undefined;
    this.events.emit('server-problem', { serverId: this.serverId, problem: undefined });
  }

  /**
   * A look failed: tried again on a timer (capped backoff) as well as on the next trigger, and shown once it fails
   * again, so a server whose lists cannot be read never looks healthy. A connection that dropped is not this: the
   * connection's own state says so, and its return triggers a look.
   */
  private lookFailed(error: unknown): void {
    if (this.backend.connection.state !== 'connected') return;
    this.failedLooks++;
    const message = `cannot list jobs: ${errorMessage(error)}`;
    this.log.warn('reconciliation failed', { code: errorCode(error), error: errorMessage(error), inARow: this.failedLooks });
    if (this.failedLooks >= FAILURES_BEFORE_PROBLEM && this.problem?.message !== message) {
      this.problem = { code: errorCode(error) ?? 'JOBS_LISTING_FAILED', message, since: this.problem?.since ?? Date.now() };
      this.events.emit('server-problem', { serverId: this.serverId, problem: this.problem });
    }
    if (this.retryTimer || this.stopped) return;
    const wait = Math.min(MAX_RETRY_AFTER_FAILURE_MS, FIRST_RETRY_AFTER_FAILURE_MS * 2 ** (this.failedLooks - 1));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.requestReconcile();
    }, wait);
  }

  private async reconcileOnce(): Promise<void> {
    const catchUp = this.catchUpPending;
    const epoch = this.epoch;
    const sequence = ++this.reconciliations;
    let active: ActiveJobs | undefined = await this.backend.listActive();
    const seen = new Set<string>();
    // A listing that names a job twice (a broken proxy, a server bug) is merged: the first place counts.
    let repeated = 0;
    for (const remote of active.running) {
      if (seen.has(remote.id)) repeated++;
      else {
        seen.add(remote.id);
        this.applyActive(remote, undefined);
      }
    }
    let position = 0;
    // What the queue steering is told after the look: the ids only, so that the listing is not kept until then.
    const pendingIds: string[] | undefined = this.reconciled ? [] : undefined;
    for (const remote of active.pending) {
      pendingIds?.push(remote.id);
      if (seen.has(remote.id)) repeated++;
      else {
        seen.add(remote.id);
        this.applyActive(remote, ++position);
      }
    }
    // Let go of the listing before the look goes on (it waits for the server again): a legacy /queue carries every
    // job's whole prompt, and 20 servers looking at once would otherwise hold all of their listings together.
    active = undefined;
    if (repeated > 0 && !this.toldRepeatedIds) {
      this.toldRepeatedIds = true;
      this.events.emit('warning', { serverId: this.serverId, code: 'COMFY_DUPLICATE_JOBS', message: `${this.backend.url} listed ${repeated} queued job${repeated === 1 ? '' : 's'} more than once; each is shown once, in its first place` });
    }

    this.describeUnnamed();
    const history = await this.historyState(catchUp, seen);
    const caught: JobView[] = [];
    // Our submissions still on their way are left alone: `submit` asks for a fresh look once the server answered.
    // Jobs the app holds off the queue are not missing: they are meant not to be there.
    const missing = [...this.active.values()].filter(
      (job) => !seen.has(job.id) && !(job.listedFrom !== undefined && sequence < job.listedFrom) && this.held?.reasonOf(job.id) === undefined,
    );
    let recheck = false;
    let lostToRestart = 0;
    await forEachLimited(missing, LOOKUP_CONCURRENCY, async (job) => {
      const record = await this.backend.lookup(job.id);
      // A job first missed by the look after an absence is still judged as one that ended while we were away when
      // the recheck that confirms it is gone comes after that look.
      const wasAway = job.missedWhileAway === true || (catchUp && job.epoch < epoch);
      if (record) this.confirm(job, record);
      if (record && isFinishedRemote(record)) {
        const view = await this.finish(job, terminalFromRecord(record), wasAway);
        if (view?.caughtUp) caught.push(view);
        return;
      }
      if (record) {
        job.misses = 0;
        job.missedWhileAway = false;
        return;
      }
      if (job.unconfirmed && history !== 'cleared') {
        // Live events for an id that no listing and no record ever showed: nothing to announce. (A server that
        // restarted meanwhile may have lost a real job's record: that case is judged like any other, below.)
        if (++job.misses < 2) recheck = true;
        else this.dropUnconfirmed(job);
        return;
      }
      const terminal = this.vanished(job, history, wasAway);
      if (!terminal) {
        job.missedWhileAway = wasAway;
        recheck = true;
        return;
      }
      if (terminal.lostReason === 'server-restarted') lostToRestart++;
      const view = await this.finish(job, terminal, wasAway);
      if (view?.caughtUp) caught.push(view);
    });
    if (history === 'cleared') this.events.emit('restarted', { serverId: this.serverId, lostJobs: lostToRestart });

    caught.push(...(await this.discoverFinished(catchUp)));
    this.lastReconcileAt = Date.now();
    if (catchUp) this.catchUpPending = false;
    this.persistActive();
    if (recheck) this.scheduleRecheck();
    if (caught.length > 0) this.events.emit('digest', { serverId: this.serverId, jobs: caught });
    if (pendingIds) this.reconciled?.(pendingIds);
  }

  private applyActive(remote: RemoteJob, position: number | undefined): void {
    let job = this.active.get(remote.id);
    if (!job) {
      if (this.finishing.has(remote.id) || this.journal.isSettled(this.serverId, remote.id)) return;
      job = newTrackedJob(remote.id, { status: remote.status, submittedBy: this.submitterOf(remote), epoch: this.epoch });
      this.active.set(remote.id, job);
    } else if (job.unconfirmed) {
      this.confirm(job, remote);
      this.emitJob(job);
    }
    job.epoch = this.epoch;
    job.misses = 0;
    job.missedWhileAway = false;
    // Compared field by field, without allocating: with 10,000 queued jobs this runs 10,000 times per reconciliation.
    let changed = applyRemoteFields(job, remote);
    // A terminal event already heard beats a list fetched a moment before the server moved the job to history.
    if (!job.live && (job.status !== remote.status || job.queuePosition !== position)) {
      job.status = remote.status;
      job.queuePosition = position;
      changed = true;
    }
    if (remote.status === 'running' && !job.live) this.lastRunningId = job.id;
    if (changed) this.emitJob(job);
  }

  /** The server listed (or kept a record of) a job known only from live events: its submitter is now known. */
  private confirm(job: TrackedJob, remote: RemoteJob): void {
    if (!job.unconfirmed) return;
    job.unconfirmed = false;
    job.submittedBy = this.submitterOf(remote);
  }

  private dropUnconfirmed(job: TrackedJob): void {
    this.log.warn('live events named a job the server does not list: ignored', { id: job.id });
    this.active.delete(job.id);
    this.previews.delete(job.id);
    if (this.lastRunningId === job.id) this.lastRunningId = undefined;
    this.events.emit('job-removed', { serverId: this.serverId, id: job.id });
  }

  /** Decides what a job the server no longer knows became; undefined = look again shortly. */
  private vanished(job: TrackedJob, history: HistoryState, wasAway: boolean): Terminal | undefined {
    if (history === 'cleared') return { status: 'lost', lostReason: 'server-restarted' };
    if (job.cancelRequested && job.status === 'pending') return { status: 'cancelled' };
    job.misses++;
    if (job.misses < 2) return undefined;
    // Heard the end on the socket, but the record is gone (evicted, or the server restarted after writing it).
    if (job.live) return { status: job.live.status, ...(job.live.endedAt !== undefined && { endedAt: job.live.endedAt }), ...(job.live.error && { error: job.live.error }) };
    // With the server's memory intact, a pending job that left no record while we watched was removed from the
    // queue. One that was pending when we left may as well have run, and its record been evicted since: unknown.
    if (job.status === 'pending' && history === 'intact' && !wasAway) return { status: 'cancelled' };
    return { status: 'lost', lostReason: 'vanished' };
  }

  /**
   * Queue and history live in the server's memory, and the server offers no boot id: after a reconnect, a job we saw
   * in its history that is now unknown means it restarted. While we stayed connected it cannot have restarted.
   */
  private async historyState(catchUp: boolean, seen: ReadonlySet<string>): Promise<HistoryState> {
    if (!catchUp) return 'intact';
    const witness = this.journal.witness(this.serverId);
    if (witness === undefined) return 'unknown';
    if (seen.has(witness) || (await this.backend.lookup(witness))) return 'intact';
    // The witness alone can go without a restart (the user deleted that one entry from the history panel): if the
    // next newest jobs of the last look are still there, the server's memory is intact.
    const mark = this.journal.finishedMark(this.serverId);
    const others = (mark?.anchors ?? []).filter((id) => id !== witness).slice(0, WITNESS_SECONDS);
    for (const id of others) if (seen.has(id) || (await this.backend.lookup(id))) return 'intact';
    this.journal.setWitness(this.serverId, undefined);
    // Everything in the new history came after the last look, but the old mark's horizon is on the old clock (which
    // NTP may have stepped back at boot): kept, it would end the look at the first new job. Without it the look
    // reads on until it meets one of the anchors (none, after a real restart). The anchors stay: should the server
    // not have restarted after all, they still end the look where the last one began, so history the journal has
    // since forgotten is never announced again.
    this.journal.setFinishedMark(this.serverId, { anchors: mark?.anchors ?? [] });
    this.log.info('server history was cleared: it restarted');
    return 'cleared';
  }

  /**
   * Jobs that started and finished between two looks (other clients' fast jobs, or while we were away): the
   * server's finished jobs are read from the newest down to where the last complete look began (its anchors, or
   * well before its horizon should those all have been deleted), page by page however many that takes. A server
   * seen for the first time starts from now: what ended before we connected is not news.
   */
  private async discoverFinished(catchUp: boolean): Promise<JobView[]> {
    const firstContact = !this.journal.isBaselined(this.serverId);
    const mark = this.journal.finishedMark(this.serverId);
    const anchors = new Set(mark?.anchors ?? []);
    const horizon = mark?.horizon === undefined ? undefined : mark.horizon - HORIZON_MARGIN_MS;
    // Jobs that began after (or within the clock's uncertainty of) the first connect are announced like any other.
    const cutoff = this.connectedAt - BASELINE_CLOCK_MARGIN_MS;
    const top: string[] = [];
    let newest: number | undefined;
    /** Newest first, down to (not including) the first job already accounted for. */
    const above: RemoteJob[] = [];
    /** First contact: what was read below that point, the history that existed before us. */
    const below: string[] = [];
    /** Every id this look was given, to stop at a page that brings none not given before. */
    const given = new Set<string>();
    let pages = 0;
    let reachedKnown = false;
    for await (const page of this.backend.finishedPages(FIRST_PAGE_SIZE)) {
      pages++;
      const news = page.filter((job) => !given.has(job.id));
      // The server has no more to show, whatever it says (one that ignores paging repeats itself).
      if (news.length === 0) break;
      for (const job of news) given.add(job.id);
      for (const job of news) {
        if (top.length < ANCHOR_COUNT) top.push(job.id);
        const order = this.backend.finishedOrderTime(job);
        if (order !== undefined && (newest === undefined || order > newest)) newest = order;
        if (reachedKnown) {
          if (firstContact) below.push(job.id);
          continue;
        }
        const tracked = this.active.has(job.id);
        if (firstContact) reachedKnown = !tracked && (order === undefined || order < cutoff);
        else reachedKnown = anchors.has(job.id) || (horizon !== undefined && order !== undefined && order < horizon) || (mark === undefined && this.journal.isSettled(this.serverId, job.id));
        if (reachedKnown) {
          if (firstContact) below.push(job.id);
        } else {
          above.push(job);
        }
      }
      if (reachedKnown) break;
      if (given.size >= MAX_DISCOVERED || pages >= MAX_PAGES_PER_LOOK) {
        this.events.emit('warning', { serverId: this.serverId, code: 'JOBS_CATCH_UP_TRUNCATED', message: `Read ${given.size} jobs that finished since the last look and stopped there; older ones are not announced.` });
        break;
      }
    }
    if (top[0] !== undefined) this.journal.setWitness(this.serverId, top[0]);

    const fresh = above
      .filter((r) => !this.journal.isSettled(this.serverId, r.id) && !this.finishing.has(r.id))
      .filter((r) => !firstContact || this.active.has(r.id) || (jobTime(r) ?? 0) >= cutoff)
      .reverse();
    if (firstContact) {
      const announced = new Set(fresh.map((r) => r.id));
      const existing = [...above.filter((r) => !announced.has(r.id) && !this.active.has(r.id)).map((r) => r.id), ...below];
      await this.journal.markBaseline(this.serverId, existing);
    }
    const caught: JobView[] = [];
    for (let i = 0; i < fresh.length; i += ANNOUNCE_CHUNK) {
      const chunk = fresh.slice(i, i + ANNOUNCE_CHUNK);
      // List items are summaries: the record with the outputs is fetched per job (a few at a time).
      const records: RemoteJob[] = [...chunk];
      await forEachLimited(
        chunk.map((summary, index) => ({ summary, index })),
        LOOKUP_CONCURRENCY,
        async ({ summary, index }) => {
          if (summary.outputs === undefined) records[index] = (await this.backend.lookup(summary.id)) ?? summary;
        },
      );
      // Announced oldest first (in the server's order), a chunk at once: their journal writes coalesce.
      const views = await Promise.all(
        records.map((record) => {
          const existing = this.active.get(record.id);
          const job = existing ?? newTrackedJob(record.id, { status: record.status, submittedBy: this.submitterOf(record), epoch: -1 });
          if (!existing) this.active.set(job.id, job);
          this.confirm(job, record);
          applyRemoteFields(job, record);
          return this.finish(job, terminalFromRecord(record), catchUp);
        }),
      );
      for (const view of views) if (view?.caughtUp) caught.push(view);
    }
    // Only now that what was found is on disk: a crash before this point looks again instead of skipping.
    this.journal.setFinishedMark(this.serverId, { anchors: top, ...(top.length > 0 && newest !== undefined && { horizon: newest }) });
    return caught;
  }

  /** Announces a job's end: once, after its record is on disk. */
  private finish(job: TrackedJob, terminal: Terminal, caughtUp: boolean): Promise<JobView | undefined> {
    if (this.finishing.has(job.id) || this.journal.isSettled(this.serverId, job.id)) return Promise.resolve(undefined);
    const announcing = this.announce(job, terminal, caughtUp).finally(() => this.finishing.delete(job.id));
    this.finishing.set(job.id, announcing);
    return announcing;
  }

  private async announce(job: TrackedJob, terminal: Terminal, caughtUp: boolean): Promise<JobView> {
    const view = finishedView(this.serverId, job, terminal, caughtUp);
    await this.recordView(view);
    this.active.delete(job.id);
    this.previews.delete(job.id);
    this.finished.set(job.id, view);
    const max = this.options.maxFinishedInMemory ?? 1000;
    while (this.finished.size > max) {
      const oldest = this.finished.keys().next().value;
      if (oldest === undefined) break;
      this.finished.delete(oldest);
    }
    if (this.lastRunningId === job.id) this.lastRunningId = undefined;
    if (terminal.status !== 'lost') this.journal.setWitness(this.serverId, job.id);
    this.events.emit('job', view);
    this.events.emit('job-finished', view);
    this.noteRun(job, terminal, view);
    return view;
  }

  // ---- helpers ----

  private async recordView(view: JobView & { status: TerminalJobStatus }): Promise<void> {
    try {
      await this.journal.recordFinished(this.serverId, view);
    } catch (error) {
      this.events.emit('warning', { serverId: this.serverId, code: 'STORE_WRITE_FAILED', message: `Could not write the job journal: ${errorMessage(error)}` });
    }
  }

  private async queuedDespite(error: unknown, promptId: string): Promise<boolean> {
    if (error instanceof PromptRejectedError) return false;
    if (error instanceof HttpStatusError && error.status >= 400 && error.status < 500) return false;
    if (!(error instanceof ComfyTrayError)) return false;
    // Timeout or dropped connection: the server may have queued it. Our id makes the question answerable.
    try {
      const active = await this.backend.listActive();
      if ([...active.running, ...active.pending].some((job) => job.id === promptId)) return true;
      return (await this.backend.lookup(promptId)) !== undefined;
    } catch {
      return false;
    }
  }

  private submitterOf(remote: RemoteJob): 'this-app' | 'other' {
    return this.journal.isOwnClientId(this.serverId, remote.clientId) ? 'this-app' : 'other';
  }

  private scheduleRecheck(): void {
    if (this.recheckTimer || this.stopped) return;
    this.recheckTimer = setTimeout(() => {
      this.recheckTimer = undefined;
      this.requestReconcile();
    }, this.options.recheckDelayMs ?? 1_000);
  }

  private persistActive(): void {
    // Unchanged (most looks of a busy queue): nothing to hand over.
    const records = changedActiveRecords(this.active.values(), this.journal.activeJobs(this.serverId));
    if (records) this.journal.setActive(this.serverId, records);
  }

  private emitJob(job: TrackedJob): void {
    this.events.emit('job', this.view(job));
  }

  private view(job: TrackedJob): JobView {
    const view = toView(this.serverId, job, this.estimate(job));
    if (job.status !== 'pending' || job.live || this.held?.reasonOf(job.id) !== 'paused') return view;
    const position = this.held.positionOf(job.id);
    return { ...view, held: true, ...(position !== undefined && { queuePosition: position }) };
  }

  /** Pending and running jobs only: how long earlier runs of the same workflow on this server took. */
  private estimate(job: TrackedJob): number | undefined {
    if (!this.durations || job.signature === undefined || (job.status !== 'pending' && job.status !== 'running')) return undefined;
    return this.durations.estimate(this.serverId, job.signature, job.cacheKnown === true ? job.cached.size : undefined);
  }

  /** A completed run teaches the duration history; jobs of the same workflow still to finish then expect anew. */
  private noteRun(job: TrackedJob, terminal: Terminal, view: JobView): void {
    const signature = job.signature ?? terminal.signature;
    if (!this.durations || signature === undefined) return;
    const nodeCount = job.nodes ? Object.keys(job.nodes).length : terminal.nodeCount;
    const cachedNodeCount = terminal.cachedNodeCount ?? (job.cacheKnown === true ? job.cached.size : undefined);
    const sample = sampleOfRun({ status: view.status, durationMs: view.durationMs, nodeCount, cachedNodeCount });
    if (!sample) return;
    // Only the jobs whose estimate moved are sent again: a batch of 1,000 repeats would otherwise re-send all
    // 1,000 at every finish, though a median of five rarely changes.
    const waiting = [...this.active.values()].filter((other) => other.signature === signature);
    const before = waiting.map((other) => this.estimate(other));
    this.durations.record(this.serverId, signature, sample);
    waiting.forEach((other, i) => {
      if (this.estimate(other) !== before[i]) this.emitJob(other);
    });
  }
}

/** A held prompt read for its shape (node titles, signature) only: numbers may round, it is never sent from here. */
function parseForDisplay(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function jobTime(job: RemoteJob): number | undefined {
  return job.createdAt ?? job.startedAt ?? job.endedAt;
}

function isFinishedRemote(record: RemoteJob): boolean {
  return record.status === 'completed' || record.status === 'failed' || record.status === 'cancelled';
}

function terminalFromRecord(record: RemoteJob): Terminal {
  const status = record.status === 'failed' || record.status === 'cancelled' ? record.status : 'completed';
  return {
    status,
    ...(record.outputs !== undefined && { outputs: record.outputs }),
    ...(record.error && { error: record.error }),
    ...(record.startedAt !== undefined && { startedAt: record.startedAt }),
    ...(record.endedAt !== undefined && { endedAt: record.endedAt }),
    ...(record.cachedNodeCount !== undefined && { cachedNodeCount: record.cachedNodeCount }),
    ...(record.nodes !== undefined && { nodeCount: Object.keys(record.nodes).length }),
    ...signatureOf(record.prompt),
  };
}

function signatureOf(prompt: unknown): { signature?: string } {
  // Shared with the other jobs of the workflow, and hashed once for all of them.
  const signature = sharedWorkflowSignature(prompt);
  return signature === undefined ? {} : { signature };
}

function finishedView(serverId: string, job: TrackedJob, terminal: Terminal, caughtUp: boolean): JobView & { status: TerminalJobStatus } {
  const base = toView(serverId, job);
  const startedAt = job.startedAt ?? terminal.startedAt;
  const endedAt = terminal.endedAt ?? job.live?.endedAt ?? Date.now();
  const error = terminal.error ?? job.live?.error;
  const outputs = terminal.outputs ? mergeOutputs(terminal.outputs, job.outputs) : job.outputs;
  const { queuePosition: _q, progress: _p, previewVersion: _v, error: _e, ...rest } = base;
  const outputNode = outputs[0] ? job.nodes?.[outputs[0].nodeId] : undefined;
  const outputTitle = outputNode?.title ?? outputNode?.type;
  return {
    ...rest,
    status: terminal.status,
    outputs,
    ...(outputTitle !== undefined && { outputTitle }),
    ...(startedAt !== undefined && { startedAt }),
    endedAt,
    ...(startedAt !== undefined && endedAt >= startedAt && { durationMs: endedAt - startedAt }),
    ...(error && { error: withTitle(job, error) }),
    ...(terminal.lostReason !== undefined && { lostReason: terminal.lostReason }),
    ...(caughtUp && { caughtUp: true }),
  };
}

function fromFinishedRecord(serverId: string, record: FinishedRecord): JobView {
  const { handled: _handled, ...view } = record;
  return { serverId, ...view };
}

/** The workflow's own name, else the caller's label for it (a dropped file's name), else what the prompt says. */
function nameFor(request: SubmitRequest): { workflowName?: string } {
  const name = jobName({ prompt: request.prompt, workflow: request.workflow, ...(request.label !== undefined && { label: request.label }) });
  return name === undefined ? {} : { workflowName: name.name };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
