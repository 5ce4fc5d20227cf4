// The JobBackend for a stock ComfyUI server: the jobs API when the server has it, /queue and /history otherwise.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { OutputRef } from '../../../shared/app-state.js';
import { Emitter } from '../../emitter.js';
import { ComfyTrayError, HttpStatusError, errorMessage } from '../../errors.js';
import { createLogger } from '../../logger.js';
import type { BackendEvents, JobBackend, NodeValidationError, OutputRange, OutputStream, SubmitRequest, SubmitResult, UploadedInput } from '../../jobs/backend.js';
import { PromptRejectedError } from '../../jobs/backend.js';
import type { ServerCapabilities, ServerHealth } from '../../../shared/app-state.js';
import { healthFromSystemStats } from '../../comfy/system-stats.js';
import type { ServerIdentity } from '../../comfy/capabilities.js';
import { COMFYUI_DIALECT, type ConnectionDialect } from '../../comfy/connection-dialect.js';
import { ComfyConnection, type ClientIdStore, type ConnectionInfo } from '../../comfy/comfy-connection.js';
import { ComfyHttp, type HttpOptions } from '../../comfy/http-client.js';
import { stringifyJson } from '../../json.js';
import { queuedPromptFromJobRecord, queuedPrompts, requeueBody, type QueuedPrompt, type QueuePlacement } from '../../comfy/queue-records.js';
import { parseObjectInfo, type ObjectInfo } from '../../workflow/object-info.js';
import type { ConnectionTimings } from '../../comfy/reconnect-policy.js';
import { HISTORY_PAGE_SIZE, historyPages } from '../../comfy/history-pages.js';
import { outputStreamOf, rangeHeaders } from '../../comfy/output-stream.js';
import { DOCUMENTED_DIALECT, describeDialect, jobsQuery, learnFromRefusal, type JobsApiDialect, type JobsApiStatus } from '../../comfy/jobs-api-dialect.js';
import {
  activeFromQueueText,
  fromHistoryEntry,
  fromJobsApiItem,
  fromJobsList,
  sortByExecutionOrder,
  type ActiveJobs,
  type DropReporter,
  type RemoteJob,
} from '../../comfy/remote-jobs.js';
import { redactedUrl, type ResolvedServer } from '../../comfy/server-config.js';

const uploadAnswer = z.object({ name: z.string().min(1), subfolder: z.string().optional() });
const UPLOAD_TIMEOUT_MS = 120_000;

const promptAccepted = z.object({ prompt_id: z.string(), number: z.number().optional(), node_errors: z.unknown().optional() });
const promptRejected = z.object({
  error: z.union([z.string(), z.object({ type: z.string().optional(), message: z.string().optional(), details: z.string().optional() })]).optional(),
  node_errors: z.unknown().optional(),
});
const nodeErrorSchema = z.object({
  class_type: z.string().optional(),
  errors: z
    .array(
      z.object({
        type: z.string().default('error'),
        message: z.string().default(''),
        details: z.string().optional(),
        extra_info: z.object({ input_name: z.string().optional() }).partial().passthrough().optional(),
      }),
    )
    .default([]),
});

export class ComfyBackend implements JobBackend {
  readonly events = new Emitter<BackendEvents>();
  readonly liveOutputsComplete: boolean = true;
  readonly serverId: string;
  readonly name: string;
  readonly url: string;
  protected readonly http: ComfyHttp;
  protected readonly conn: ComfyConnection;
  /** How this kind of server is identified and connected to (Comfy Cloud differs from a stock ComfyUI). */
  private readonly connectionDialect: ConnectionDialect;
  private readonly log;
  private readonly httpTimeoutMs: number | undefined;
  private probed: ServerCapabilities | undefined;
  private stopping: Promise<void> | undefined;
  private readonly server: ResolvedServer;
  /** /object_info for one server version; refetched when the version seen on (re)connect changes. */
  private objectInfoCache: { version: string | undefined; info: Promise<ObjectInfo> } | undefined;
  private probedVersion: string | undefined;
  /** The cancel endpoint answered 404/405 on a server of this version. */
  private noCancelEndpoint: { version: string | undefined } | undefined;
  /** What `/api/jobs` accepts on a server of this version, once it refused the documented query. */
  private learnedDialect: { version: string | undefined; dialect: JobsApiDialect } | undefined;
  /** `/api/jobs` answered 404/405 on a server of this version, though the probe found it (a proxy in between). */
  private noJobsApi: { version: string | undefined } | undefined;
  /** Route and field of every item left out so far: each is told once, not at every look. */
  private readonly reportedDrops = new Set<string>();

  constructor(
    server: ResolvedServer,
    clientIds: ClientIdStore,
    /** `dialect` and `http` for services that speak ComfyUI's protocol with differences (Comfy Cloud). */
    options: { timings?: Partial<ConnectionTimings>; dialect?: ConnectionDialect; http?: Omit<HttpOptions, 'timeoutMs'>; watchPortWhileDown?: boolean } = {},
  ) {
    this.server = server;
    this.serverId = server.id;
    this.name = server.name;
    this.url = redactedUrl(server.baseUrl);
    this.log = createLogger(`Backend ${server.name}`);
    this.httpTimeoutMs = options.timings?.httpTimeoutMs;
    this.connectionDialect = options.dialect ?? COMFYUI_DIALECT;
    this.http = new ComfyHttp(server, { ...options.http, timeoutMs: this.httpTimeoutMs });
    this.conn = new ComfyConnection(server, this.http, clientIds, options);
    this.conn.events.on('state', (info) => this.events.emit('connection', this.withLearned(info)));
    this.conn.events.on('message', (message) => this.events.emit('message', message));
    this.conn.events.on('connected', (info) => this.events.emit('connected', info));
    this.conn.events.on('probe', (info) => this.events.emit('probe', info));
  }

  get connection(): ConnectionInfo {
    return this.withLearned(this.conn.current);
  }

  /**
   * What the server showed us since its version was read: a cancel endpoint that answered 404 is off until the
   * server reports another version (an upgrade), not only for the one call that found out.
   */
  private withLearned(info: ConnectionInfo): ConnectionInfo {
    const caps = info.capabilities;
    if (!caps) return info;
    const learned = (entry: { version: string | undefined } | undefined): boolean => entry !== undefined && entry.version === info.version;
    const jobsApi = caps.jobsApi && !learned(this.noJobsApi);
    const { jobsStatusFilter: _statuses, jobsSort: _sort, ...rest } = caps;
    return {
      ...info,
      capabilities: {
        ...rest,
        jobsApi,
        cancelEndpoint: caps.cancelEndpoint && jobsApi && !learned(this.noCancelEndpoint),
        ...(jobsApi && learned(this.learnedDialect) && describeDialect(this.learnedDialect!.dialect)),
      },
    };
  }

  /**
   * Tells, once per route and field, that the server sent an item the app had to leave out because a field it
   * depends on was missing or unusable; the rest of the answer is used.
   */
  private dropReporter(route: string): DropReporter {
    return (field) => this.reportOnce(route, `sent a job without ${field}; such jobs are left out`);
  }

  private reportOnce(route: string, what: string): void {
    const key = `${route}\u0000${what}`;
    if (this.reportedDrops.has(key)) return;
    this.reportedDrops.add(key);
    const message = `${this.http.describe(route)} ${what}`;
    this.log.warn(message);
    this.events.emit('warning', { code: 'COMFY_FIELD_MISSING', message });
  }

  /** The server's version as far as this side knows it (the connection's, or the one-shot probe's). */
  private get knownVersion(): string | undefined {
    return this.conn.current.version ?? this.probedVersion;
  }

  private get dialect(): JobsApiDialect {
    const learned = this.learnedDialect;
    return learned !== undefined && learned.version === this.knownVersion ? learned.dialect : DOCUMENTED_DIALECT;
  }

  /**
   * GET /api/jobs for jobs in `wanted`, asked as this server accepts it: a 400 narrows the query to what the
   * server's answer allows (remembered for this server version, shown in its capabilities) and asks again; a 404 or
   * 405 means the route is not there after all, and the legacy routes are used from then on. Returns undefined
   * then, so the caller reads the legacy routes.
   */
  private async getJobs(
    wanted: readonly JobsApiStatus[],
    extra: { sortNewestFirst?: boolean; limit?: number; offset?: number },
  ): Promise<{ body: unknown; filterHere: boolean } | undefined> {
    for (;;) {
      const dialect = this.dialect;
      const { query, filterHere } = jobsQuery(dialect, wanted, extra);
      try {
        return { body: await this.http.getJson('api/jobs', query), filterHere };
      } catch (error) {
        if (!(error instanceof HttpStatusError)) throw error;
        if (error.status === 404 || error.status === 405) {
          this.log.warn('/api/jobs is gone: following the server through /queue and /history from now on', { status: error.status });
          this.noJobsApi = { version: this.knownVersion };
          if (this.probed) this.probed = { ...this.probed, jobsApi: false };
          this.events.emit('connection', this.connection);
          return undefined;
        }
        const narrower = error.status === 400 ? learnFromRefusal(dialect, query, error.body) : undefined;
        if (narrower === undefined) throw error;
        this.log.warn('/api/jobs refused a query; asking as it accepts from now on', { refused: error.body.slice(0, 200), ...describeDialect(narrower) });
        this.learnedDialect = { version: this.knownVersion, dialect: narrower };
        this.events.emit('connection', this.connection);
      }
    }
  }

  get clientId(): string | undefined {
    return this.conn.clientId;
  }

  /** Counters for tests and benchmarks. */
  get stats(): ComfyConnection['stats'] {
    return this.conn.stats;
  }

  serverTime(): number {
    return Date.now() + (this.http.clockOffsetMs ?? 0);
  }

  start(): void {
    this.conn.start();
  }

  async stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.conn.stop();
      await this.http.close();
    })();
    await this.stopping;
  }

  reconnectNow(): void {
    this.conn.reconnectNow();
  }

  /** Version and capabilities over HTTP alone, for one-shot commands that never open the socket. */
  async probe(): Promise<ServerIdentity> {
    const identity = await this.connectionDialect.identify(this.http, this.httpTimeoutMs ?? 15_000);
    this.probed = identity.capabilities;
    this.probedVersion = identity.version;
    return identity;
  }

  private get capabilities(): ServerCapabilities | undefined {
    return this.connection.capabilities ?? this.probed;
  }

  private get jobsApi(): boolean {
    return this.capabilities?.jobsApi === true;
  }

  async listActive(): Promise<ActiveJobs> {
    // Without a status filter the jobs route would list the whole history too: /queue is the cheaper answer then.
    const answer = this.jobsApi && this.dialect.statuses.length > 0 ? await this.getJobs(['in_progress', 'pending'], {}) : undefined;
    if (answer) {
      const jobs = fromJobsList(answer.body, this.dropReporter('api/jobs')).jobs.filter((j) => j.status === 'running' || j.status === 'pending');
      return {
        running: jobs.filter((j) => j.status === 'running'),
        pending: sortByExecutionOrder(jobs.filter((j) => j.status === 'pending')),
      };
    }
    return this.legacyQueue();
  }

  /** The legacy /queue, scanned rather than parsed whole: it carries every queued job's prompt (remote-jobs.ts). */
  private async legacyQueue(): Promise<ActiveJobs> {
    const text = await this.http.getText('api/queue');
    return activeFromQueueText(text, (body) => this.http.parse('api/queue', body), this.dropReporter('api/queue'));
  }

  async systemStats(): Promise<ServerHealth> {
    return healthFromSystemStats(await this.http.getJson('api/system_stats'), Date.now());
  }

  async describeActive(): Promise<ActiveJobs> {
    return this.legacyQueue();
  }

  async *finishedPages(firstPageSize: number): AsyncGenerator<RemoteJob[]> {
    if (!this.jobsApi) {
      // Bounded: /history without max_items returns everything the server remembers (up to 10,000 full entries).
      yield* historyPages((query) => this.http.getJson('api/history', query), firstPageSize, this.dropReporter('api/history'));
      return;
    }
    const seen = new Set<string>();
    let offset = 0;
    let limit = firstPageSize;
    for (;;) {
      const answer = await this.getJobs(['completed', 'failed', 'cancelled'], { sortNewestFirst: true, limit, offset });
      if (!answer) {
        yield* historyPages((query) => this.http.getJson('api/history', query), firstPageSize, this.dropReporter('api/history'));
        return;
      }
      const { jobs, hasMore, listed } = fromJobsList(answer.body, this.dropReporter('api/jobs'));
      // Jobs finishing meanwhile push the list down: a job can come twice across pages, and is given once. A server
      // that takes no status filter lists its queue too, which is not what this reads.
      const fresh = jobs.filter((job) => !seen.has(job.id) && isFinished(job));
      for (const job of fresh) seen.add(job.id);
      yield fresh;
      offset += listed;
      // A full page of jobs already given: the server ignores `offset` (and may say "more" forever). Jobs finishing
      // between two requests shift a page by a few, never by all of it.
      if (!hasMore || listed < limit || (listed > 0 && fresh.length === 0)) return;
      limit = HISTORY_PAGE_SIZE;
    }
  }

  finishedOrderTime(job: RemoteJob): number | undefined {
    // /api/jobs sorts by creation time; /history keeps the order in which jobs ended.
    return this.jobsApi ? job.createdAt : job.endedAt;
  }

  async lookup(id: string): Promise<RemoteJob | undefined> {
    if (this.jobsApi) {
      try {
        return fromJobsApiItem(await this.http.getJson(`api/jobs/${encodeURIComponent(id)}`, undefined, { exactIntegers: true }));
      } catch (error) {
        if (!(error instanceof HttpStatusError) || (error.status !== 404 && error.status !== 405)) throw error;
        // A 404 with the route's own answer is "no such job"; anything else may mean the route is not there, and
        // then the job is looked up in /history below.
        if (error.status === 404 && isJobNotFound(error.body)) return undefined;
        if (!(await this.jobsRouteMissing())) return undefined;
      }
    }
    const body = await this.http.getJson(`api/history/${encodeURIComponent(id)}`, undefined, { exactIntegers: true });
    const entry = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[id] : undefined;
    return entry === undefined ? undefined : fromHistoryEntry(id, entry);
  }

  /** Whether `/api/jobs` itself is gone (learned, see `getJobs`), asked when a job lookup answered a bare 404. */
  private async jobsRouteMissing(): Promise<boolean> {
    return (await this.getJobs([], { limit: 1 })) === undefined;
  }

  async submit(request: SubmitRequest & { promptId: string }): Promise<SubmitResult> {
    const clientId = this.conn.clientId;
    const body: Record<string, unknown> = { prompt: request.prompt, prompt_id: request.promptId };
    if (clientId !== undefined) body.client_id = clientId;
    if (request.workflow !== undefined) body.extra_data = { extra_pnginfo: { workflow: request.workflow } };
    if (request.front === true) body.front = true;
    return this.postPrompt(stringifyJson(body));
  }

  async queuedPrompts(ids: readonly string[]): Promise<QueuedPrompt[]> {
    if (ids.length === 0) return [];
    const wanted = new Set(ids);
    let text: string | undefined;
    try {
      text = await this.http.getText('api/queue', undefined, { timeoutMs: Math.max(this.httpTimeoutMs ?? 0, 60_000) });
    } catch (error) {
      // A server with the jobs API but no /queue: its job records, where they carry the prompt of a queued job.
      if (!(error instanceof HttpStatusError && error.status === 404 && this.jobsApi)) throw error;
    }
    if (text !== undefined) return queuedPrompts(text).filter((job) => wanted.has(job.id));
    const found: QueuedPrompt[] = [];
    for (const id of wanted) {
      try {
        const recordText = await this.http.getText(`api/jobs/${encodeURIComponent(id)}`);
        const record = fromJobsApiItem(this.http.parse(`api/jobs/${id}`, recordText));
        if (record?.status !== 'pending' && record?.status !== 'running') continue;
        const exact = queuedPromptFromJobRecord(recordText, record.status);
        if (exact) found.push(exact);
      } catch (error) {
        if (!(error instanceof HttpStatusError && error.status === 404)) throw error;
      }
    }
    return found;
  }

  async requeue(job: Pick<QueuedPrompt, 'id' | 'promptJson' | 'extraDataJson' | 'clientId'>, placement: QueuePlacement): Promise<void> {
    await this.postPrompt(requeueBody(job, placement));
  }

  private async postPrompt(text: string): Promise<SubmitResult> {
    const token = this.conn.beforeSubmit();
    const response = await this.http.postJsonText('api/prompt', text);
    if (response.status === 200) {
      const accepted = promptAccepted.safeParse(response.body);
      if (!accepted.success) throw new ComfyTrayError('COMFY_BAD_RESPONSE', `${this.name}: unexpected answer to POST /prompt`);
      this.conn.afterSubmit(token);
      return {
        promptId: accepted.data.prompt_id,
        ...(accepted.data.number !== undefined && { number: accepted.data.number }),
        nodeErrors: parseNodeErrors(accepted.data.node_errors),
      };
    }
    if (response.status === 400) throw rejection(response.body);
    if (response.status === 413) throw new PromptRejectedError(`${this.name}: the prompt is larger than the server accepts`, 'too_large', []);
    throw new HttpStatusError(response.status, this.http.describe('api/prompt'), typeof response.body === 'string' ? response.body : '');
  }

  async cancel(id: string, isRunning: boolean): Promise<boolean> {
    const caps = this.capabilities;
    if (caps?.cancelEndpoint) {
      const response = await this.http.postJson(`api/jobs/${encodeURIComponent(id)}/cancel`, {});
      if (response.status === 200) return (response.body as { cancelled?: unknown } | null)?.cancelled === true;
      if (response.status !== 404 && response.status !== 405) throw new HttpStatusError(response.status, this.http.describe(`api/jobs/${encodeURIComponent(id)}/cancel`), '');
      this.log.info('cancel endpoint missing; using interrupt and queue delete from now on');
      this.noCancelEndpoint = { version: this.conn.current.version ?? this.probedVersion };
      if (this.probed) this.probed = { ...this.probed, cancelEndpoint: false };
      this.events.emit('connection', this.connection);
    }
    if (!isRunning) {
      await this.expectOk(await this.http.postJson('api/queue', { delete: [id] }), 'api/queue');
      return true;
    }
    if (caps?.targetedInterrupt) {
      await this.expectOk(await this.http.postJson('api/interrupt', { prompt_id: id }), 'api/interrupt');
      return true;
    }
    // Old servers only know a global interrupt: send it only while this job is the one running.
    const active = await this.listActive();
    if (!active.running.some((job) => job.id === id)) return false;
    await this.expectOk(await this.http.postJson('api/interrupt', {}), 'api/interrupt');
    return true;
  }

  async removePending(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.expectOk(await this.http.postJson('api/queue', { delete: ids }), 'api/queue');
  }

  async clearPending(): Promise<void> {
    await this.expectOk(await this.http.postJson('api/queue', { clear: true }), 'api/queue');
  }

  async fetchOutput(ref: OutputRef, range?: OutputRange, signal?: AbortSignal): Promise<OutputStream> {
    const query = { filename: ref.filename, subfolder: ref.subfolder, type: ref.type };
    const asked = rangeHeaders(range);
    const answer = await this.http.stream('api/view', query, { ...(asked && { headers: asked }), ...(signal && { signal }) });
    return outputStreamOf(answer, this.name);
  }

  /** The server's node definitions, cached per server version (a restart onto another version drops the cache). */
  objectInfo(options: { refresh?: boolean } = {}): Promise<ObjectInfo> {
    const version = this.conn.current.version ?? this.probedVersion;
    const cached = this.objectInfoCache;
    if (cached !== undefined && cached.version === version && options.refresh !== true) return cached.info;
    const info = this.http
      .getJson('api/object_info', undefined, { exactIntegers: true, timeoutMs: Math.max(this.httpTimeoutMs ?? 0, 60_000) })
      .then((body) => {
        const { info, skipped } = parseObjectInfo(body);
        if (skipped.length > 0) this.reportOnce('api/object_info', `lists node types it gives no usable "input" for (${skipped.slice(0, 5).join(', ')}${skipped.length > 5 ? `, and ${skipped.length - 5} more` : ''}); workflows using them cannot be converted`);
        return info;
      });
    const entry = { version, info };
    this.objectInfoCache = entry;
    // A failed fetch is not cached: the next call asks again.
    info.catch(() => {
      if (this.objectInfoCache === entry) this.objectInfoCache = undefined;
    });
    return info;
  }

  /** POST /upload/image (multipart, type input); the server may pick another name, which is what callers must use. */
  async uploadInput(bytes: Uint8Array, filename: string, options: { subfolder?: string } = {}): Promise<UploadedInput> {
    const boundary = `----comfytray${randomUUID().replaceAll('-', '')}`;
    const body = multipartBody(boundary, [
      { name: 'image', filename, data: bytes },
      { name: 'type', data: 'input' },
      ...(options.subfolder ? [{ name: 'subfolder', data: options.subfolder }] : []),
    ]);
    const what = this.http.describe('api/upload/image');
    // Through the server's HTTP client: its credentials, query token and pinned certificate apply to uploads too.
    const { status, text } = await this.http.send('POST', 'api/upload/image', {
      body,
      contentType: `multipart/form-data; boundary=${boundary}`,
      timeoutMs: UPLOAD_TIMEOUT_MS,
    });
    if (status !== 200) throw new HttpStatusError(status, what, text.slice(0, 64 * 1024));
    const parsed = uploadAnswer.safeParse(this.http.parse('api/upload/image', text));
    if (!parsed.success) throw new ComfyTrayError('COMFY_BAD_RESPONSE', `${this.name}: unexpected answer to POST /upload/image`);
    return { name: parsed.data.name, subfolder: parsed.data.subfolder ?? options.subfolder ?? '' };
  }

  private async expectOk(response: { status: number }, route: string): Promise<void> {
    if (response.status !== 200) throw new HttpStatusError(response.status, this.http.describe(route), '');
  }
}

function isFinished(job: RemoteJob): boolean {
  return job.status === 'completed' || job.status === 'failed' || job.status === 'cancelled';
}

/** The jobs route's own 404 (`{"error": "Job not found"}`), as opposed to a route that does not exist. */
function isJobNotFound(body: string): boolean {
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed !== null && typeof parsed === 'object' && /not found/i.test(String((parsed as { error?: unknown }).error ?? ''));
  } catch {
    return false;
  }
}

function multipartBody(boundary: string, parts: readonly { name: string; filename?: string; data: Uint8Array | string }[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const quoted = (text: string): string => text.replace(/["\r\n]/g, (c) => encodeURIComponent(c));
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${quoted(part.name)}"`;
    if (part.filename !== undefined) head += `; filename="${quoted(part.filename)}"\r\nContent-Type: application/octet-stream`;
    chunks.push(Buffer.from(`${head}\r\n\r\n`, 'utf8'), Buffer.from(part.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

function parseNodeErrors(value: unknown): NodeValidationError[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const result: NodeValidationError[] = [];
  for (const [nodeId, raw] of Object.entries(value as Record<string, unknown>)) {
    const parsed = nodeErrorSchema.safeParse(raw);
    if (!parsed.success) continue;
    result.push({
      nodeId,
      ...(parsed.data.class_type !== undefined && { classType: parsed.data.class_type }),
      errors: parsed.data.errors.map((e) => ({
        type: e.type,
        message: e.message,
        ...(e.details !== undefined && { details: e.details }),
        ...(e.extra_info?.input_name !== undefined && { inputName: e.extra_info.input_name }),
      })),
    });
  }
  return result;
}

function rejection(body: unknown): PromptRejectedError {
  const parsed = promptRejected.safeParse(body);
  if (!parsed.success) return new PromptRejectedError(`The server rejected the prompt: ${errorMessage(body)}`, 'unknown', []);
  const error = parsed.data.error;
  const type = typeof error === 'string' ? 'error' : (error?.type ?? 'error');
  const message = typeof error === 'string' ? error : [error?.message, error?.details].filter(Boolean).join(': ');
  return new PromptRejectedError(message || 'The server rejected the prompt', type, parseNodeErrors(parsed.data.node_errors));
}
