// Another client of the real server, written without any of the app's code: what a browser tab or a script does
// (its own socket and client id, or none), so the app is tested on jobs it did not submit.
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';

export type ApiPrompt = Record<string, { class_type: string; inputs: Record<string, unknown>; _meta?: { title: string } }>;

export interface Terminal {
  readonly type: 'execution_success' | 'execution_error' | 'execution_interrupted';
  readonly data: Record<string, unknown>;
  /** This side's clock when the message arrived. */
  readonly receivedAt: number;
}

export class OtherClient {
  private socket: WebSocket | undefined;
  private readonly terminals = new Map<string, Terminal>();
  private readonly waiters = new Map<string, (terminal: Terminal) => void>();

  /** The per-step frames this socket heard, as the server wrote them (the first 500). */
  readonly progressTexts: string[] = [];

  private constructor(
    readonly baseUrl: string,
    /** Undefined: submits without a client id, as curl and most scripts do. */
    readonly clientId: string | undefined,
  ) {}

  /** A client with a socket of its own (like a browser tab), or without one (`clientId: undefined`). */
  static async connect(baseUrl: string, options: { withSocket: boolean }): Promise<OtherClient> {
    const client = new OtherClient(baseUrl, options.withSocket ? `browser-${randomUUID().slice(0, 8)}` : undefined);
    if (options.withSocket) await client.open();
    return client;
  }

  private async open(): Promise<void> {
    const url = new URL(`ws?clientId=${this.clientId ?? ''}`, this.baseUrl.replace(/^http/, 'ws'));
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      const text = data.toString();
      const message = JSON.parse(text) as { type: string; data: Record<string, unknown> };
      if ((message.type === 'progress' || message.type === 'progress_state') && this.progressTexts.length < 500) this.progressTexts.push(text);
      if (message.type !== 'execution_success' && message.type !== 'execution_error' && message.type !== 'execution_interrupted') return;
      const promptId = message.data.prompt_id;
      if (typeof promptId !== 'string') return;
      const terminal: Terminal = { type: message.type, data: message.data, receivedAt: Date.now() };
      this.terminals.set(promptId, terminal);
      this.waiters.get(promptId)?.(terminal);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
  }

  async close(): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.close();
    });
  }

  async submit(prompt: ApiPrompt, options: { workflow?: unknown; front?: boolean } = {}): Promise<string> {
    const body: Record<string, unknown> = { prompt };
    if (this.clientId !== undefined) body.client_id = this.clientId;
    if (options.workflow !== undefined) body.extra_data = { extra_pnginfo: { workflow: options.workflow } };
    if (options.front === true) body.front = true;
    const answer = await this.post('prompt', body);
    const id = (answer as { prompt_id?: unknown }).prompt_id;
    if (typeof id !== 'string') throw new Error(`no prompt id in ${JSON.stringify(answer)}`);
    return id;
  }

  /** The terminal message the socket received (clients with a socket only). */
  terminal(promptId: string, timeoutMs = 60_000): Promise<Terminal> {
    const known = this.terminals.get(promptId);
    if (known) return Promise.resolve(known);
    if (!this.socket) throw new Error('this client has no socket');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no terminal message for ${promptId} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.set(promptId, (terminal) => {
        clearTimeout(timer);
        this.waiters.delete(promptId);
        resolve(terminal);
      });
    });
  }

  /** Polls the server's history until the job has an entry (for clients without a socket). */
  async historyEntry(promptId: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const body = (await this.get(`history/${promptId}`)) as Record<string, Record<string, unknown>>;
      const entry = body[promptId];
      if (entry) return entry;
      if (Date.now() > deadline) throw new Error(`no history entry for ${promptId} within ${timeoutMs} ms`);
      await new Promise((done) => setTimeout(done, 100));
    }
  }

  /** Waits until the server runs this job (it left the pending list for the running one). */
  async untilRunning(promptId: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const queue = (await this.get('queue')) as { queue_running: unknown[][] };
      if (queue.queue_running.some((item) => item[1] === promptId)) return;
      if (Date.now() > deadline) throw new Error(`${promptId} did not start within ${timeoutMs} ms`);
      await new Promise((done) => setTimeout(done, 50));
    }
  }

  interrupt(promptId?: string): Promise<unknown> {
    return this.post('interrupt', promptId === undefined ? {} : { prompt_id: promptId });
  }

  deletePending(ids: readonly string[]): Promise<unknown> {
    return this.post('queue', { delete: ids });
  }

  async view(output: { filename: string; subfolder: string; type: string }): Promise<Buffer> {
    const query = new URLSearchParams({ filename: output.filename, subfolder: output.subfolder, type: output.type });
    const response = await fetch(new URL(`view?${query}`, this.baseUrl));
    if (!response.ok) throw new Error(`GET /view ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  }

  async get(path: string): Promise<unknown> {
    const response = await fetch(new URL(path, this.baseUrl));
    if (!response.ok) throw new Error(`GET /${path} ${response.status}: ${await response.text()}`);
    return response.json();
  }

  private async post(path: string, body: unknown): Promise<unknown> {
    const response = await fetch(new URL(path, this.baseUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await response.text();
    if (!response.ok) throw new Error(`POST /${path} ${response.status}: ${text}`);
    return text === '' ? {} : (JSON.parse(text) as unknown);
  }
}
