// ComfyControl over real sockets on port 0, built from its documented shapes: a Bearer token, the run record
// (`GET /v1/workflow/{id}`) and the Server-Sent Events stream (`/subscribe`) that sends a full snapshot every
// `intervalMs` and closes at a terminal state or after `maxUpdates` updates. A stream can be made to stall (open,
// silent); a run's outputs are signed URLs on a second origin.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { StorageOrigin } from './storage-origin.js';

export type RunStatusWord = 'accepted' | 'uploaded' | 'queued' | 'running' | 'completed' | 'cancelled' | 'invalid' | 'failed';

export interface SimRun {
  readonly id: string;
  name: string;
  status: RunStatusWord | string;
  queueNumber: number | null;
  promptId: string | null;
  createdAt: number;
  startedAt: number | null;
  completedAt: number | null;
  outputs: { id: string; workflow_id: string; src: string }[];
  cause: { node_type: string; exception_type: string; exception_message: string } | null;
  /** Open streams of this run send nothing (and do not close) while set. */
  stalled: boolean;
}

export interface ComfyControlSimulatorOptions {
  readonly token: string;
  readonly storage: StorageOrigin;
  readonly intervalMs: number;
  /** Updates per stream before the server closes it (120 on the real service). */
  readonly maxUpdates: number;
}

const TERMINAL = new Set(['completed', 'cancelled', 'invalid', 'failed']);

export class ComfyControlSimulator {
  /** `stream-opened` (run id), `stream-closed` ({id, updates, why}). */
  readonly events = new EventEmitter();
  readonly requests: { method: string; path: string; headers: IncomingMessage['headers'] }[] = [];
  readonly runs = new Map<string, SimRun>();
  token: string;
  private server: Server | undefined;
  private port = 0;
  private readonly sockets = new Set<Socket>();
  private readonly streams = new Set<{ runId: string; res: ServerResponse; timer: NodeJS.Timeout }>();

  private constructor(private readonly options: ComfyControlSimulatorOptions) {
    this.token = options.token;
    this.events.setMaxListeners(0);
  }

  static async start(options: ComfyControlSimulatorOptions): Promise<ComfyControlSimulator> {
    const sim = new ComfyControlSimulator(options);
    await sim.listen();
    return sim;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  requestCount(prefix = ''): number {
    return this.requests.filter((r) => r.path.startsWith(prefix)).length;
  }

  /** Streams open now (for a run, or all). */
  openStreams(runId?: string): number {
    return [...this.streams].filter((stream) => runId === undefined || stream.runId === runId).length;
  }

  addRun(fields: Partial<SimRun> = {}): string {
    const run: SimRun = {
      id: randomUUID(),
      name: 'Text to image',
      status: 'queued',
      queueNumber: 3,
      promptId: null,
      createdAt: Date.now(),
      startedAt: null,
      completedAt: null,
      outputs: [],
      cause: null,
      stalled: false,
      ...fields,
    };
    this.runs.set(run.id, run);
    return run.id;
  }

  run(id: string): SimRun {
    const run = this.runs.get(id);
    if (!run) throw new Error(`no run ${id}`);
    return run;
  }

  start(id: string): void {
    Object.assign(this.run(id), { status: 'running', queueNumber: 1, promptId: randomUUID(), startedAt: Date.now() });
  }

  complete(id: string, files: readonly { name: string; bytes: Buffer }[]): void {
    const run = this.run(id);
    const outputs = files.map((file, i) => ({ id: `output-${i + 1}`, workflow_id: id, src: this.options.storage.put(`${id}/${file.name}`, file.bytes, `sig-${i}`) }));
    Object.assign(run, { status: 'completed', queueNumber: null, completedAt: Date.now(), outputs });
  }

  fail(id: string, cause: SimRun['cause'], status: 'failed' | 'invalid' | 'cancelled' = 'failed'): void {
    Object.assign(this.run(id), { status, queueNumber: null, completedAt: Date.now(), cause });
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const stream of this.streams) clearInterval(stream.timer);
    this.streams.clear();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Listens (again, after `stop`) on the same port; runs are kept. */
  async listen(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://cc.invalid').pathname;
    this.requests.push({ method: req.method ?? 'GET', path, headers: req.headers });
    const json = (status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.headers.authorization !== `Bearer ${this.token}`) return json(401, { error: 'Unauthorized - invalid or missing authentication token' });
    const match = /^\/v1\/workflow\/([^/]+)(\/subscribe)?$/.exec(path);
    const run = match ? this.runs.get(decodeURIComponent(match[1]!)) : undefined;
    if (!match || req.method !== 'GET') return json(404, { error: 'Not Found' });
    if (!run) return json(404, { error: 'Not Found - workflow does not exist or does not belong to your account' });
    if (!match[2]) return json(200, this.record(run));
    this.subscribe(run, res);
  }

  private record(run: SimRun): Record<string, unknown> {
    const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
    return {
      id: run.id,
      user_id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
      name: run.name,
      status: run.status,
      user_runner_id: null,
      managed_runner_id: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
      tags: ['test'],
      workflow_json: {},
      workflow_params: [],
      prompt_id: run.promptId,
      queue_number: run.queueNumber,
      error_node: run.cause?.node_type ?? null,
      exception_type: run.cause?.exception_type ?? null,
      exception_message: run.cause?.exception_message ?? null,
      created_at: iso(run.createdAt),
      updated_at: iso(run.completedAt ?? run.startedAt ?? run.createdAt),
      started_at: iso(run.startedAt),
      completed_at: iso(run.completedAt),
    };
  }

  private snapshot(run: SimRun): Record<string, unknown> {
    const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
    return {
      status: run.status,
      prompt: run.promptId === null ? null : { prompt_id: run.promptId },
      queue_number: run.queueNumber,
      outputs: run.status === 'completed' ? run.outputs : [],
      cause: run.cause,
      started_at: iso(run.startedAt),
      completed_at: iso(run.completedAt),
    };
  }

  private subscribe(run: SimRun, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    let updates = 0;
    const entry = { runId: run.id, res, timer: undefined as unknown as NodeJS.Timeout };
    const close = (why: string): void => {
      if (!this.streams.delete(entry)) return;
      clearInterval(entry.timer);
      res.end();
      this.events.emit('stream-closed', { id: run.id, updates, why });
    };
    const send = (): void => {
      if (run.stalled) return;
      updates++;
      res.write(`data: ${JSON.stringify(this.snapshot(run))}\n\n`);
      if (TERMINAL.has(run.status)) close('terminal');
      else if (updates >= this.options.maxUpdates) close('limit');
    };
    entry.timer = setInterval(send, this.options.intervalMs);
    this.streams.add(entry);
    res.on('close', () => {
      if (this.streams.delete(entry)) {
        clearInterval(entry.timer);
        this.events.emit('stream-closed', { id: run.id, updates, why: 'client' });
      }
    });
    this.events.emit('stream-opened', run.id);
    send();
  }
}
