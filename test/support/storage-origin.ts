// A second origin that serves files the way signed storage URLs do (Comfy Cloud's /api/view redirects, ComfyControl's
// output `src`), and records the headers and query of every request it receives, so a test can assert that no
// credential of the first origin ever arrives here.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StorageRequest {
  readonly path: string;
  readonly query: string;
  readonly headers: IncomingHttpHeaders;
}

export class StorageOrigin {
  readonly requests: StorageRequest[] = [];
  /** Files by path below the origin (`/signed/abc/image.png`). */
  readonly files = new Map<string, Buffer>();

  private readonly server = createServer((req, res) => this.handle(req, res));
  private port = 0;

  static async start(): Promise<StorageOrigin> {
    const origin = new StorageOrigin();
    await new Promise<void>((resolve) => origin.server.listen(0, '127.0.0.1', resolve));
    origin.port = (origin.server.address() as AddressInfo).port;
    return origin;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const raw = req.url ?? '/';
    const at = raw.indexOf('?');
    const path = at < 0 ? raw : raw.slice(0, at);
    this.requests.push({ path, query: at < 0 ? '' : raw.slice(at + 1), headers: req.headers });
    const bytes = this.files.get(decodeURIComponent(path));
    if (!bytes) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) }).end(bytes);
  }

  /** Puts a file at a signed-looking path and returns its full URL. */
  put(name: string, bytes: Buffer, signature = 'sig-0001'): string {
    const path = `/signed/${signature}/${name}`;
    this.files.set(path, bytes);
    return `${this.url}${path}?X-Signature=${signature}&expires=4102444800`;
  }

  /** Every header value and query string received, to search for a secret that must never arrive. */
  everythingReceived(): string {
    return JSON.stringify(this.requests);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
