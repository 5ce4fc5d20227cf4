// A Comfy Cloud account over real sockets on port 0, built from Cloud's documented shapes: X-API-Key on HTTP and
// `?token=` on the socket, every socket of the account hearing every job (client ids ignored), the jobs API with
// Cloud's filters, sort names and pagination (and its 400s for anything else), the queue in Cloud's item order, the
// status endpoint in either vocabulary, /api/view answering 302 to a second origin, and 401/402/403/429.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { StorageOrigin } from '../storage-origin.js';
import { detail, isOutputNode, JOBS_API_STATUSES, listItem, queueItem, statusAnswer, type CloudFailure, type CloudJob, type StatusVocabulary, type TimeUnit } from './cloud-jobs.js';

export interface CloudSimulatorOptions {
  readonly apiKey: string;
  /** Where /api/view redirects (the signed storage URLs). */
  readonly storage: StorageOrigin;
  readonly timeUnit?: TimeUnit;
  readonly statusVocabulary?: StatusVocabulary;
  /** Between two progress steps of a running job. */
  readonly stepDelayMs?: number;
}

export interface CloudRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: IncomingMessage['headers'];
}

/** `ok`, or what every request of the account is answered with: 402 (no credits) or 429 (subscription inactive). */
export type AccountState = 'ok' | 'no-credits' | 'inactive';

export class CloudSimulator {
  /** `finished` ({id, state}), `socket` (count). */
  readonly events = new EventEmitter();
  readonly requests: CloudRequest[] = [];
  readonly jobs = new Map<string, CloudJob>();
  /** Bodies of POST /api/prompt as received. */
  readonly submissions: Record<string, unknown>[] = [];
  account: AccountState = 'ok';
  private server: Server | undefined;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sockets = new Set<WebSocket>();
  private readonly tcp = new Set<Duplex>();
  private port = 0;
  private number = 0;
  private held = false;
  private running: CloudJob | undefined;
  private readonly failures: { prefix: string; status: number; remaining: number }[] = [];

  private constructor(private readonly options: CloudSimulatorOptions) {
    this.events.setMaxListeners(0);
  }

  static async start(options: CloudSimulatorOptions): Promise<CloudSimulator> {
    const sim = new CloudSimulator(options);
    await sim.listen();
    return sim;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private get unit(): TimeUnit {
    return this.options.timeUnit ?? 'seconds';
  }

  /** Requests whose path starts with the prefix (all without one). */
  requestCount(prefix = ''): number {
    return this.requests.filter((r) => r.path.startsWith(prefix)).length;
  }

  /** The next `count` requests whose path starts with `prefix` get `status`. */
  failNext(prefix: string, status: number, count = 1): void {
    this.failures.push({ prefix, status, remaining: count });
  }

  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
    this.work();
  }

  /** A job queued elsewhere (the web UI, a script): as POST /api/prompt would, without a client id of ours. */
  enqueue(prompt: Record<string, unknown>, options: { owner?: 'me' | 'other'; clientId?: string; id?: string; createdAt?: number } = {}): string {
    const job: CloudJob = {
      id: options.id ?? randomUUID(),
      number: this.number++,
      prompt,
      ...(options.clientId !== undefined && { clientId: options.clientId }),
      owner: options.owner ?? 'me',
      state: 'pending',
      createdAt: options.createdAt ?? Date.now(),
      outputs: {},
    };
    this.jobs.set(job.id, job);
    this.broadcastStatus();
    this.work();
    return job.id;
  }

  /** A finished job from before (history), for paging tests. */
  addFinished(state: 'completed' | 'failed' | 'cancelled', createdAt: number, fields: Partial<CloudJob> = {}): CloudJob {
    const job: CloudJob = { id: randomUUID(), number: this.number++, prompt: {}, owner: 'me', state, createdAt, startedAt: createdAt + 1000, endedAt: createdAt + 2000, outputs: {}, ...fields };
    this.jobs.set(job.id, job);
    return job;
  }

  /** Every socket of the account dropped (a network change, a deploy): the client must reconnect. */
  dropSockets(): void {
    for (const socket of this.sockets) socket.terminate();
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const socket of this.tcp) socket.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Back on the same port (jobs kept, as a service keeps them across a deploy). */
  async listen(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    server.on('connection', (socket) => {
      this.tcp.add(socket);
      socket.once('close', () => this.tcp.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  // ---- HTTP ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://cloud.invalid');
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.search, headers: req.headers });
    const body = await readBody(req);
    const send = (status: number, value: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(value === undefined ? '' : JSON.stringify(value));
    };
    const refused = this.refusal(req.headers['x-api-key'], url.pathname);
    if (refused) return send(refused.status, { code: refused.code, message: refused.message });
    const route = `${req.method} ${url.pathname}`;
    const jobMatch = /^\/api\/jobs\/([^/]+)$/.exec(url.pathname);
    const statusMatch = /^\/api\/job\/([^/]+)\/status$/.exec(url.pathname);
    if (route === 'GET /api/jobs') return this.listJobs(url.searchParams, send);
    if (req.method === 'GET' && jobMatch) {
      const job = this.jobs.get(decodeURIComponent(jobMatch[1]!));
      if (!job || job.unlisted) return send(404, { code: 'NOT_FOUND', message: 'Job not found' });
      if (job.owner !== 'me') return send(403, { code: 'FORBIDDEN', message: 'Job belongs to another user' });
      return send(200, detail(job, this.unit));
    }
    if (req.method === 'GET' && statusMatch) {
      const job = this.jobs.get(decodeURIComponent(statusMatch[1]!));
      if (!job) return send(404, { code: 'NOT_FOUND', message: 'Job not found' });
      if (job.owner !== 'me') return send(403, { code: 'FORBIDDEN', message: 'Job belongs to another user' });
      return send(200, statusAnswer(job, this.options.statusVocabulary ?? 'openapi'));
    }
    if (route === 'GET /api/queue') {
      const mine = [...this.jobs.values()].filter((job) => job.owner === 'me');
      return send(200, {
        queue_running: mine.filter((job) => job.state === 'running').map((job) => queueItem(job, this.unit)),
        queue_pending: mine.filter((job) => job.state === 'pending').map((job) => queueItem(job, this.unit)),
      });
    }
    if (route === 'POST /api/prompt') return this.submit(body, send);
    if (route === 'POST /api/queue') return this.editQueue(body, send);
    if (route === 'POST /api/interrupt') {
      // Per Cloud's OpenAPI: every running job of the user stops.
      for (const job of this.jobs.values()) if (job.state === 'running' && job.owner === 'me') this.end(job, 'cancelled');
      return send(200, {});
    }
    if (route === 'GET /api/view') {
      const name = url.searchParams.get('filename') ?? '';
      const bytes = this.fileBytes(name);
      if (!bytes) return send(404, { code: 'NOT_FOUND', message: 'No such file' });
      res.writeHead(302, { location: this.options.storage.put(name, bytes, `s${this.requestCount('/api/view')}`), 'content-length': '0' }).end();
      return;
    }
    if (route === 'GET /api/object_info') return send(200, {});
    send(404, { code: 'NOT_FOUND', message: `No route ${route}` });
  }

  private refusal(key: string | string[] | undefined, path: string): { status: number; code: string; message: string } | undefined {
    if (key !== this.options.apiKey) return { status: 401, code: 'UNAUTHORIZED', message: 'Invalid API key' };
    if (this.account === 'no-credits') return { status: 402, code: 'INSUFFICIENT_CREDITS', message: 'Insufficient credits' };
    if (this.account === 'inactive') return { status: 429, code: 'SUBSCRIPTION_INACTIVE', message: 'Subscription inactive' };
    const failure = this.failures.find((rule) => rule.remaining > 0 && path.startsWith(rule.prefix));
    if (failure) {
      failure.remaining--;
      return { status: failure.status, code: 'SIMULATED', message: `Simulated ${failure.status}` };
    }
    return undefined;
  }

  private listJobs(query: URLSearchParams, send: (status: number, value: unknown) => void): void {
    const statuses = (query.get('status') ?? '').split(',').filter((s) => s !== '');
    const bad = statuses.filter((s) => !JOBS_API_STATUSES.includes(s));
    if (bad.length > 0) return send(400, { code: 'INVALID_STATUS', message: `Invalid status value(s): ${bad.join(', ')}` });
    const sortBy = query.get('sort_by') ?? 'create_time';
    if (sortBy !== 'create_time' && sortBy !== 'execution_time') return send(400, { code: 'INVALID_SORT', message: `Invalid sort_by: ${sortBy}` });
    const limit = Number(query.get('limit') ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return send(400, { code: 'INVALID_LIMIT', message: 'limit must be 1-1000' });
    const offset = Math.max(0, Number(query.get('offset') ?? 0) || 0);
    const key = (job: CloudJob): number => (sortBy === 'create_time' ? job.createdAt : (job.endedAt ?? 0) - (job.startedAt ?? 0));
    const order = query.get('sort_order') === 'asc' ? 1 : -1;
    const matching = [...this.jobs.values()]
      .filter((job) => job.owner === 'me' && !job.unlisted)
      .map((job) => ({ job, item: listItem(job, this.unit) }))
      .filter(({ item }) => statuses.length === 0 || statuses.includes(item.status as string))
      .sort((a, b) => order * (key(a.job) - key(b.job)) || (a.job.id < b.job.id ? -1 : 1));
    const page = matching.slice(offset, offset + limit).map(({ item }) => item);
    send(200, { jobs: page, pagination: { offset, limit, total: matching.length, has_more: offset + page.length < matching.length } });
  }

  private submit(body: Buffer, send: (status: number, value: unknown) => void): void {
    const request = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
    this.submissions.push(request);
    const prompt = request.prompt as Record<string, unknown> | undefined;
    if (!prompt || typeof prompt !== 'object') return send(400, { error: { type: 'invalid_prompt', message: 'No prompt' }, node_errors: {} });
    const id = this.enqueue(prompt, {
      ...(typeof request.prompt_id === 'string' && { id: request.prompt_id }),
      ...(typeof request.client_id === 'string' && { clientId: request.client_id }),
    });
    send(200, { prompt_id: id, number: this.jobs.get(id)!.number, node_errors: {} });
  }

  private editQueue(body: Buffer, send: (status: number, value: unknown) => void): void {
    const request = JSON.parse(body.toString('utf8') || '{}') as { delete?: string[]; clear?: boolean };
    const deleted: string[] = [];
    for (const job of this.jobs.values()) {
      if (job.state !== 'pending' || job.owner !== 'me') continue;
      if (request.clear === true || request.delete?.includes(job.id)) {
        this.jobs.delete(job.id);
        deleted.push(job.id);
      }
    }
    this.broadcastStatus();
    send(200, { deleted, cleared: request.clear === true });
  }

  private fileBytes(name: string): Buffer | undefined {
    for (const job of this.jobs.values()) {
      for (const node of Object.values(job.outputs)) if (node.images.some((image) => image.filename === name)) return Buffer.from(`cloud bytes of ${name}`);
    }
    return undefined;
  }

  // ---- socket ----

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://cloud.invalid');
    this.requests.push({ method: 'GET', path: url.pathname, query: url.search, headers: req.headers });
    if (url.pathname !== '/ws' || url.searchParams.get('token') !== this.options.apiKey) {
      socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.sockets.add(ws);
      ws.on('error', () => undefined);
      ws.on('close', () => this.sockets.delete(ws));
      ws.send(JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: this.queueRemaining() } }, sid: url.searchParams.get('clientId') } }));
      this.events.emit('socket', this.sockets.size);
    });
  }

  /** Every socket of the account hears it, whoever submitted the job (Cloud ignores client ids). */
  private broadcast(type: string, data: Record<string, unknown>): void {
    const frame = JSON.stringify({ type, data });
    for (const socket of this.sockets) socket.send(frame);
  }

  private queueRemaining(): number {
    return [...this.jobs.values()].filter((job) => job.owner === 'me' && (job.state === 'pending' || job.state === 'running')).length;
  }

  private broadcastStatus(): void {
    this.broadcast('status', { status: { exec_info: { queue_remaining: this.queueRemaining() } } });
  }

  // ---- running jobs ----

  private work(): void {
    if (this.held || this.running) return;
    const next = [...this.jobs.values()].filter((job) => job.state === 'pending').sort((a, b) => a.number - b.number)[0];
    if (!next) return;
    this.running = next;
    void this.run(next);
  }

  private async run(job: CloudJob): Promise<void> {
    const delay = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, this.options.stepDelayMs ?? 5));
    job.state = 'running';
    job.unlisted = false;
    job.startedAt = Date.now();
    this.broadcastStatus();
    this.broadcast('execution_start', { prompt_id: job.id, timestamp: job.startedAt });
    let failure: CloudFailure | undefined;
    for (const [nodeId, node] of Object.entries(job.prompt)) {
      if (job.state !== 'running') return;
      const { class_type: type, inputs = {} } = node as { class_type?: string; inputs?: Record<string, unknown> };
      this.broadcast('executing', { node: nodeId, display_node: nodeId, prompt_id: job.id });
      const steps = typeof inputs.steps === 'number' ? inputs.steps : 0;
      for (let step = 1; step <= steps; step++) {
        while (this.held && job.state === 'running') await delay();
        await delay();
        if (job.state !== 'running') return;
        this.broadcast('progress', { value: step, max: steps, prompt_id: job.id, node: nodeId });
      }
      if (type === 'SimRaise') {
        failure = {
          exception_type: typeof inputs.exception_type === 'string' ? inputs.exception_type : 'RuntimeError',
          exception_message: typeof inputs.message === 'string' ? inputs.message : 'failed',
          node_id: nodeId,
          node_type: type,
        };
        break;
      }
      if (isOutputNode(node)) {
        const images = [{ filename: `cloud_${job.number}_${nodeId}.png`, subfolder: '', type: 'output' }];
        job.outputs[nodeId] = { images };
        this.broadcast('executed', { node: nodeId, display_node: nodeId, output: { images }, prompt_id: job.id });
      }
    }
    if (job.state !== 'running') return;
    if (failure) {
      job.error = failure;
      this.broadcast('execution_error', { prompt_id: job.id, ...failure, traceback: [], timestamp: Date.now() });
      this.end(job, 'failed');
    } else {
      this.broadcast('execution_success', { prompt_id: job.id, timestamp: Date.now() });
      this.end(job, 'completed');
    }
  }

  private end(job: CloudJob, state: 'completed' | 'failed' | 'cancelled'): void {
    job.state = state;
    job.endedAt = Date.now();
    if (state === 'cancelled') this.broadcast('execution_interrupted', { prompt_id: job.id, timestamp: job.endedAt });
    this.broadcast('executing', { node: null, prompt_id: job.id });
    if (this.running === job) this.running = undefined;
    this.broadcastStatus();
    this.events.emit('finished', { id: job.id, state });
    this.work();
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
