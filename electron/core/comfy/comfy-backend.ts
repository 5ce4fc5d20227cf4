// The JobBackend for a stock ComfyUI server: the jobs API when the server has it, /queue and /history otherwise.
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'undici';
import { z } from 'zod';
import type { OutputRef } from '../../shared/app-state.js';
import { Emitter } from '../emitter.js';
import { ComfyTrayError, HttpStatusError, errorMessage } from '../errors.js';
import { createLogger } from '../logger.js';
import type { BackendEvents, JobBackend, NodeValidationError, OutputRange, OutputStream, SubmitRequest, SubmitResult, UploadedInput } from '../jobs/backend.js';
import { PromptRejectedError } from '../jobs/backend.js';
import type { ServerCapabilities, ServerHealth } from '../../shared/app-state.js';
import { healthFromSystemStats } from './system-stats.js';
import { probeServer, type ServerIdentity } from './capabilities.js';
import { ComfyConnection, type ClientIdStore, type ConnectionInfo } from './comfy-connection.js';
import { ComfyHttp, networkError } from './http-client.js';
import { stringifyJson } from '../json.js';
import { queuedPromptFromJobRecord, queuedPrompts, requeueBody, type QueuedPrompt, type QueuePlacement } from './queue-records.js';
import { parseObjectInfo, type ObjectInfo } from '../workflow/object-info.js';
import type { ConnectionTimings } from './reconnect-policy.js';
import { HISTORY_PAGE_SIZE, historyPages } from './history-pages.js';
import {
  activeFromQueue,
  fromHistoryEntry,
  fromJobsApiItem,
  fromJobsList,
  sortByExecutionOrder,
  type ActiveJobs,
  type RemoteJob,
} from './remote-jobs.js';
import { authHeaders, redactedUrl, routeUrl, type ResolvedServer } from './server-config.js';

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
  readonly serverId: string;
  readonly name: string;
  readonly url: string;
  private readonly http: ComfyHttp;
  private readonly conn: ComfyConnection;
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

  constructor(server: ResolvedServer, clientIds: ClientIdStore, options: { timings?: Partial<ConnectionTimings> } = {}) {
    this.server = server;
    this.serverId = server.id;
    this.name = server.name;
    this.url = redactedUrl(server.baseUrl);
    this.log = createLogger(`Backend ${server.name}`);
    this.httpTimeoutMs = options.timings?.httpTimeoutMs;
    this.http = new ComfyHttp(server, { timeoutMs: this.httpTimeoutMs });
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
    if (!caps?.cancelEndpoint || this.noCancelEndpoint === undefined || this.noCancelEndpoint.version !== info.version) return info;
    return { ...info, capabilities: { ...caps, cancelEndpoint: false } };
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
    const identity = await probeServer(this.http, this.httpTimeoutMs ?? 15_000);
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
    if (this.jobsApi) {
      const { jobs } = fromJobsList(await this.http.getJson('api/jobs', { status: 'in_progress,pending' }));
      return {
        running: jobs.filter((j) => j.status === 'running'),
        pending: sortByExecutionOrder(jobs.filter((j) => j.status === 'pending')),
      };
    }
    return activeFromQueue(await this.http.getJson('api/queue'));
  }

  async systemStats(): Promise<ServerHealth> {
    return healthFromSystemStats(await this.http.getJson('api/system_stats'), Date.now());
  }

  async describeActive(): Promise<ActiveJobs> {
    return activeFromQueue(await this.http.getJson('api/queue'));
  }

  async *finishedPages(firstPageSize: number): AsyncGenerator<RemoteJob[]> {
    if (!this.jobsApi) {
      // Bounded: /history without max_items returns everything the server remembers (up to 10,000 full entries).
      yield* historyPages((query) => this.http.getJson('api/history', query), firstPageSize);
      return;
    }
    const seen = new Set<string>();
    let offset = 0;
    let limit = firstPageSize;
    for (;;) {
      const query = { status: 'completed,failed,cancelled', sort_by: 'created_at', sort_order: 'desc', limit, offset };
      const { jobs, hasMore, listed } = fromJobsList(await this.http.getJson('api/jobs', query));
      // Jobs finishing meanwhile push the list down: a job can come twice across pages, and is given once.
      const fresh = jobs.filter((job) => !seen.has(job.id));
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
        if (error instanceof HttpStatusError && error.status === 404) return undefined;
        throw error;
      }
    }
    const body = await this.http.getJson(`api/history/${encodeURIComponent(id)}`, undefined, { exactIntegers: true });
    const entry = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[id] : undefined;
    return entry === undefined ? undefined : fromHistoryEntry(id, entry);
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
    throw new HttpStatusError(response.status, `${this.name} /prompt`, typeof response.body === 'string' ? response.body : '');
  }

  async cancel(id: string, isRunning: boolean): Promise<boolean> {
    const caps = this.capabilities;
    if (caps?.cancelEndpoint) {
      const response = await this.http.postJson(`api/jobs/${encodeURIComponent(id)}/cancel`, {});
      if (response.status === 200) return (response.body as { cancelled?: unknown } | null)?.cancelled === true;
      if (response.status !== 404 && response.status !== 405) throw new HttpStatusError(response.status, `${this.name} cancel`, '');
      this.log.info('cancel endpoint missing; using interrupt and queue delete from now on');
      this.noCancelEndpoint = { version: this.conn.current.version ?? this.probedVersion };
      if (this.probed) this.probed = { ...this.probed, cancelEndpoint: false };
      this.events.emit('connection', this.connection);
    }
    if (!isRunning) {
      await this.expectOk(await this.http.postJson('api/queue', { delete: [id] }), 'queue delete');
      return true;
    }
    if (caps?.targetedInterrupt) {
      await this.expectOk(await this.http.postJson('api/interrupt', { prompt_id: id }), 'interrupt');
      return true;
    }
    // Old servers only know a global interrupt: send it only while this job is the one running.
    const active = await this.listActive();
    if (!active.running.some((job) => job.id === id)) return false;
    await this.expectOk(await this.http.postJson('api/interrupt', {}), 'interrupt');
    return true;
  }

  async removePending(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.expectOk(await this.http.postJson('api/queue', { delete: ids }), 'queue delete');
  }

  async clearPending(): Promise<void> {
    await this.expectOk(await this.http.postJson('api/queue', { clear: true }), 'queue clear');
  }

  async fetchOutput(ref: OutputRef, range?: OutputRange, signal?: AbortSignal): Promise<OutputStream> {
    const query = { filename: ref.filename, subfolder: ref.subfolder, type: ref.type };
    const asked = range && range.from > 0 ? { range: `bytes=${range.from}-`, ...(range.ifRange !== undefined && { 'if-range': range.ifRange }) } : undefined;
    const { status, body, headers } = await this.http.stream('api/view', query, { ...(asked && { headers: asked }), ...(signal && { signal }) });
    const header = (name: string): string | undefined => {
      const value = headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const declared = Number(header('content-length'));
    const span = /^bytes (\d+)-\d+\/(\d+)$/.exec(header('content-range') ?? '');
    if (status === 206 && !span) {
      body.on('error', () => undefined);
      body.destroy();
      throw new ComfyTrayError('COMFY_BAD_RESPONSE', `${this.name}: a partial answer without a usable Content-Range`);
    }
    const etag = header('etag');
    const lastModified = header('last-modified');
    return {
      body,
      ...(Number.isSafeInteger(declared) && declared >= 0 && { size: declared }),
      ...(status === 206 && span && { range: { start: Number(span[1]), total: Number(span[2]) } }),
      ...(etag !== undefined && { etag }),
      ...(lastModified !== undefined && { lastModified }),
    };
  }

  /** The server's node definitions, cached per server version (a restart onto another version drops the cache). */
  objectInfo(options: { refresh?: boolean } = {}): Promise<ObjectInfo> {
    const version = this.conn.current.version ?? this.probedVersion;
    const cached = this.objectInfoCache;
    if (cached !== undefined && cached.version === version && options.refresh !== true) return cached.info;
    const info = this.http
      .getJson('api/object_info', undefined, { exactIntegers: true, timeoutMs: Math.max(this.httpTimeoutMs ?? 0, 60_000) })
      .then((body) => parseObjectInfo(body).info);
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
    const what = `${this.name} upload/image`;
    let status: number;
    let text: string;
    try {
      const response = await httpRequest(routeUrl(this.server.baseUrl, 'api/upload/image'), {
        method: 'POST',
        headers: { ...authHeaders(this.server.auth), 'comfy-user': '', accept: 'application/json', 'content-type': `multipart/form-data; boundary=${boundary}` },
        body,
        headersTimeout: UPLOAD_TIMEOUT_MS,
        bodyTimeout: UPLOAD_TIMEOUT_MS,
        signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS + 1_000),
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (cause) {
      throw networkError(cause, what);
    }
    if (status !== 200) throw new HttpStatusError(status, what, text.slice(0, 64 * 1024));
    const parsed = uploadAnswer.safeParse(this.http.parse('api/upload/image', text));
    if (!parsed.success) throw new ComfyTrayError('COMFY_BAD_RESPONSE', `${this.name}: unexpected answer to POST /upload/image`);
    return { name: parsed.data.name, subfolder: parsed.data.subfolder ?? options.subfolder ?? '' };
  }

  private async expectOk(response: { status: number }, what: string): Promise<void> {
    if (response.status !== 200) throw new HttpStatusError(response.status, `${this.name} ${what}`, '');
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
