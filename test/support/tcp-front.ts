// Something listening in front of a server, as users have them: a reverse proxy that answers 502 while the server
// behind it is down, or a port forwarder (Docker's userland proxy, `ssh -L`) that accepts and drops the connection at
// once. It works on TCP, so the WebSocket upgrade passes through untouched when it forwards. Counts what reaches it.
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export type FrontMode =
  /** Pipes every connection to the server behind. */
  | 'forward'
  /** Reads the request and answers `502 Bad Gateway`, like a reverse proxy whose upstream is down. */
  | 'bad-gateway'
  /** Accepts and closes at once without a word. */
  | 'drop';

export class TcpFront {
  mode: FrontMode;
  /** TCP connections accepted. */
  connections = 0;
  /** HTTP requests answered with 502, with the time each arrived. */
  readonly badGateways: number[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly waiters: { count: () => number; n: number; resolve: () => void }[] = [];

  private constructor(
    private readonly server: Server,
    private readonly backendPort: number,
    mode: FrontMode,
  ) {
    this.mode = mode;
  }

  static async start(backendPort: number, mode: FrontMode = 'forward'): Promise<TcpFront> {
    const server = createServer();
    const front = new TcpFront(server, backendPort, mode);
    server.on('connection', (socket) => front.accept(socket));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return front;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  /** Resolves once `n` connections (in all) have been accepted. */
  connectionsReached(n: number): Promise<void> {
    return this.reached(() => this.connections, n);
  }

  /** Resolves once `n` requests (in all) have been answered with 502. */
  badGatewaysReached(n: number): Promise<void> {
    return this.reached(() => this.badGateways.length, n);
  }

  /** Ends every connection through the front (what a proxy restart does). */
  dropAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    this.dropAll();
    this.server.close();
    await once(this.server, 'close');
  }

  private reached(count: () => number, n: number): Promise<void> {
    if (count() >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, n, resolve }));
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) {
      if (waiter.count() < waiter.n) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }

  private accept(socket: Socket): void {
    this.connections++;
    socket.on('error', () => undefined);
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    const mode = this.mode;
    if (mode === 'drop') {
      socket.destroy();
    } else if (mode === 'bad-gateway') {
      let head = '';
      socket.on('data', (chunk: Buffer) => {
        head += chunk.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        this.badGateways.push(Date.now());
        socket.end('HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/plain\r\ncontent-length: 11\r\nconnection: close\r\n\r\nBad Gateway');
        this.notify();
      });
    } else {
      const upstream = connect({ host: '127.0.0.1', port: this.backendPort });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
      upstream.once('close', () => socket.destroy());
      socket.once('close', () => upstream.destroy());
      socket.pipe(upstream).pipe(socket);
    }
    this.notify();
  }
}
