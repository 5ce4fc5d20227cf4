// The whole engine for any number of servers: one backend and one tracker per server, one journal, one event
// stream. The Electron app and the headless CLI both build exactly this; one server failing never stops another.
import { join } from 'node:path';
import type { JobView, SaveView, ServerHealth, ServerProblem, ServerView } from '../shared/app-state.js';
import { createBackend } from './backends/create-backend.js';
import type { ConnectionInfo } from './comfy/comfy-connection.js';
import type { ConnectionTimings } from './comfy/reconnect-policy.js';
import type { ServerConfigInput } from './comfy/server-config.js';
import { Emitter } from './emitter.js';
import { ComfyTrayError, errorMessage } from './errors.js';
import type { JobBackend, SubmitRequest, SubmitResult } from './jobs/backend.js';
import { DurationHistory, type DurationLimits } from './jobs/duration-history.js';
import { Journal, type FinishedRecord } from './jobs/journal.js';
import { HeldQueueStore } from './jobs/held-queue-store.js';
import { QueueSteering, type SteerOutcome } from './jobs/queue-steering.js';
import { ServerTracker, type TrackerEvents, type TrackerOptions } from './jobs/server-tracker.js';
import { createLogger } from './logger.js';
import type { OutputOptions } from './outputs/output-options.js';
import { OutputImageLoader, loadOutputMedia, type OutputImage, type OutputImageOptions, type OutputMedia } from './outputs/output-image.js';
import { acceptedStage, OutputSaver, type OutputSaverEvents } from './outputs/output-saver.js';
import { SAVED_STAGE, savedKey, savingUnfinished } from './outputs/saved-stage.js';

export interface EngineEvents extends TrackerEvents, OutputSaverEvents {
  server: ServerView;
}

export interface EngineOptions {
  readonly dataDir: string;
  readonly servers: readonly ServerConfigInput[];
  readonly maxJobsPerServer?: number;
  readonly timings?: Partial<ConnectionTimings>;
  readonly tracker?: TrackerOptions;
  /** For tests; by default each server's kind picks its adapter (`backends/create-backend.ts`). */
  readonly createBackend?: (config: ServerConfigInput, journal: Journal) => JobBackend;
  /** Save every finished job's outputs to disk; off when absent. */
  readonly outputs?: OutputOptions;
  /** Bounds of the run-time history behind duration estimates (defaults suit the app; tests lower them). */
  readonly durations?: DurationLimits;
  /** Size cap and concurrency of `outputImage`. */
  readonly outputImages?: OutputImageOptions;
}

/** Longer than any prompt id a server hands out; anything longer is not worth asking a server about. */
const MAX_JOB_ID_LENGTH = 200;
/** A job id typed or pasted by a person: letters, digits, dashes and underscores (a UUID, in practice). */
const FOLLOWABLE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,199}$/;

interface ServerEntry {
  readonly backend: JobBackend;
  readonly tracker: ServerTracker;
  readonly steering: QueueSteering;
  connection: ConnectionInfo;
  health?: ServerHealth;
  restarted?: { at: number; lostJobs: number };
  /** The tracker's job lists keep failing on an otherwise connected server (see ServerProblem). */
  problem?: ServerProblem;
  /** Redraws the server's view from the above and announces it. */
  refresh(): void;
  view: ServerView;
}

/** How often each server's /system_stats is read while someone looks (Engine.watchHealth). */
const HEALTH_INTERVAL_MS = 5_000;

export class Engine {
  readonly events = new Emitter<EngineEvents>((error) => this.log.error('listener failed', { error: errorMessage(error) }));
  private readonly entries = new Map<string, ServerEntry>();
  private readonly log = createLogger('Engine');
  /** Present when the engine saves outputs. */
  readonly outputs: OutputSaver | undefined;
  private readonly images: OutputImageLoader;
  private healthTimer: NodeJS.Timeout | undefined;
  private readonly healthReading = new Set<ServerEntry>();
  private stopped = false;

  private constructor(
    readonly journal: Journal,
    readonly durations: DurationHistory,
    /** Jobs taken off paused queues (and moves under way), kept apart from the journal and synced before each delete. */
    readonly held: HeldQueueStore,
    readonly warnings: readonly string[],
    outputs: OutputOptions | undefined,
    images: OutputImageOptions | undefined,
  ) {
    this.images = new OutputImageLoader(images);
    // A restart of a server is shown on it (with what it cost) until the next one.
    this.events.on('restarted', ({ serverId, lostJobs }) => {
      const entry = this.entries.get(serverId);
      if (!entry) return;
      entry.restarted = { at: Date.now(), lostJobs };
      entry.refresh();
    });
    this.outputs = outputs && new OutputSaver(journal, outputs, (error) => this.log.error('listener failed', { error: errorMessage(error) }));
    const saver = this.outputs;
    if (saver) {
      this.events.on('job-finished', (job) => saver.jobFinished(job));
      saver.events.on('saved', (event) => {
        this.events.emit('saved', event);
        this.emitSaveChange(event.serverId, event.jobId);
      });
      saver.events.on('save-failed', (event) => {
        this.events.emit('save-failed', event);
        this.emitSaveChange(event.serverId, event.jobId);
      });
      // Given up (the files are gone from the server): the view stops saying "retrying".
      saver.events.on('save-given-up', (event) => {
        this.events.emit('save-given-up', event);
        this.emitSaveChange(event.serverId, event.jobId);
      });
    }
  }

  static async create(options: EngineOptions): Promise<Engine> {
    const { journal, warning } = await Journal.openIn(options.dataDir, {
      ...(options.maxJobsPerServer !== undefined && { maxJobsPerServer: options.maxJobsPerServer }),
      // Trimming the journal must not drop outputs still waiting to be saved (they would never be).
      unfinished: (record) => savingUnfinished(record.handled[SAVED_STAGE]),
      // A job's outputs are accepted for saving in the line that records it finished.
      ...(options.outputs && { initialHandled: acceptance(options.outputs) }),
    });
    const { history, warning: historyWarning } = await DurationHistory.open(join(options.dataDir, 'durations.json'), options.durations);
    const { store: held, warning: heldWarning } = await HeldQueueStore.open(join(options.dataDir, 'held-queue.json'));
    const warnings = [warning, historyWarning, heldWarning].filter((text): text is string => text !== undefined);
    const engine = new Engine(journal, history, held, warnings, options.outputs, options.outputImages);
    for (const config of options.servers) engine.addServer(config, options);
    return engine;
  }

  private addServer(config: ServerConfigInput, options: EngineOptions): void {
    const backend = options.createBackend?.(config, this.journal) ?? createBackend(config, this.journal, { timings: options.timings ?? {} });
    if (this.entries.has(backend.serverId)) throw new ComfyTrayError('CONFIG_INVALID', `Server ${backend.serverId} is configured twice`);
    const tracker = new ServerTracker(backend, this.journal, this.events, options.tracker ?? {}, this.durations);
    const refresh = (): void => {
      entry.view = serverView(backend, entry, steering);
      this.events.emit('server', entry.view);
    };
    const steering = new QueueSteering(backend, tracker, this.held, this.events, refresh);
    const entry: ServerEntry = { backend, tracker, steering, connection: backend.connection, refresh, view: { id: backend.serverId, name: backend.name, kind: backend.kind ?? 'comfyui', url: backend.url, state: 'connecting' } };
    entry.view = serverView(backend, entry, steering);
    backend.events.on('connection', (info) => {
      entry.connection = info;
      entry.problem = tracker.listingProblem;
      refresh();
    });
    this.events.on('server-problem', ({ serverId, problem }) => {
      if (serverId !== backend.serverId) return;
      entry.problem = problem;
      refresh();
    });
    this.entries.set(backend.serverId, entry);
    this.outputs?.addServer(backend, (jobId) => tracker.recordChecked(jobId));
  }

  /**
   * While on, each connected server's /system_stats (device, VRAM, RAM) is read every few seconds into its view. The
   * app turns it on only while the window is visible: nobody reads the figures otherwise, and a busy GPU box should
   * not be asked for nothing.
   */
  watchHealth(on: boolean, intervalMs = HEALTH_INTERVAL_MS): void {
    if (!on || this.stopped) {
      if (this.healthTimer) clearInterval(this.healthTimer);
      this.healthTimer = undefined;
      return;
    }
    if (this.healthTimer) return;
    void this.pollHealth();
    this.healthTimer = setInterval(() => void this.pollHealth(), intervalMs);
  }

  /** Reads every connected server's health once (one read in flight per server). */
  async pollHealth(): Promise<void> {
    await Promise.all(
      [...this.entries.values()].map(async (entry) => {
        const read = entry.backend.systemStats?.bind(entry.backend);
        if (!read || entry.connection.state !== 'connected' || this.healthReading.has(entry)) return;
        this.healthReading.add(entry);
        try {
          entry.health = await read();
          entry.refresh();
        } catch (error) {
          this.log.debug('system stats not available', { server: entry.backend.name, error: errorMessage(error) });
        } finally {
          this.healthReading.delete(entry);
        }
      }),
    );
  }

  start(): void {
    this.outputs?.start();
    // Steering first: it must hear the first connect, to finish what a crash left half done.
    for (const { tracker, steering } of this.entries.values()) {
      steering.start();
      tracker.start();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watchHealth(false);
    // Thumbnails still loading are of no use any more: their requests end now rather than hold the backends open.
    this.images.stop();
    // Downloads first: a backend waits for its requests in flight before it closes. Jobs still announced while the
    // trackers stop are recorded as to-be-saved and saved after the next start.
    await this.outputs?.stop();
    // A steering step under way finishes first (its held jobs are on disk whatever happens).
    await Promise.allSettled([...this.entries.values()].map(({ steering }) => steering.stop()));
    await Promise.allSettled([...this.entries.values()].map(({ tracker }) => tracker.stop()));
    // Estimates are a convenience: failing to keep them must not fail the stop (the journal's flush may).
    await this.durations.flush().catch((error: unknown) => this.log.warn('could not write the run-time history', { error: errorMessage(error) }));
    await this.journal.flush();
  }

  servers(): ServerView[] {
    return [...this.entries.values()].map((entry) => entry.view);
  }

  jobs(serverId?: string): JobView[] {
    const entries = serverId === undefined ? [...this.entries.values()] : [this.entry(serverId)];
    return entries.flatMap((entry) => entry.tracker.jobs().map((job) => this.withSave(job)));
  }

  job(serverId: string, id: string): JobView | undefined {
    const job = this.entry(serverId).tracker.job(id);
    return job && this.withSave(job);
  }

  /** A finished job's view carries how saving its outputs went (the saver's record in the journal). */
  private withSave(job: JobView): JobView {
    const stage = this.outputs?.saveState(job.serverId, job.id);
    if (!stage) return job;
    const save: SaveView = {
      state: stage.state,
      files: Object.keys(stage.files).length,
      ...(stage.error && { code: stage.error.code, reason: stage.error.reason }),
      ...(stage.gaveUp && { gaveUp: true as const }),
    };
    return { ...job, save };
  }

  private emitSaveChange(serverId: string, jobId: string): void {
    const view = this.entries.has(serverId) ? this.job(serverId, jobId) : undefined;
    if (view) this.events.emit('job', view);
  }

  latestPreview(serverId: string, jobId: string): { mime: string; image: Buffer } | undefined {
    return this.entry(serverId).tracker.latestPreview(jobId);
  }

  submit(serverId: string, request: SubmitRequest): Promise<SubmitResult> {
    return this.entry(serverId).tracker.submit(request);
  }

  /**
   * Queues a job's API prompt again on the same server, as a new job of this app (fresh prompt id), with the UI
   * workflow the server kept for it. The prompt comes from the server's own record, integers above 2^53 intact.
   * Throws JOB_PROMPT_UNAVAILABLE when the server no longer has (or does not give out) the prompt.
   */
  async rerun(serverId: string, jobId: string): Promise<SubmitResult> {
    const { backend, tracker } = this.entry(serverId);
    if (typeof jobId !== 'string' || jobId === '' || jobId.length > MAX_JOB_ID_LENGTH) {
      throw new ComfyTrayError('JOB_PROMPT_UNAVAILABLE', 'Not a job id: nothing to run again');
    }
    const record = await backend.lookup(jobId);
    if (!record?.prompt) {
      const status = record?.status ?? tracker.job(jobId)?.status;
      const message =
        status === 'pending' || status === 'running'
          ? `${backend.name} does not give out the prompt of a job still queued or running; run it again once it has finished.`
          : `${backend.name} no longer has the prompt of this job (its history was cleared, the server restarted, or the job is too old). Queue the workflow again from its file.`;
      throw new ComfyTrayError('JOB_PROMPT_UNAVAILABLE', message);
    }
    return tracker.submit({ prompt: record.prompt, ...(record.workflow !== undefined && { workflow: record.workflow }) });
  }

  /**
   * The picture of one of a job's outputs (`index` into its view's `outputs`) for a thumbnail: the saved file when
   * there is one, else the server's. Undefined when it is not an image, too large, gone, or the index is wrong.
   */
  outputImage(serverId: string, jobId: string, index: number): Promise<OutputImage | undefined> {
    const { backend, tracker } = this.entry(serverId);
    if (!Number.isSafeInteger(index) || index < 0) return Promise.resolve(undefined);
    const ref = tracker.job(jobId)?.outputs[index];
    if (!ref) return Promise.resolve(undefined);
    const savedPath = this.outputs?.saveState(serverId, jobId)?.files[savedKey(ref)]?.path;
    return this.images.load(ref, savedPath, (signal) => backend.fetchOutput(ref, undefined, signal));
  }

  /**
   * Follows a job by its id on a server that cannot list its jobs (a ComfyControl run pasted in the window, a link,
   * the command line). While the server answers, an id it does not know is refused (COMFY_JOB_NOT_FOUND) and nothing
   * is added; while it does not, the job is added and ends in a clear state once the server says.
   */
  async follow(serverId: string, jobId: string): Promise<JobView> {
    const { backend, tracker } = this.entry(serverId);
    if (backend.watchJob === undefined) throw new ComfyTrayError('BACKEND_UNSUPPORTED', `${backend.name} lists its jobs itself: there is nothing to add by id`);
    if (!FOLLOWABLE_ID.test(jobId)) throw new ComfyTrayError('COMFY_JOB_NOT_FOUND', 'Not a run id: use the id ComfyControl shows for the run');
    const known = tracker.job(jobId);
    if (known) return known;
    if (backend.connection.state === 'connected' && (await backend.lookup(jobId)) === undefined) {
      throw new ComfyTrayError('COMFY_JOB_NOT_FOUND', `${backend.name} has no run ${jobId} on this account; check the id`);
    }
    return tracker.follow(jobId);
  }

  /**
   * One of a job's outputs in full for the window's viewer (an image at full resolution, a video, an audio file): the
   * saved file when there is one, else the server's, up to `maxBytes`. Undefined when the job or index is unknown.
   */
  async outputMedia(serverId: string, jobId: string, index: number, maxBytes: number): Promise<(OutputMedia & { readonly savedPath?: string }) | undefined> {
    const { backend, tracker } = this.entry(serverId);
    if (!Number.isSafeInteger(index) || index < 0) return undefined;
    const ref = tracker.job(jobId)?.outputs[index];
    if (!ref) return undefined;
    const savedPath = this.outputs?.saveState(serverId, jobId)?.files[savedKey(ref)]?.path;
    const media = await loadOutputMedia(savedPath, (signal) => backend.fetchOutput(ref, undefined, signal), maxBytes, this.images.signal);
    // The path only when the file is still there (the user may have moved it since).
    return { ...media, ...('from' in media && media.from === 'saved' && savedPath !== undefined && { savedPath }) };
  }

  cancel(serverId: string, jobId: string): Promise<boolean> {
    return this.entry(serverId).tracker.cancel(jobId);
  }

  /** Removes pending jobs: from the server's queue, or from the jobs the app holds while the queue is paused. */
  async removePending(serverId: string, jobIds: readonly string[]): Promise<void> {
    const { tracker, steering } = this.entry(serverId);
    const onServer = await steering.removeHeld(jobIds);
    if (onServer.length > 0) await tracker.removePending(onServer);
  }

  /** Every pending job goes: the server's, and those held while its queue is paused. */
  async clearPending(serverId: string): Promise<void> {
    const { tracker, steering } = this.entry(serverId);
    await steering.clearHeld();
    await tracker.clearPending();
  }

  /**
   * Pauses a server's queue: the running job finishes, every pending job (anyone's, also those queued later) is taken
   * off the server and held by the app, on disk, until `resume`. Survives restarts of the app.
   */
  pauseQueue(serverId: string): Promise<SteerOutcome> {
    return this.entry(serverId).steering.pause();
  }

  /** Queues the held jobs again in their order, same prompt ids, same prompts. */
  resumeQueue(serverId: string): Promise<SteerOutcome> {
    return this.entry(serverId).steering.resume();
  }

  /** Puts pending jobs first in the server's queue (keeping their order among themselves). */
  moveToFront(serverId: string, jobIds: readonly string[]): Promise<SteerOutcome> {
    return this.entry(serverId).steering.moveToFront(jobIds);
  }

  /** Puts pending jobs last in the server's queue (keeping their order among themselves). */
  moveToBack(serverId: string, jobIds: readonly string[]): Promise<SteerOutcome> {
    return this.entry(serverId).steering.moveToBack(jobIds);
  }

  lookupJob(serverId: string, jobId: string): Promise<JobView | undefined> {
    return this.entry(serverId).tracker.lookup(jobId);
  }

  /** After sleep or a network change: verify every connection now and catch up on what finished meanwhile. */
  reconnectNow(): void {
    for (const { tracker } of this.entries.values()) tracker.reconnectNow();
  }

  /** Resolves once every server's reconciliation in flight is done. */
  async settled(): Promise<void> {
    await Promise.all([...this.entries.values()].map(async ({ tracker, steering }) => {
      await steering.settled();
      await tracker.settled();
      await steering.settled();
    }));
  }

  backend(serverId: string): JobBackend {
    return this.entry(serverId).backend;
  }

  private entry(serverId: string): ServerEntry {
    const entry = this.entries.get(serverId);
    if (!entry) throw new ComfyTrayError('CONFIG_INVALID', `No server with id ${serverId}`);
    return entry;
  }
}

function serverView(backend: JobBackend, entry: Pick<ServerEntry, 'connection' | 'health' | 'restarted' | 'problem'>, steering: QueueSteering): ServerView {
  // The client id is an implementation detail of the socket, not something views show.
  const { clientId: _clientId, ...connection } = entry.connection;
  const held = steering.heldCount;
  return {
    id: backend.serverId,
    name: backend.name,
    kind: backend.kind ?? 'comfyui',
    url: backend.url,
    ...connection,
    ...(entry.problem && { problem: entry.problem }),
    ...(steering.paused && { queuePaused: true as const }),
    ...(held > 0 && { heldJobs: held }),
    ...(entry.health && { health: entry.health }),
    ...(entry.restarted && { restarted: entry.restarted }),
    ...(steering.unavailable !== undefined && { steeringUnavailable: steering.unavailable }),
  };
}

/** The journal's `initialHandled` for an engine that saves outputs: the saver's acceptance (`acceptedStage`). */
function acceptance(outputs: OutputOptions): (serverId: string, record: FinishedRecord) => Record<string, unknown> | undefined {
  return (serverId, record) => {
    const stage = acceptedStage(outputs, serverId, record);
    return stage && { [SAVED_STAGE]: stage };
  };
}
