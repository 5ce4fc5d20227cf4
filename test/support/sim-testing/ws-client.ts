// A recording WebSocket client for simulator tests: waits on frames instead of sleeping.
import WebSocket from 'ws';
import type { WsEntry } from './fixtures.js';

type Waiter = { predicate: (entry: WsEntry) => boolean; resolve: (entry: WsEntry) => void };

export class TestSocket {
  readonly entries: WsEntry[] = [];
  private waiters: Waiter[] = [];
  private closed: Promise<number>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const buffer = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      const entry: WsEntry = isBinary
        ? { kind: 'binary', eventType: buffer.readUInt32BE(0), bytes: buffer }
        : (() => {
            const msg = JSON.parse(buffer.toString('utf8')) as { type: string; data: Record<string, unknown> };
            return { kind: 'text' as const, type: msg.type, data: msg.data };
          })();
      this.entries.push(entry);
      for (const waiter of [...this.waiters]) {
        if (waiter.predicate(entry)) {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          waiter.resolve(entry);
        }
      }
    });
    this.closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)));
  }

  /** Connects and resolves once the server's first `status` arrived; `first` is sent right after open. */
  static async open(url: string, options: { headers?: Record<string, string>; first?: unknown } = {}): Promise<TestSocket> {
    const ws = new WebSocket(url, { headers: options.headers });
    const socket = new TestSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`unexpected response ${res.statusCode}`)));
    });
    if (options.first !== undefined) ws.send(JSON.stringify(options.first));
    await socket.waitFor((e) => e.kind === 'text' && e.type === 'status');
    return socket;
  }

  get sid(): string {
    const first = this.entries.find((e) => e.kind === 'text' && e.type === 'status');
    return first?.kind === 'text' ? String(first.data.sid) : '';
  }

  texts(type?: string): Extract<WsEntry, { kind: 'text' }>[] {
    return this.entries.filter((e): e is Extract<WsEntry, { kind: 'text' }> => e.kind === 'text' && (type === undefined || e.type === type));
  }

  /** Resolves with the first frame (already received or future) matching the predicate. */
  waitFor(predicate: (entry: WsEntry) => boolean, timeoutMs = 5000): Promise<WsEntry> {
    const seen = this.entries.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for a frame (have ${this.entries.length})`));
      }, timeoutMs);
      const waiter: Waiter = {
        predicate,
        resolve: (entry) => {
          clearTimeout(timer);
          resolve(entry);
        },
      };
      this.waiters.push(waiter);
    });
  }

  waitForType(type: string, predicate: (data: Record<string, unknown>) => boolean = () => true): Promise<WsEntry> {
    return this.waitFor((e) => e.kind === 'text' && e.type === type && predicate(e.data));
  }

  /** Ping round trip: every frame the server sent before our ping has arrived when the pong does. */
  flush(): Promise<void> {
    return new Promise((resolve) => {
      this.ws.once('pong', () => resolve());
      this.ws.ping();
    });
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
    await this.closed;
  }

  whenClosed(): Promise<number> {
    return this.closed;
  }
}
