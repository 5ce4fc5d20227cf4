// HTTP to one ComfyUI server through undici: timeouts, a body size cap, auth headers, errors with stable codes.
import { Agent, request, type Dispatcher } from 'undici';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { ComfyTrayError, HttpStatusError } from '../errors.js';
import { parseJson, stringifyJson } from '../json.js';
import { authHeaders, routeLabel, routeUrl, type ResolvedServer } from './server-config.js';

export interface HttpOptions {
  readonly timeoutMs?: number;
  /** Bodies above this are refused (a 10,000-item /queue carries every prompt: tens of MB). */
  readonly maxBodyBytes?: number;
}

export interface HttpResult {
  readonly status: number;
  readonly text: string;
}

export type Query = Record<string, string | number | undefined>;

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_BODY = 256 * 1024 * 1024;

export class ComfyHttp {
  private readonly agent: Agent;
  private readonly headers: Record<string, string>;

  constructor(
    private readonly server: ResolvedServer,
    private readonly options: HttpOptions = {},
  ) {
    this.agent = new Agent({ keepAliveTimeout: 10_000, connections: 8 });
    // No Origin / Sec-Fetch-Site: the server's origin middleware answers 403 to cross-site browser requests.
    this.headers = { ...authHeaders(server.auth), 'comfy-user': '' };
  }

  /** GET a JSON body; any status but 200 is an error. */
  async getJson(route: string, query?: Query, options: { exactIntegers?: boolean; timeoutMs?: number } = {}): Promise<unknown> {
    const result = await this.send('GET', route, { query, timeoutMs: options.timeoutMs });
    if (result.status !== 200) throw new HttpStatusError(result.status, this.describe(route), result.text);
    return this.parse(route, result.text, options.exactIntegers);
  }

  /** POST JSON; returns status and parsed body (empty bodies parse to null) so callers can read 400 details. */
  async postJson(route: string, body: unknown, options: { timeoutMs?: number } = {}): Promise<{ status: number; body: unknown }> {
    const result = await this.send('POST', route, { body: stringifyJson(body), timeoutMs: options.timeoutMs });
    if (result.status === 401 || result.status === 403) throw new HttpStatusError(result.status, this.describe(route), result.text);
    const trimmed = result.text.trim();
    if (trimmed === '') return { status: result.status, body: null };
    try {
      return { status: result.status, body: parseJson(trimmed) };
    } catch {
      return { status: result.status, body: trimmed };
    }
  }

  parse(route: string, text: string, exactIntegers = false): unknown {
    try {
      return parseJson(text, { exactIntegers });
    } catch (cause) {
      throw new ComfyTrayError('COMFY_BAD_RESPONSE', `${this.describe(route)} did not return JSON`, { cause });
    }
  }

  async send(
    method: 'GET' | 'POST',
    route: string,
    options: { query?: Query; body?: string; timeoutMs?: number } = {},
  ): Promise<HttpResult> {
    // Small bodies: a limit on the whole exchange as well (undici applies the signal to the body too).
    const response = await this.dispatch(method, route, { ...options, signal: AbortSignal.timeout(this.timeoutOf(options.timeoutMs) + 1_000) });
    this.noteServerDate(response.headers.date);
    const text = await readText(response.body, this.options.maxBodyBytes ?? DEFAULT_MAX_BODY, this.describe(route));
    return { status: response.statusCode, text };
  }

  /**
   * Streams a body (for output files; 206 answers a `Range` header). The caller must consume or destroy the stream.
   * No limit on the whole transfer: a large video over a slow link may take minutes. Only silence is a failure (no
   * headers, or no bytes, for `timeoutMs`); the caller ends it earlier through `signal` or by destroying the body.
   */
  async stream(
    route: string,
    query: Query,
    options: { timeoutMs?: number; headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<{ status: number; body: Readable; headers: Record<string, string | string[] | undefined> }> {
    const response = await this.dispatch('GET', route, { query, ...options });
    if (response.statusCode !== 200 && response.statusCode !== 206) {
      const text = await readText(response.body, 64 * 1024, this.describe(route)).catch(() => '');
      throw new HttpStatusError(response.statusCode, this.describe(route), text);
    }
    return { status: response.statusCode, body: response.body, headers: response.headers };
  }

  /**
   * The server's clock minus ours, from HTTP `Date` headers (whole seconds, so ±1 s), or undefined before any
   * answer. Lets job times written by the server be compared with moments measured here.
   */
  get clockOffsetMs(): number | undefined {
    return this.offset;
  }

  private offset: number | undefined;

  private noteServerDate(header: string | string[] | undefined): void {
    const value = Array.isArray(header) ? header[0] : header;
    const serverMs = value === undefined ? NaN : Date.parse(value);
    // The header is truncated to the second: its middle is the best single guess.
    if (Number.isFinite(serverMs)) this.offset = serverMs + 500 - Date.now();
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async dispatch(
    method: 'GET' | 'POST',
    route: string,
    options: {
      query?: Query;
      body?: string;
      timeoutMs?: number;
      headers?: Record<string, string>;
      signal?: AbortSignal;
    },
  ): Promise<Dispatcher.ResponseData> {
    const url = routeUrl(this.server.baseUrl, route, options.query);
    // Idle limits: how long the server may stay silent before the headers, and between two pieces of the body.
    const timeout = this.timeoutOf(options.timeoutMs);
    const headers: Record<string, string> = { ...this.headers, accept: 'application/json', ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await request(url, {
        method,
        headers,
        body: options.body,
        dispatcher: this.agent,
        headersTimeout: timeout,
        bodyTimeout: timeout,
        ...(options.signal !== undefined && { signal: options.signal }),
      });
    } catch (cause) {
      throw networkError(cause, this.describe(route));
    }
  }

  private timeoutOf(timeoutMs: number | undefined): number {
    return timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  describe(route: string): string {
    return routeLabel(this.server.baseUrl, route);
  }
}

/**
 * Decoded piece by piece as it arrives, rather than gathered and joined at the end: a legacy /queue answer is tens of
 * MB, and twenty servers answering at once would otherwise hold their bodies twice over in buffers outside the
 * JavaScript heap, which the process rarely gives back to the system (only the text stays, and it is collected).
 */
async function readText(body: Readable, maxBytes: number, what: string): Promise<string> {
  const decoder = new StringDecoder('utf8');
  let text = '';
  let size = 0;
  try {
    for await (const chunk of body) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > maxBytes) {
        body.destroy();
        throw new ComfyTrayError('COMFY_RESPONSE_TOO_LARGE', `${what} sent more than ${maxBytes} bytes`);
      }
      text += decoder.write(buffer);
    }
  } catch (cause) {
    if (cause instanceof ComfyTrayError) throw cause;
    throw networkError(cause, what);
  }
  return text + decoder.end();
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

export function networkError(cause: unknown, what: string): ComfyTrayError {
  if (cause instanceof ComfyTrayError) return cause;
  const code = findCode(cause);
  const name = cause instanceof Error ? cause.name : '';
  if ((code && TIMEOUT_CODES.has(code)) || name === 'TimeoutError') {
    return new ComfyTrayError('COMFY_TIMEOUT', `${what} timed out`, { cause });
  }
  const detail = code ?? (cause instanceof Error ? cause.message : String(cause));
  return new ComfyTrayError('COMFY_UNREACHABLE', `${what} unreachable (${detail})`, { cause });
}

function findCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
