// The JobBackend for ComfyControl runs. ComfyControl cannot list a user's runs: each is followed by its id (named by
// the tracker through `watchJob`). A run's record (`GET /v1/workflow/{id}`) is read first and after every gap; its
// Server-Sent Events stream (`/subscribe`, full snapshots about every 2 s) carries the changes and is reopened until
// the run ends (it closes by itself after about 120 updates, and may stall or break). Changes become the port's live
// events, so the tracker follows a run exactly as it follows a ComfyUI job. Outputs are signed `src` URLs, fetched
// without the token.
import type { Dispatcher } from 'undici';
import type { JobError, OutputRef, ServerCapabilities, ServerKind } from '../../../shared/app-state.js';
import type { ConnectionInfo } from '../../comfy/comfy-connection.js';
import { needsTheUser } from '../../comfy/connection-failures.js';
import { ComfyHttp } from '../../comfy/http-client.js';
import type { ServerMessage } from '../../comfy/messages.js';
import { originDispatcher } from '../../comfy/origin-dispatcher.js';
import { outputStreamOf, rangeHeaders } from '../../comfy/output-stream.js';
import { CONNECTION_DEFAULTS, retryDelay, type ConnectionTimings } from '../../comfy/reconnect-policy.js';
import { sortByExecutionOrder, type ActiveJobs, type RemoteJob, type RemoteStatus } from '../../comfy/remote-jobs.js';
import { redactedUrl, requestCredentials, routeUrl, type ResolvedServer } from '../../comfy/server-config.js';
import { Emitter } from '../../emitter.js';
import { ComfyTrayError, HttpStatusError, errorCode, errorMessage } from '../../errors.js';
import type { BackendEvents, JobBackend, OutputRange, OutputStream, SubmitResult } from '../../jobs/backend.js';
import { createLogger } from '../../logger.js';
import { fromRunRecord, runOutputs, runRecordSchema, snapshotError, snapshotTime, type RunOutput, type RunRecord, type RunSnapshot } from './run-record.js';
import { isEnd, runStatus } from './run-status.js';
import { RunStream, type StreamStop } from './run-stream.js';

export const COMFYCONTROL_URL = 'https://api.comfycontrol.app';

/** A run id no account has: its answer (404) says the API is there and takes the token, without touching a real run. */
const PROBE_ID = '00000000-0000-0000-0000-000000000000';
const STALL_INTERVALS = 3;
/** Run outputs kept for later fetches (the saver asks again after a restart or a failure). */
const MAX_KEPT_OUTPUTS = 1_000;

const CAPABILITIES: ServerCapabilities = { jobsApi: false, cancelEndpoint: false, targetedInterrupt: false, supportsPreviewMetadata: false };

interface FollowedRun {
  readonly id: string;
  /** Undefined until the record or the stream said. */
  status?: RemoteStatus;
  queueNumber?: number;
  startedAt?: number;
  error?: JobError;
  notFound?: boolean;
  stream?: RunStream;
  reading?: boolean;
  retryTimer?: NodeJS.Timeout;
  /** Streams in a row that broke or stalled before a snapshot: the next reopen waits accordingly. */
  failures: number;
}

export class ComfyControlBackend implements JobBackend {
  readonly events = new Emitter<BackendEvents>((error) => this.log.error('listener failed', { error: errorMessage(error) }));
  readonly kind: ServerKind = 'comfycontrol';
  readonly steeringUnavailable = 'ComfyControl queues its runs itself: pause or reorder them in ComfyControl';
  readonly serverId: string;
  readonly name: string;
  readonly url: string;
  readonly clientId = undefined;
  /** Counters for tests. */
  readonly stats = { streamsOpened: 0, recordReads: 0, stalls: 0 };
  private readonly log;
  private readonly http: ComfyHttp;
  private readonly dispatcher: Dispatcher;
  private readonly timings: ConnectionTimings;
  private readonly runs = new Map<string, FollowedRun>();
  private readonly outputs = new Map<string, RunOutput[]>();
  private info: ConnectionInfo = { state: 'connecting' };
  private running = false;
  private generation = 0;
  private attempt = 0;
  private everConnected = false;
  private droppedAt: number | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly server: ResolvedServer,
    options: { timings?: Partial<ConnectionTimings> } = {},
  ) {
    this.serverId = server.id;
    this.name = server.name;
    this.url = redactedUrl(server.baseUrl);
    this.log = createLogger(`ComfyControl ${server.name}`);
    this.timings = { ...CONNECTION_DEFAULTS, ...options.timings };
    this.http = new ComfyHttp(server, { timeoutMs: this.timings.httpTimeoutMs, credentialsAfterRedirect: false });
    this.dispatcher = originDispatcher(server.baseUrl.origin, requestCredentials(server.auth), {
      ...(server.tlsFingerprint !== undefined && { tlsFingerprint: server.tlsFingerprint }),
    });
  }

  get connection(): ConnectionInfo {
    return this.info;
  }

  serverTime(): number {
    return Date.now() + (this.http.clockOffsetMs ?? 0);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.setInfo({ state: 'connecting' });
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.running = false;
      this.generation++;
      clearTimeout(this.retryTimer);
      clearInterval(this.probeTimer);
      for (const run of this.runs.values()) this.quiet(run);
      await Promise.allSettled([this.http.close(), this.dispatcher.close()]);
    })();
    await this.stopping;
  }

  reconnectNow(): void {
    if (!this.running) return;
    this.attempt = 0;
    if (this.info.state !== 'connected') {
      clearTimeout(this.retryTimer);
      void this.connect();
      return;
    }
    // After sleep: streams may be dead without knowing it. Read every run again; each reopens its stream.
    for (const run of this.runs.values()) {
      if (run.status !== undefined && isEnd(run.status)) continue;
      this.quiet(run);
      void this.refresh(run);
    }
  }

  /** Follows a run until it ends. A run added while disconnected is read once the service answers. */
  watchJob(id: string): void {
    if (this.runs.has(id)) return;
    const run: FollowedRun = { id, failures: 0 };
    this.runs.set(id, run);
    if (this.info.state === 'connected') void this.refresh(run);
  }

  // ---- the port's listings ----

  async listActive(): Promise<ActiveJobs> {
    const running: RemoteJob[] = [];
    const pending: RemoteJob[] = [];
    for (const run of this.runs.values()) {
      if (run.notFound || (run.status !== undefined && isEnd(run.status))) continue;
      if (run.status === 'running') running.push({ id: run.id, status: 'running', ...(run.startedAt !== undefined && { startedAt: run.startedAt }) });
      // A run not read yet counts as waiting: in flight until its record says otherwise.
      else pending.push({ id: run.id, status: 'pending', ...(run.queueNumber !== undefined && { priority: run.queueNumber }) });
    }
    return { running, pending: sortByExecutionOrder(pending) };
  }

  /** ComfyControl lists no runs: finished ones are found by the tracker looking up the runs it follows. */
  async *finishedPages(): AsyncGenerator<RemoteJob[]> {}

  finishedOrderTime(job: RemoteJob): number | undefined {
    return job.endedAt;
  }

  /** The run's record; a completed run's outputs come from its stream's last snapshot. */
  async lookup(id: string): Promise<RemoteJob | undefined> {
    const record = await this.readRecord(id);
    if (!record) return undefined;
    const job = fromRunRecord(record);
    if (job.status !== 'completed') return job;
    const outputs = this.outputs.get(id) ?? (await this.finalOutputs(id));
    return fromRunRecord(record, outputs.map((output) => output.ref));
  }

  async submit(): Promise<SubmitResult> {
    throw this.unsupported('runs are started in ComfyControl; add a run here by its id to follow it');
  }

  async cancel(): Promise<boolean> {
    throw this.unsupported('a run is cancelled in ComfyControl itself');
  }

  async removePending(): Promise<void> {
    throw this.unsupported('a run is cancelled in ComfyControl itself');
  }

  async clearPending(): Promise<void> {
    throw this.unsupported('runs are cancelled in ComfyControl itself');
  }

  /** From the signed URL the run's last snapshot gave; an expired one is asked for again once. */
  async fetchOutput(ref: OutputRef, range?: OutputRange, signal?: AbortSignal): Promise<OutputStream> {
    const runId = ref.subfolder;
    const what = `${this.name} output ${ref.filename}`;
    const find = (outputs: readonly RunOutput[]): RunOutput | undefined => outputs.find((output) => output.ref.nodeId === ref.nodeId);
    let output = find(this.outputs.get(runId) ?? []);
    const fresh = output === undefined;
    output ??= find(await this.finalOutputs(runId));
    if (!output) throw new HttpStatusError(404, what, '');
    const asked = rangeHeaders(range);
    const options = { ...(asked && { headers: asked }), ...(signal && { signal }) };
    try {
      return outputStreamOf(await this.http.streamUrl(new URL(output.src), what, options), what);
    } catch (error) {
      // Signed URLs expire: a refusal from storage gets one new URL, from a new snapshot.
      const refused = error instanceof HttpStatusError && [400, 401, 403, 410].includes(error.status);
      if (!refused || fresh) throw error;
      const renewed = find(await this.finalOutputs(runId));
      if (!renewed) throw error;
      return outputStreamOf(await this.http.streamUrl(new URL(renewed.src), what, options), what);
    }
  }

  // ---- connection ----

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    clearTimeout(this.retryTimer);
    try {
      await this.checkToken();
      if (generation !== this.generation || !this.running) return;
      if (this.everConnected) this.log.info('reachable again');
      this.everConnected = true;
      this.attempt = 0;
      this.droppedAt = undefined;
      this.setInfo({ state: 'connected', capabilities: CAPABILITIES, queueRemaining: this.inFlight() });
      // Streams notice trouble for the runs they carry; with none open, a slow probe keeps the state honest.
      clearInterval(this.probeTimer);
      this.probeTimer = setInterval(() => {
        if ([...this.runs.values()].some((run) => run.stream)) return;
        this.checkToken().catch((error: unknown) => {
          if (generation === this.generation) this.lost(error);
        });
      }, this.timings.probeIntervalMs);
      this.events.emit('connected', { clientId: '', reusedClientId: false });
      for (const run of this.runs.values()) if (!run.notFound && !(run.status !== undefined && isEnd(run.status))) void this.refresh(run);
    } catch (error) {
      if (generation === this.generation && this.running) this.scheduleRetry(error);
    }
  }

  /** Any answer but a refusal of the token says the API is there and takes it. */
  private async checkToken(): Promise<void> {
    try {
      await this.http.getJson(`v1/workflow/${PROBE_ID}`, undefined, { timeoutMs: this.timings.httpTimeoutMs });
    } catch (error) {
      if (error instanceof HttpStatusError && [400, 404, 422].includes(error.status)) return;
      throw this.meaning(error);
    }
  }

  /** A request while connected showed the service cannot be used now (unreachable, the token revoked). */
  private lost(error: unknown): void {
    if (!this.running || this.info.state !== 'connected') return;
    this.droppedAt = Date.now();
    this.scheduleRetry(error);
  }

  /** Every stream closes, and the connection is tried again (slowly for a refused token, never in a loop). */
  private scheduleRetry(error: unknown): void {
    this.generation++;
    clearTimeout(this.retryTimer);
    clearInterval(this.probeTimer);
    for (const run of this.runs.values()) this.quiet(run);
    const code = errorCode(error) ?? 'COMFY_UNREACHABLE';
    let delay: number;
    let state: ConnectionInfo['state'];
    if (needsTheUser(code)) {
      state = 'auth-failed';
      delay = this.timings.authRetryMs;
    } else {
      delay = retryDelay(this.attempt++, Math.random(), this.timings);
      const since = this.droppedAt;
      state = this.everConnected && since !== undefined && Date.now() - since < this.timings.offlineAfterMs ? 'reconnecting' : 'offline';
    }
    this.setInfo({ state, attempt: this.attempt, nextRetryAt: Date.now() + delay, lastError: { code, message: errorMessage(error) }, capabilities: CAPABILITIES });
    this.log.info(`retry in ${delay} ms`, { code });
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  // ---- one run ----

  /** Reads the run's record (after a start, a gap or a stall), tells what changed, and reopens its stream if it goes on. */
  private async refresh(run: FollowedRun): Promise<void> {
    if (run.reading || !this.running) return;
    run.reading = true;
    const generation = this.generation;
    try {
      const record = await this.readRecord(run.id);
      if (generation !== this.generation) return;
      if (!record) {
        this.notFound(run);
        return;
      }
      const job = fromRunRecord(record);
      this.change(run, {
        status: job.status,
        ...(record.queue_number != null && { queueNumber: record.queue_number }),
        ...(job.startedAt !== undefined && { startedAt: job.startedAt }),
        ...(job.error && { error: job.error }),
      });
      if (!isEnd(job.status)) this.openStream(run);
    } catch (error) {
      if (generation === this.generation) this.lost(error);
    } finally {
      run.reading = false;
    }
  }

  private openStream(run: FollowedRun): void {
    if (run.stream || !this.running || this.info.state !== 'connected') return;
    const stream = new RunStream(routeUrl(this.server.baseUrl, `v1/workflow/${encodeURIComponent(run.id)}/subscribe`), this.dispatcher, STALL_INTERVALS * this.timings.streamIntervalMs, {
      snapshot: (snapshot) => {
        run.failures = 0;
        this.fromSnapshot(run, snapshot);
      },
      stopped: (why) => {
        if (run.stream === stream) run.stream = undefined;
        this.afterGap(run, why);
      },
    });
    run.stream = stream;
    this.stats.streamsOpened++;
    stream.open();
  }

  /**
   * The stream ended without the run ending (its update limit, a drop, a refusal, a stall): the record is read before
   * anything else, at once after a normal close, after a growing pause when streams keep breaking.
   */
  private afterGap(run: FollowedRun, why: StreamStop): void {
    if (!this.running || run.notFound || (run.status !== undefined && isEnd(run.status))) return;
    if (why === 'stalled') this.stats.stalls++;
    if (why !== 'closed') run.failures++;
    this.log.debug('stream stopped', { why });
    const delay = run.failures === 0 ? 0 : retryDelay(run.failures - 1, Math.random(), this.timings);
    clearTimeout(run.retryTimer);
    run.retryTimer = setTimeout(() => void this.refresh(run), delay);
  }

  private fromSnapshot(run: FollowedRun, snapshot: RunSnapshot): void {
    const { status } = runStatus(snapshot.status);
    if (status === 'completed') this.keepOutputs(run.id, runOutputs(run.id, snapshot.outputs));
    const startedAt = snapshotTime(snapshot.started_at);
    const error = snapshotError(snapshot);
    this.change(run, {
      status,
      ...(snapshot.queue_number != null && { queueNumber: snapshot.queue_number }),
      ...(startedAt !== undefined && { startedAt }),
      ...(error && { error }),
    });
    if (isEnd(status)) this.quiet(run);
  }

  /** Applies what the record or a snapshot says and tells the tracker what changed, in the port's live events. */
  private change(run: FollowedRun, next: { status: RemoteStatus; queueNumber?: number; startedAt?: number; error?: JobError }): void {
    const before = { status: run.status, queueNumber: run.queueNumber };
    if (before.status !== undefined && isEnd(before.status)) return;
    run.status = next.status;
    run.queueNumber = next.queueNumber;
    if (next.startedAt !== undefined) run.startedAt = next.startedAt;
    if (next.error) run.error = next.error;
    const id = run.id;
    if (next.status === 'running' && before.status !== 'running') this.emit({ type: 'execution_start', promptId: id, ...(run.startedAt !== undefined && { timestamp: run.startedAt }) });
    if (next.status === 'completed') this.emit({ type: 'execution_success', promptId: id });
    if (next.status === 'failed') {
      const error = run.error ?? { exceptionType: 'failed', message: 'The run failed.', traceback: [] };
      this.emit({ type: 'execution_error', promptId: id, error, blocked: false });
    }
    if (next.status === 'cancelled') this.emit({ type: 'execution_interrupted', promptId: id, nodeId: null });
    // The record is final now: the tracker reads it (with the outputs) and announces the end.
    if (isEnd(next.status)) this.emit({ type: 'executing', promptId: id, node: null, displayNode: null });
    if (before.status !== next.status || before.queueNumber !== next.queueNumber) this.queueChanged();
  }

  /** No such run on this account (a mistyped id, or deleted): it ends as failed, saying so, and nothing waits on it. */
  private notFound(run: FollowedRun): void {
    if (run.notFound) return;
    run.notFound = true;
    this.quiet(run);
    const error: JobError = {
      exceptionType: 'RunNotFound',
      message: `${this.name} has no run ${run.id} on this account (HTTP 404); check the id.`,
      traceback: [],
    };
    this.emit({ type: 'execution_error', promptId: run.id, error, blocked: false });
    this.emit({ type: 'executing', promptId: run.id, node: null, displayNode: null });
    this.queueChanged();
  }

  private quiet(run: FollowedRun): void {
    clearTimeout(run.retryTimer);
    run.stream?.close();
    run.stream = undefined;
  }

  private queueChanged(): void {
    const queueRemaining = this.inFlight();
    if (this.info.state === 'connected' && this.info.queueRemaining !== queueRemaining) this.setInfo({ ...this.info, queueRemaining });
    // As a ComfyUI `status` broadcast: something changed, the tracker looks (listActive costs no request here).
    this.emit({ type: 'status', queueRemaining });
  }

  private inFlight(): number {
    return [...this.runs.values()].filter((run) => !run.notFound && !(run.status !== undefined && isEnd(run.status))).length;
  }

  // ---- requests ----

  /** The record, or undefined when the service does not know the run (404). Refusals carry their meaning. */
  private async readRecord(id: string): Promise<RunRecord | undefined> {
    this.stats.recordReads++;
    let body: unknown;
    try {
      body = await this.http.getJson(`v1/workflow/${encodeURIComponent(id)}`);
    } catch (error) {
      if (error instanceof HttpStatusError && error.status === 404) return undefined;
      const meant = this.meaning(error);
      if (needsTheUser(errorCode(meant))) this.lost(meant);
      throw meant;
    }
    const parsed = runRecordSchema.safeParse(body);
    if (!parsed.success) throw new ComfyTrayError('COMFY_BAD_RESPONSE', `${this.name}: the run's record is not what ComfyControl sends`);
    return parsed.data;
  }

  /**
   * The run's outputs from its stream: a run that has ended sends its last snapshot (with the outputs) and closes.
   * Empty when the stream gives none before it closes or stalls.
   */
  private finalOutputs(runId: string): Promise<RunOutput[]> {
    return new Promise((resolve) => {
      let settled = false;
      const finish = (outputs: RunOutput[]): void => {
        if (settled) return;
        settled = true;
        stream.close();
        resolve(outputs);
      };
      const stream = new RunStream(routeUrl(this.server.baseUrl, `v1/workflow/${encodeURIComponent(runId)}/subscribe`), this.dispatcher, STALL_INTERVALS * this.timings.streamIntervalMs, {
        snapshot: (snapshot) => {
          if (runStatus(snapshot.status).status !== 'completed') return;
          const outputs = runOutputs(runId, snapshot.outputs);
          this.keepOutputs(runId, outputs);
          finish(outputs);
        },
        stopped: () => finish([]),
      });
      this.stats.streamsOpened++;
      stream.open();
    });
  }

  private keepOutputs(runId: string, outputs: RunOutput[]): void {
    this.outputs.delete(runId);
    this.outputs.set(runId, outputs);
    while (this.outputs.size > MAX_KEPT_OUTPUTS) {
      const oldest = this.outputs.keys().next().value;
      if (oldest === undefined) break;
      this.outputs.delete(oldest);
    }
  }

  private meaning(error: unknown): unknown {
    if (error instanceof HttpStatusError && (error.status === 401 || error.status === 403)) {
      return new HttpStatusError(error.status, this.name, error.body, {
        code: 'COMFY_AUTH_FAILED',
        message: `${this.name}: ComfyControl refused the API token (HTTP ${error.status}); it may have been revoked. Enter a new one in Settings.`,
      });
    }
    return error;
  }

  private unsupported(why: string): ComfyTrayError {
    return new ComfyTrayError('BACKEND_UNSUPPORTED', `${this.name}: ${why}.`);
  }

  private emit(message: ServerMessage): void {
    this.events.emit('message', message);
  }

  private setInfo(info: ConnectionInfo): void {
    this.info = info;
    this.events.emit('connection', info);
  }
}
