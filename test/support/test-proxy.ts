// A reverse proxy in front of a (simulated) server, like the ones users put ComfyUI behind: it can demand a token in
// the query string (taken off before forwarding, as ComfyUI-Login and RunPod do), refuse WebSocket upgrades while
// passing HTTP, answer some routes with a redirect elsewhere, and terminate TLS with a certificate made by the test.
import { createServer as createHttpServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface ProxyOptions {
  /** Every request and upgrade must carry `?token=` with this value (401 otherwise); it is not forwarded. */
  readonly queryToken?: string;
  /** Answer WebSocket upgrades with 502 instead of passing them on (HTTP still works). Can be changed later. */
  readonly refuseUpgrades?: boolean;
  /** A redirect for a request (path below the proxy, query without the token), or undefined to forward it. */
  readonly redirect?: (path: string, query: URLSearchParams) => string | undefined;
  /** Serve https with this key and certificate. */
  readonly tls?: { readonly key: string; readonly cert: string };
}

export interface ProxiedRequest {
  readonly method: string;
  /** As received, with its query (the token included). */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly upgrade: boolean;
}

export class TestProxy {
  readonly requests: ProxiedRequest[] = [];
  refuseUpgrades: boolean;
  /** TCP connections that reached the proxy (for TLS: whether or not the handshake was then accepted). */
  connections = 0;

  private readonly server: Server;
  private readonly target: URL;
  /** Every socket, upgraded ones included (the server forgets those), so stopping never waits for a client. */
  private readonly sockets = new Set<Duplex>();

  private constructor(
    target: string,
    private readonly options: ProxyOptions,
  ) {
    this.target = new URL(target);
    this.refuseUpgrades = options.refuseUpgrades === true;
    const onRequest = (req: IncomingMessage, res: ServerResponse): void => this.forward(req, res);
    this.server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, onRequest) : createHttpServer(onRequest);
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    this.server.on('connection', (socket: Socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server.on('clientError', (_error, socket) => socket.destroy());
    // A client that refuses the certificate ends the handshake: nothing to do here.
    this.server.on('tlsClientError', () => undefined);
  }

  static async start(target: string, options: ProxyOptions = {}): Promise<TestProxy> {
    const proxy = new TestProxy(target, options);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `${this.options.tls ? 'https' : 'http'}://127.0.0.1:${port}${this.target.pathname}`;
  }

  /** Every header and query string received, to search for a secret. */
  everythingReceived(): string {
    return JSON.stringify(this.requests);
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  /** The path to forward (token taken off), or undefined when the token is missing or wrong. */
  private admit(req: IncomingMessage, upgrade: boolean): { path: string; query: URLSearchParams } | undefined {
    this.requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, upgrade });
    const url = new URL(req.url ?? '/', 'http://proxy.invalid');
    const token = this.options.queryToken;
    if (token !== undefined) {
      if (url.searchParams.get('token') !== token) return undefined;
      url.searchParams.delete('token');
    }
    return { path: url.pathname, query: url.searchParams };
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const admitted = this.admit(req, false);
    if (!admitted) {
      req.resume();
      res.writeHead(401, { 'content-type': 'text/plain' }).end('token required');
      return;
    }
    const location = this.options.redirect?.(admitted.path, admitted.query);
    if (location !== undefined) {
      req.resume();
      res.writeHead(302, { location, 'content-length': '0' }).end();
      return;
    }
    const search = admitted.query.toString();
    const upstream = request(
      { host: this.target.hostname, port: this.target.port, method: req.method, path: `${admitted.path}${search ? `?${search}` : ''}`, headers: { ...req.headers, host: this.target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    const admitted = this.admit(req, true);
    if (!admitted) {
      socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      return;
    }
    if (this.refuseUpgrades) {
      socket.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      return;
    }
    const search = admitted.query.toString();
    this.sockets.add(socket);
    const upstream: Socket = connect(Number(this.target.port), this.target.hostname, () => {
      const lines = [`${req.method ?? 'GET'} ${admitted.path}${search ? `?${search}` : ''} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i]!;
        lines.push(`${name}: ${name.toLowerCase() === 'host' ? this.target.host : req.rawHeaders[i + 1]!}`);
      }
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    this.sockets.add(upstream);
    upstream.on('error', () => socket.destroy());
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      socket.destroy();
    });
    socket.on('close', () => {
      this.sockets.delete(socket);
      upstream.destroy();
    });
  }
}
