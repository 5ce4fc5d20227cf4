// A local HTTP receiver on port 0 that records every request (method, path, headers, body) and answers with the
// statuses it is told, in order (the last one repeating): stands in for ntfy, a webhook, Discord or Slack.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly method: string;
  /** Path and query, as sent. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export class HttpReceiver {
  readonly requests: Received[] = [];
  private statuses: number[] = [200];
  private waiters: { count: number; resolve: () => void }[] = [];

  private readonly server: Server;
  private url_ = '';

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.record({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) }, (status) => {
          res.writeHead(status, { 'content-type': 'text/plain' });
          res.end(status >= 400 ? `refused with ${status}` : 'ok');
        });
      });
    });
  }

  /** `http://127.0.0.1:{port}/` */
  get url(): string {
    return this.url_;
  }

  static async start(t: { after: (fn: () => Promise<void>) => void }): Promise<HttpReceiver> {
    const receiver = new HttpReceiver();
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    receiver.url_ = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/`;
    t.after(() => receiver.stop());
    return receiver;
  }

  /** The statuses of the next answers, in order; the last one is kept for every answer after. */
  answer(...statuses: number[]): void {
    this.statuses = statuses;
  }

  /** Resolves once `count` requests have arrived in all. */
  received(count: number): Promise<void> {
    if (this.requests.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  json(index: number): Record<string, unknown> {
    return JSON.parse(this.requests[index]!.body.toString('utf8')) as Record<string, unknown>;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private record(request: Received, reply: (status: number) => void): void {
    this.requests.push(request);
    const status = this.statuses.length > 1 ? this.statuses.shift()! : this.statuses[0]!;
    reply(status);
    const ready = this.waiters.filter((waiter) => this.requests.length >= waiter.count);
    this.waiters = this.waiters.filter((waiter) => !ready.includes(waiter));
    for (const waiter of ready) waiter.resolve();
  }
}
