// ComfySimulator: a protocol-faithful ComfyUI server for tests (HTTP + WebSocket on 127.0.0.1), behaving like
// the servers recorded in test/fixtures/comfyui-real (beside the repo checkout) (modern = 0.28.0, legacy = 0.3.54).
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import { WebSocketServer } from 'ws';
import { SimCore } from './core.js';
import { type FailRule, headerMatches, normalizeRoute, originStatus, type RequiredHeader, takeFailure } from './guards.js';
import { BodyTooLarge, internalError, readBody, type SimRequest, type SimResponse, textResponse, writeResponse } from './http.js';
import { deepCopy } from './json.js';
import { addFileRoutes } from './routes-files.js';
import { addInfoRoutes } from './routes-info.js';
import { addJobsRoutes } from './routes-jobs.js';
import { addQueueRoutes } from './routes-queue.js';
import { Router } from './router.js';
import type { JsonObject, SimGeneration, SimulatorOptions } from './types.js';
import { acceptSocket } from './ws-handler.js';

export interface EnqueueOptions {
  clientId?: string;
  promptId?: string;
  front?: boolean;
  extraData?: Record<string, unknown>;
}

export class ComfySimulator {
  /** 'enqueued', 'started', 'finished', 'removed', 'ws-connected', 'ws-closed', 'request', 'stalled', 'file-served' (see SimEventMap). */
  readonly events = new EventEmitter();
  /** Files served by /view, keyed `${type}/${subfolder}/${filename}`; they survive restarts (temp/ does not). */
  readonly outputs = new Map<string, Buffer>();
  private readonly generation: SimGeneration;
  private readonly version: string;
  private readonly basePath: string;
  private readonly core: SimCore;
  private readonly router = new Router();
  private readonly wss = new WebSocketServer({ noServer: true });
  private requiredHeader: RequiredHeader | undefined;
  private server: Server | undefined;
  private boundPort = 0;
  private serverRun = 0;
  private readonly failRules: FailRule[] = [];
  private readonly stallRules: FailRule[] = [];
  private readonly seenPaths: string[] = [];

  constructor(private readonly options: SimulatorOptions = {}) {
    this.events.setMaxListeners(0);
    this.generation = options.generation ?? 'modern';
    this.version = options.version ?? (this.generation === 'modern' ? (options.jobsApi === 'v0.8' ? '0.8.0' : '0.28.0') : '0.3.54');
    this.basePath = (options.basePath ?? '').replace(/\/+$/, '').replace(/^(?=[^/])/, '/');
    this.requiredHeader = options.requireHeader;
    this.core = new SimCore({ generation: this.generation, stepDelayMs: options.stepDelayMs ?? 5, previews: options.previews ?? false }, this.outputs, this.events);
    addQueueRoutes(this.router, this.core);
    addInfoRoutes(this.router, this.core, () => this.version);
    addFileRoutes(this.router, this.core, (served) => this.events.emit('file-served', served));
    if (this.generation === 'modern') addJobsRoutes(this.router, this.core, options.jobsApi ?? 'v0.28');
  }

  static async start(options?: SimulatorOptions): Promise<ComfySimulator> {
    const sim = new ComfySimulator(options);
    await sim.start();
    return sim;
  }

  /** e.g. 'http://127.0.0.1:12345/' (+ basePath + '/'). */
  get url(): string {
    return `http://127.0.0.1:${this.boundPort}${this.basePath}/`;
  }

  get port(): number {
    return this.boundPort;
  }

  /** Listens (again) with empty state; after the first start always on the same port. */
  async start(): Promise<void> {
    if (this.server) return;
    this.core.reset();
    this.serverRun++;
    const server = createServer((req, res) => void this.handleHttp(req, res));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.handleUpgrade(req, socket, head));
    server.on('clientError', (_err, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.boundPort || this.options.port || 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (server.address() as AddressInfo).port;
    this.server = server;
    this.core.worker.activate();
  }

  /** Server killed: connections drop (TCP close), the running job vanishes, the port stops listening. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.core.reset();
    this.core.sockets.destroyAll();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Stop + start on the same port: sockets closed, queue, history, cache and priority counter cleared. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  hold(): void {
    this.core.worker.hold();
  }

  release(): void {
    this.core.worker.release();
  }

  /** Same code path as POST /prompt (validation included); throws when the server would answer non-200. */
  enqueue(prompt: Record<string, unknown>, opts: EnqueueOptions = {}): { promptId: string; number: number } {
    const body: JsonObject = { prompt: deepCopy(prompt) };
    if (opts.clientId !== undefined) body.client_id = opts.clientId;
    if (opts.promptId !== undefined) body.prompt_id = opts.promptId;
    if (opts.front) body.front = true;
    if (opts.extraData) body.extra_data = deepCopy(opts.extraData);
    const outcome = this.core.submit(body);
    if ('internalError' in outcome) throw new Error('simulated POST /prompt failed with 500');
    if (outcome.status !== 200) throw new Error(`simulated POST /prompt rejected (${outcome.status}): ${JSON.stringify(outcome.body)}`);
    const result = outcome.body as { prompt_id: string; number: number };
    return { promptId: result.prompt_id, number: result.number };
  }

  failNext(route: string, status: number, count = 1, method?: 'GET' | 'POST'): void {
    this.failRules.push({ route: normalizeRoute(route), status, remaining: count, ...(method && { method }) });
  }

  /**
   * The next `count` matching requests are never answered nor acted on (a server that took the request and hung, or a
   * packet lost on the way): the simulator emits 'stalled' { method, path } and keeps the connection open until the
   * client goes away or the simulator stops. For killing a client at an exact point of a conversation. `after`: that
   * many matching requests are served normally first.
   */
  stallNext(route: string, method?: 'GET' | 'POST', options: { count?: number; after?: number } = {}): void {
    this.stallRules.push({ route: normalizeRoute(route), status: 0, remaining: options.count ?? 1, ...(method && { method }), passes: options.after ?? 0 });
  }

  /** What /system_stats reports from now on: other devices (a GPU, with `vram_total`/`vram_free`), other free RAM. */
  setSystem(system: { devices?: readonly Record<string, unknown>[]; ramFree?: number }): void {
    this.core.systemOverride = system;
  }

  /** From now on SimOutput writes these bytes for a file named `filename` (instead of its placeholder text). */
  provideContent(filename: string, bytes: Buffer): void {
    this.core.store.contents.set(filename, bytes);
  }

  setRequiredHeader(header?: { name: string; value: string }): void {
    this.requiredHeader = header;
  }

  /** Half-open: existing sockets stop reading (no pong) and receive nothing, without being closed. */
  freezeSockets(): void {
    this.core.sockets.freezeAll();
  }

  /** Injects a raw frame (text for strings, binary for Buffers) to one registered sid or to all. */
  sendRaw(data: string | Buffer, sid?: string): void {
    this.core.sockets.deliver(data, sid ?? null);
  }

  /** Injects a text frame of any bytes, not necessarily UTF-8 (no server sends that on purpose; a broken one might). */
  sendRawTextBytes(bytes: Buffer, sid?: string): void {
    this.core.sockets.deliver(bytes, sid ?? null, false);
  }

  broadcastStatus(): void {
    this.core.broadcastStatus();
  }

  clearHistory(): void {
    this.core.history.clear();
  }

  evictHistory(promptId: string): void {
    this.core.history.delete(promptId);
  }

  /** Sids in the server's registry (i.e. sockets that would receive messages). */
  connectedSids(): string[] {
    return this.core.sockets.sids();
  }

  /** HTTP requests (and WS upgrades) seen, optionally only those whose path starts with the prefix. */
  requestCount(pathPrefix?: string): number {
    if (pathPrefix === undefined) return this.seenPaths.length;
    return this.seenPaths.filter((p) => p.startsWith(pathPrefix) || `${this.basePath}${p}`.startsWith(pathPrefix)).length;
  }

  private relativePath(pathname: string): string | undefined {
    if (!this.basePath) return pathname;
    if (pathname === this.basePath) return '/';
    return pathname.startsWith(`${this.basePath}/`) ? pathname.slice(this.basePath.length) : undefined;
  }

  /** Everything before routing; returns the response that short-circuits the request, if any. */
  private guard(method: string, req: IncomingMessage): { path: string; url: { pathname: string; searchParams: URLSearchParams }; refusal?: SimResponse } {
    const raw = req.url ?? '/';
    const queryAt = raw.indexOf('?');
    const pathname = (queryAt < 0 ? raw : raw.slice(0, queryAt)) || '/';
    const url = { pathname, searchParams: new URLSearchParams(queryAt < 0 ? '' : raw.slice(queryAt + 1)) };
    const rel = this.relativePath(pathname);
    const path = rel ?? pathname;
    this.seenPaths.push(path);
    this.events.emit('request', { method, path });
    if (!headerMatches(req.headers, this.requiredHeader)) return { path, url, refusal: textResponse(401) };
    if (rel === undefined) return { path, url, refusal: textResponse(404) };
    const origin = originStatus(req.headers, this.generation);
    if (origin) return { path, url, refusal: { status: origin, contentType: 'application/octet-stream', body: '' } };
    const failure = takeFailure(this.failRules, rel, method);
    if (failure !== undefined) return { path, url, refusal: textResponse(failure, `${failure}: ${STATUS_CODES[failure] ?? 'Simulated failure'}`) };
    return { path, url };
  }

  private async handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.on('error', () => undefined);
    try {
      const method = (req.method ?? 'GET').toUpperCase();
      const { path, url, refusal } = this.guard(method, req);
      if (!refusal && takeFailure(this.stallRules, this.relativePath(path) ?? path, method) !== undefined) {
        req.resume();
        this.events.emit('stalled', { method, path });
        return;
      }
      if (refusal) {
        req.resume();
        writeResponse(res, refusal);
        return;
      }
      const resolved = this.router.resolve(method, path);
      if ('status' in resolved) {
        req.resume();
        writeResponse(res, textResponse(resolved.status));
        return;
      }
      let body: Promise<Buffer> | undefined;
      const simReq: SimRequest = { method, path, query: url.searchParams, headers: req.headers, body: () => (body ??= readBody(req)) };
      const response = await resolved.handler(simReq, resolved.params);
      writeResponse(res, response);
    } catch (ex) {
      writeResponse(res, ex instanceof BodyTooLarge ? textResponse(413) : internalError());
    }
  }

  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    const { path, url, refusal } = this.guard('GET', req);
    const status = refusal?.status ?? (path === '/ws' || path === '/api/ws' ? undefined : 404);
    if (status !== undefined) {
      const text = `${status}: ${STATUS_CODES[status] ?? 'Error'}`;
      socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
      return;
    }
    const run = this.serverRun;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      acceptSocket(this.core, this.events, ws, socket, url.searchParams.get('clientId') ?? '', () => run === this.serverRun && this.server !== undefined);
    });
  }
}
