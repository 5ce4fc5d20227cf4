// The whole engine for any number of servers: one backend and one tracker per server, one journal, one event
// stream. The Electron app and the headless CLI both build exactly this; one server failing never stops another.
import { join } from 'node:path';
import type { JobView, SaveView, ServerProblem, ServerView } from '../shared/app-state.js';
import { ComfyBackend } from './comfy/comfy-backend.js';
import type { ConnectionInfo } from './comfy/comfy-connection.js';
import type { ConnectionTimings } from './comfy/reconnect-policy.js';
import { resolveServer, type ServerConfigInput } from './comfy/server-config.js';
import { Emitter } from './emitter.js';
import { ComfyTrayError, errorMessage } from './errors.js';
import type { JobBackend, SubmitRequest, SubmitResult } from './jobs/backend.js';
import { DurationHistory, type DurationLimits } from './jobs/duration-history.js';
import { Journal } from './jobs/journal.js';
import { ServerTracker, type TrackerEvents, type TrackerOptions } from './jobs/server-tracker.js';
import { createLogger } from './logger.js';
import type { OutputOptions } from './outputs/output-options.js';
import { OutputImageLoader, type OutputImage, type OutputImageOptions } from './outputs/output-image.js';
import { OutputSaver, type OutputSaverEvents } from './outputs/output-saver.js';
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
  /** For other backend kinds (and tests); defaults to a stock ComfyUI server. */
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

interface ServerEntry {
  readonly backend: JobBackend;
  readonly tracker: ServerTracker;
  view: ServerView;
}

export class Engine {
  readonly events = new Emitter<EngineEvents>((error) => this.log.error('listener failed', { error: errorMessage(error) }));
  private readonly entries = new Map<string, ServerEntry>();
  private readonly log = createLogger('Engine');
  /** Present when the engine saves outputs. */
  readonly outputs: OutputSaver | undefined;
  private readonly images: OutputImageLoader;

  private constructor(
    readonly journal: Journal,
    readonly durations: DurationHistory,
    readonly warnings: readonly string[],
    outputs: OutputOptions | undefined,
    images: OutputImageOptions | undefined,
  ) {
    this.images = new OutputImageLoader(images);
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
    const { journal, warning } = await Journal.open(join(options.dataDir, 'journal.json'), {
      ...(options.maxJobsPerServer !== undefined && { maxJobsPerServer: options.maxJobsPerServer }),
      // Trimming the journal must not drop outputs still waiting to be saved (they would never be).
      unfinished: (record) => savingUnfinished(record.handled[SAVED_STAGE]),
    });
    const { history, warning: historyWarning } = await DurationHistory.open(join(options.dataDir, 'durations.json'), options.durations);
    const warnings = [warning, historyWarning].filter((text): text is string => text !== undefined);
    const engine = new Engine(journal, history, warnings, options.outputs, options.outputImages);
    for (const config of options.servers) engine.addServer(config, options);
    return engine;
  }

  private addServer(config: ServerConfigInput, options: EngineOptions): void {
    const backend = options.createBackend?.(config, this.journal) ?? new ComfyBackend(resolveServer(config), this.journal, { timings: options.timings ?? {} });
    if (this.entries.has(backend.serverId)) throw new ComfyTrayError('CONFIG_INVALID', `Server ${backend.serverId} is configured twice`);
    const tracker = new ServerTracker(backend, this.journal, this.events, options.tracker ?? {}, this.durations);
    const entry: ServerEntry = { backend, tracker, view: serverView(backend, backend.connection, undefined) };
    backend.events.on('connection', (info) => {
      entry.view = serverView(backend, info, tracker.listingProblem);
      this.events.emit('server', entry.view);
    });
    this.events.on('server-problem', ({ serverId, problem }) => {
      if (serverId !== backend.serverId) return;
      entry.view = serverView(backend, backend.connection, problem);
      this.events.emit('server', entry.view);
    });
    this.entries.set(backend.serverId, entry);
    this.outputs?.addServer(backend, (jobId) => tracker.recordChecked(jobId));
  }

  start(): void {
    this.outputs?.start();
    for (const { tracker } of this.entries.values()) tracker.start();
  }

  async stop(): Promise<void> {
    // Thumbnails still loading are of no use any more: their requests end now rather than hold the backends open.
    this.images.stop();
    // Downloads first: a backend waits for its requests in flight before it closes. Jobs still announced while the
    // trackers stop are recorded as to-be-saved and saved after the next start.
    await this.outputs?.stop();
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

  cancel(serverId: string, jobId: string): Promise<boolean> {
    return this.entry(serverId).tracker.cancel(jobId);
  }

  removePending(serverId: string, jobIds: readonly string[]): Promise<void> {
    return this.entry(serverId).tracker.removePending(jobIds);
  }

  clearPending(serverId: string): Promise<void> {
    return this.entry(serverId).tracker.clearPending();
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
    await Promise.all([...this.entries.values()].map(({ tracker }) => tracker.settled()));
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

function serverView(backend: JobBackend, info: ConnectionInfo, problem: ServerProblem | undefined): ServerView {
  // The client id is an implementation detail of the socket, not something views show.
  const { clientId: _clientId, ...connection } = info;
  return { id: backend.serverId, name: backend.name, url: backend.url, ...connection, ...(problem && { problem }) };
}
