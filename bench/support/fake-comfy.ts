// A minimal ComfyUI on loopback for the benches: the HTTP routes the three clients call at start-up (with and
// without the /api prefix, as ComfyUI serves both), the /ws socket with its first `status` frame, and request,
// ping and connection counters. It runs in the bench's own process; clients run in child processes.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface Answer {
  readonly status: number;
  readonly body: string | Buffer;
}

/** Route handlers by path without the /api prefix ("jobs", "queue", ...); the longest matching prefix wins. */
export type Routes = Record<string, (url: URL) => Answer>;

const json = (value: unknown, status = 200): Answer => ({ status, body: JSON.stringify(value) });
const EMPTY_JOBS = json({ jobs: [], pagination: { offset: 0, limit: null, total: 0, has_more: false } });

export const DEFAULT_ROUTES: Routes = {
  system_stats: () =>
    json({
      system: { os: 'posix', python_version: '3.11.9', embedded_python: false, comfyui_version: '0.28.0', pytorch_version: '2.5.1', argv: ['main.py'], ram_total: 8e9, ram_free: 4e9 },
      devices: [{ name: 'cpu', type: 'cpu', index: null, vram_total: 8e9, vram_free: 4e9, torch_vram_total: 8e9, torch_vram_free: 4e9 }],
    }),
  prompt: () => json({ exec_info: { queue_remaining: 0 } }),
  jobs: () => EMPTY_JOBS,
  queue: () => json({ queue_running: [], queue_pending: [] }),
  history: () => json({}),
  // The SDK asks for Crystools' node and the Manager's version to decide which extensions exist.
  object_info: () => json({}),
  'internal/logs/subscribe': () => ({ status: 200, body: '' }),
};

/** A legacy server (before /api/jobs): the jobs routes answer 404 like ComfyUI 0.3.54 does. */
export const LEGACY: Routes = { jobs: () => ({ status: 404, body: '404: Not Found' }) };

export class FakeComfy {
  /** Requests by path (without /api and query), counted since the last reset. */
  readonly requests = new Map<string, number>();
  pings = 0;
  connections = 0;
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private readonly sockets = new Set<WebSocket>();
  private latest: WebSocket | undefined;
  private socketWaiters: ((socket: WebSocket) => void)[] = [];

  private constructor(
    private readonly server: Server,
    private readonly routes: Routes,
  ) {}

  static async start(routes: Routes = {}): Promise<FakeComfy> {
    const server = createServer();
    const fake = new FakeComfy(server, { ...DEFAULT_ROUTES, ...routes });
    server.on('request', (req, res) => {
      const answer = fake.answer(req);
      res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(answer.body) });
      res.end(answer.body);
    });
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => fake.upgrade(req, socket, head));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  resetCounters(): void {
    this.requests.clear();
    this.pings = 0;
    this.connections = 0;
  }

  requestCount(): number {
    let total = 0;
    for (const n of this.requests.values()) total += n;
    return total;
  }

  /** The most recently opened client socket (waits for one). */
  socket(): Promise<WebSocket> {
    if (this.latest && this.latest.readyState === this.latest.OPEN) return Promise.resolve(this.latest);
    return new Promise((resolve) => this.socketWaiters.push(resolve));
  }

  /**
   * Writes pre-encoded frames straight to the TCP socket under the WebSocket, honouring backpressure: the server
   * then costs a memcpy per chunk, so the receiving client is the only bottleneck.
   */
  async blast(socket: WebSocket, chunks: Iterable<Buffer>): Promise<void> {
    const raw = (socket as unknown as { _socket: Socket })._socket;
    const closed = once(raw, 'close');
    for (const chunk of chunks) {
      if (!raw.write(chunk)) await Promise.race([once(raw, 'drain'), closed]);
      if (raw.destroyed) throw new Error('client closed the socket during the blast');
    }
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  private answer(req: IncomingMessage): Answer {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = decodeURIComponent(url.pathname.replace(/^\/(api\/)?/, ''));
    this.requests.set(path, (this.requests.get(path) ?? 0) + 1);
    let best: string | undefined;
    for (const prefix of Object.keys(this.routes)) {
      if ((path === prefix || path.startsWith(`${prefix}/`)) && (best === undefined || prefix.length > best.length)) best = prefix;
    }
    return best === undefined ? { status: 404, body: '404: Not Found' } : this.routes[best]!(url);
  }

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/ws' && url.pathname !== '/api/ws') {
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.connections++;
      this.sockets.add(ws);
      this.latest = ws;
      ws.on('ping', () => this.pings++);
      // Like ComfyUI: the client's feature_flags get the server's own in reply (the client waits for them).
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
        if (text.includes('"feature_flags"')) ws.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }));
      });
      ws.on('close', () => this.sockets.delete(ws));
      ws.on('error', () => undefined);
      // ComfyUI's first frame on every socket: the queue size and the client id the socket is registered under.
      const sid = url.searchParams.get('clientId') ?? 'generated-sid';
      ws.send(JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: 0 } }, sid } }));
      for (const waiter of this.socketWaiters.splice(0)) waiter(ws);
    });
  }
}

export function jsonAnswer(value: unknown, status = 200): Answer {
  return json(value, status);
}
