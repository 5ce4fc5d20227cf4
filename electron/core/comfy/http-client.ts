// HTTP to one ComfyUI server through undici: timeouts, a body size cap, credentials (headers, a query token, a pinned
// certificate), redirects followed by hand so credentials never reach another origin, errors with stable codes.
import type { Dispatcher } from 'undici';
import { Agent, request } from './undici-parts.js';
import type { Readable } from 'node:stream';
import { ComfyTrayError, HttpStatusError } from '../errors.js';
import { readBodyText } from './body-text.js';
import { parseJson, stringifyJson } from '../json.js';
import { requestCredentials, routeLabel, routeUrl, type Credentials, type ResolvedServer } from './server-config.js';
import { isUntrustedCertificateCode, pinnedConnector } from './tls-pinning.js';

export interface HttpOptions {
  readonly timeoutMs?: number;
  /** Bodies above this are refused (a 10,000-item /queue carries every prompt: tens of MB). */
  readonly maxBodyBytes?: number;
  /**
   * Whether a redirect back to the server's own origin gets the credentials again (default yes). Off for services
   * whose redirects point at signed URLs that must be fetched without the key, whatever origin they name.
   */
  readonly credentialsAfterRedirect?: boolean;
}

export interface HttpResult {
  readonly status: number;
  readonly text: string;
}

export type Query = Record<string, string | number | undefined>;

export interface StreamResult {
  readonly status: number;
  readonly body: Readable;
  readonly headers: Record<string, string | string[] | undefined>;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_BODY = 256 * 1024 * 1024;
/** Redirects followed for one file (a proxy, then a signed storage URL, is two). */
const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export class ComfyHttp {
  private readonly agent: Agent;
  /** For other origins a redirect leads to: no credentials, no pinned certificate (the usual checks apply there). */
  private foreignAgent: Agent | undefined;
  private readonly headers: Record<string, string>;
  private readonly credentials: Credentials;

  constructor(
    private readonly server: ResolvedServer,
    private readonly options: HttpOptions = {},
  ) {
    this.agent = new Agent({
      keepAliveTimeout: 10_000,
      connections: 8,
      ...(server.tlsFingerprint !== undefined && { connect: pinnedConnector(server.tlsFingerprint) }),
    });
    this.credentials = requestCredentials(server.auth);
    // No Origin / Sec-Fetch-Site: the server's origin middleware answers 403 to cross-site browser requests.
    this.headers = { ...this.credentials.headers, 'comfy-user': '' };
  }

  /** GET a JSON body; any status but 200 is an error. */
  async getJson(route: string, query?: Query, options: { exactIntegers?: boolean; timeoutMs?: number } = {}): Promise<unknown> {
    const result = await this.send('GET', route, { query, timeoutMs: options.timeoutMs });
    if (result.status !== 200) throw new HttpStatusError(result.status, this.describe(route), result.text);
    return this.parse(route, result.text, options.exactIntegers);
  }

  /** GET a body as text, for callers that parse it themselves (exactly); any status but 200 is an error. */
  async getText(route: string, query?: Query, options: { timeoutMs?: number } = {}): Promise<string> {
    const result = await this.send('GET', route, { query, timeoutMs: options.timeoutMs });
    if (result.status !== 200) throw new HttpStatusError(result.status, this.describe(route), result.text);
    return result.text;
  }

  /** POST JSON; returns status and parsed body (empty bodies parse to null) so callers can read 400 details. */
  postJson(route: string, body: unknown, options: { timeoutMs?: number } = {}): Promise<{ status: number; body: unknown }> {
    return this.postJsonText(route, stringifyJson(body), options);
  }

  /** `postJson` with the body already written as JSON text (a held prompt, digit for digit). */
  async postJsonText(route: string, text: string, options: { timeoutMs?: number } = {}): Promise<{ status: number; body: unknown }> {
    const result = await this.send('POST', route, { body: text, timeoutMs: options.timeoutMs });
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
    options: { query?: Query; body?: string | Buffer; contentType?: string; timeoutMs?: number } = {},
  ): Promise<HttpResult> {
    // Small bodies: a limit on the whole exchange as well (undici applies the signal to the body too).
    const response = await this.dispatch(method, route, { ...options, signal: AbortSignal.timeout(this.timeoutOf(options.timeoutMs) + 1_000) });
    this.noteServerDate(response.headers.date);
    const text = await readText(response, this.options.maxBodyBytes ?? DEFAULT_MAX_BODY, this.describe(route));
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
  ): Promise<StreamResult> {
    return this.streamFrom(this.urlOf(route, query), this.describe(route), options, true);
  }

  /**
   * A file at a URL a service handed out (a signed storage URL): fetched like `stream`, but never with the server's
   * credentials, whichever origin it names. `what` names it in errors (the URL itself carries a signature).
   */
  streamUrl(url: URL, what: string, options: { timeoutMs?: number; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<StreamResult> {
    return this.streamFrom(url, what, options, false);
  }

  private async streamFrom(
    first: URL,
    what: string,
    options: { timeoutMs?: number; headers?: Record<string, string>; signal?: AbortSignal },
    credentials: boolean,
  ): Promise<StreamResult> {
    let url = first;
    let response = await this.dispatchUrl('GET', url, what, options, credentials);
    const again = credentials && this.options.credentialsAfterRedirect !== false;
    // By hand, hop by hop: the server's own origin gets its credentials again, any other origin (a signed storage
    // URL, say) gets none of them, whatever the server asks.
    for (let hops = 0; REDIRECT_STATUSES.has(response.statusCode); hops++) {
      const location = header(response.headers, 'location');
      response.body.resume();
      if (location === undefined || hops >= MAX_REDIRECTS) {
        throw new ComfyTrayError('COMFY_BAD_RESPONSE', `${what} redirected ${location === undefined ? 'without a Location' : 'too many times'}`);
      }
      const next = resolveRedirect(url, location);
      if (next === undefined) throw new ComfyTrayError('COMFY_BAD_RESPONSE', `${what} redirected to an address that cannot be used`);
      url = next;
      response = await this.dispatchUrl('GET', url, what, options, again);
    }
    if (response.statusCode !== 200 && response.statusCode !== 206) {
      const text = await readText(response, 64 * 1024, what).catch(() => '');
      throw new HttpStatusError(response.statusCode, what, text);
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
    await Promise.all([this.agent.close(), this.foreignAgent?.close()]);
  }

  private urlOf(route: string, query?: Query): URL {
    return routeUrl(this.server.baseUrl, route, query);
  }

  private dispatch(
    method: 'GET' | 'POST',
    route: string,
    options: { query?: Query; body?: string | Buffer; contentType?: string; timeoutMs?: number; headers?: Record<string, string>; signal?: AbortSignal },
  ): Promise<Dispatcher.ResponseData> {
    return this.dispatchUrl(method, this.urlOf(route, options.query), this.describe(route), options);
  }

  /** `what` names the request in errors (the URL itself may carry a token or a signature). */
  private async dispatchUrl(
    method: 'GET' | 'POST',
    url: URL,
    what: string,
    options: { body?: string | Buffer; contentType?: string; timeoutMs?: number; headers?: Record<string, string>; signal?: AbortSignal },
    credentials = true,
  ): Promise<Dispatcher.ResponseData> {
    const own = url.origin === this.server.baseUrl.origin;
    const authenticated = credentials && own;
    // Idle limits: how long the server may stay silent before the headers, and between two pieces of the body.
    const timeout = this.timeoutOf(options.timeoutMs);
    const headers: Record<string, string> = { ...(authenticated ? this.headers : {}), accept: own ? 'application/json' : '*/*', ...options.headers };
    if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    // The token a proxy reads from the query is added here, as the request goes out: the URL that carries it is never
    // kept, logged or put in an error (those name the server and the route).
    let target = url;
    if (authenticated && Object.keys(this.credentials.query).length > 0) {
      target = new URL(url.href);
      for (const [key, value] of Object.entries(this.credentials.query)) target.searchParams.set(key, value);
    }
    try {
      return await request(target, {
        method,
        headers,
        body: options.body,
        // The server's own agent (with its pinned certificate) for its origin; a plain one anywhere else.
        dispatcher: own ? this.agent : (this.foreignAgent ??= new Agent({ keepAliveTimeout: 10_000, connections: 4 })),
        headersTimeout: timeout,
        bodyTimeout: timeout,
        ...(options.signal !== undefined && { signal: options.signal }),
      });
    } catch (cause) {
      throw networkError(cause, what);
    }
  }

  private timeoutOf(timeoutMs: number | undefined): number {
    return timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  describe(route: string): string {
    return routeLabel(this.server.baseUrl, route);
  }
}

async function readText(response: Dispatcher.ResponseData, maxBytes: number, what: string): Promise<string> {
  try {
    return await readBodyText(response.body, { maxBytes, what });
  } catch (cause) {
    if (cause instanceof ComfyTrayError) throw cause;
    throw networkError(cause, what);
  }
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Where a redirect leads, relative to the URL that answered; never from https down to plain http. */
export function resolveRedirect(from: URL, location: string): URL | undefined {
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    return undefined;
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') return undefined;
  if (from.protocol === 'https:' && next.protocol === 'http:') return undefined;
  next.hash = '';
  return next;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

export function networkError(cause: unknown, what: string): ComfyTrayError {
  if (cause instanceof ComfyTrayError) return cause;
  const ours = findComfyError(cause);
  if (ours) return new ComfyTrayError(ours.code, `${what}: ${ours.message}`, { cause });
  const code = findCode(cause);
  if (isUntrustedCertificateCode(code)) {
    return new ComfyTrayError(
      'COMFY_TLS_UNTRUSTED',
      `${what}: the server's certificate is not trusted (${code}); to trust a self-signed certificate, enter its SHA-256 fingerprint in the server's settings`,
      { cause },
    );
  }
  const name = cause instanceof Error ? cause.name : '';
  if ((code && TIMEOUT_CODES.has(code)) || name === 'TimeoutError') {
    return new ComfyTrayError('COMFY_TIMEOUT', `${what} timed out`, { cause });
  }
  const detail = code ?? (cause instanceof Error ? cause.message : String(cause));
  return new ComfyTrayError('COMFY_UNREACHABLE', `${what} unreachable (${detail})`, { cause });
}

/** An error of ours a lower layer wrapped (the pinned-certificate check runs inside undici's and ws's connect). */
function findComfyError(error: unknown): ComfyTrayError | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if (current instanceof ComfyTrayError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function findCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
