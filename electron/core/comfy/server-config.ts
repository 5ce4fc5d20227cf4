// What the user configures for one server, validated at the boundary. Credentials live only here and in the
// request headers built from them; `redactedUrl` is what views and logs get.
import { z } from 'zod';
import { SERVER_KINDS, type ServerKind } from '../../shared/app-state.js';
import { ComfyTrayError } from '../errors.js';
import { normalizeFingerprint } from './tls-pinning.js';

export const serverAuthSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('basic'), username: z.string(), password: z.string() }),
  z.object({ kind: z.literal('bearer'), token: z.string().min(1) }),
  z.object({ kind: z.literal('header'), name: z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/), value: z.string() }),
  z.object({ kind: z.literal('api-key'), key: z.string().min(1) }),
  // `?token=` on every request and on the socket upgrade (RunPod, ComfyUI-Login): for proxies a browser must pass.
  z.object({ kind: z.literal('query-token'), token: z.string().min(1) }),
]);
export type ServerAuth = z.infer<typeof serverAuthSchema>;

export const serverConfigSchema = z.object({
  /** Absent: a ComfyUI server (settings written before kinds existed). */
  kind: z.enum(SERVER_KINDS as [ServerKind, ...ServerKind[]]).default('comfyui'),
  id: z.string().min(1).max(200),
  name: z.string().min(1).max(200),
  url: z.string().min(1).max(2000),
  auth: serverAuthSchema.default({ kind: 'none' }),
  enabled: z.boolean().default(true),
  /** SHA-256 of the one self-signed certificate this https server may present (any spelling `normalizeFingerprint` reads). */
  tlsFingerprint: z
    .string()
    .max(200)
    .refine((text) => normalizeFingerprint(text) !== undefined, { message: 'A certificate fingerprint is 32 bytes of SHA-256 in hex (AB:CD:…)' })
    .optional(),
});
export type ServerConfigInput = z.input<typeof serverConfigSchema>;
export type ServerConfig = z.output<typeof serverConfigSchema>;

export interface ResolvedServer {
  readonly kind: ServerKind;
  readonly id: string;
  readonly name: string;
  /** Always ends with '/', keeps the reverse-proxy path prefix, never holds credentials. */
  readonly baseUrl: URL;
  readonly auth: ServerAuth;
  /** Pinned certificate (normalised `AB:CD:…`): only this certificate is accepted, and only over https. */
  readonly tlsFingerprint?: string;
}

/** Validates a configured server; `user:pass@` in the URL becomes basic auth and is removed from the URL. */
export function resolveServer(input: ServerConfigInput): ResolvedServer {
  const parsed = serverConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new ComfyTrayError('CONFIG_INVALID', `Invalid server settings: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
  }
  const config = parsed.data;
  const parsedUrl = parseBaseUrl(config.url);
  const found = splitUrlCredentials(parsedUrl.href);
  const baseUrl = found ? new URL(found.url) : parsedUrl;
  // As when settings are saved: URL credentials become basic auth, unless the server has its own authentication.
  const auth: ServerAuth = found && config.auth.kind === 'none' ? { kind: 'basic', username: found.username, password: found.password } : config.auth;
  const tlsFingerprint = config.tlsFingerprint === undefined ? undefined : normalizeFingerprint(config.tlsFingerprint);
  if (tlsFingerprint !== undefined && baseUrl.protocol !== 'https:') {
    throw new ComfyTrayError('CONFIG_INVALID', 'A trusted certificate fingerprint needs an https:// server URL');
  }
  const needed = NEEDED_AUTH[config.kind];
  if (needed && auth.kind !== needed.kind) throw new ComfyTrayError('CONFIG_INVALID', `${config.name}: ${needed.why}`);
  return { kind: config.kind, id: config.id, name: config.name, baseUrl, auth, ...(tlsFingerprint !== undefined && { tlsFingerprint }) };
}

/** The credentials each hosted service takes (a ComfyUI takes any, or none). */
const NEEDED_AUTH: Readonly<Partial<Record<ServerKind, { kind: ServerAuth['kind']; why: string }>>> = {
  'comfy-cloud': { kind: 'api-key', why: 'Comfy Cloud needs an API key (from platform.comfy.org)' },
  comfycontrol: { kind: 'bearer', why: 'ComfyControl needs an API token' },
};

/**
 * The user name and password written into a URL (`http://alice:pw@host:8188`), decoded, and the URL without them;
 * undefined when the URL holds none (or is not a URL at all, which the schema refuses anyway).
 */
export function splitUrlCredentials(url: string): { url: string; username: string; password: string } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.username === '' && parsed.password === '') return undefined;
  const username = decodeUserInfo(parsed.username);
  const password = decodeUserInfo(parsed.password);
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.href, username, password };
}

/** `%40` back to `@`; a malformed escape is kept as typed rather than refused. */
function decodeUserInfo(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function parseBaseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text.trim()) ? text.trim() : `http://${text.trim()}`);
  } catch {
    throw new ComfyTrayError('CONFIG_INVALID', `Not a valid server URL: ${redactText(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ComfyTrayError('CONFIG_INVALID', `Server URL must start with http:// or https:// (got ${url.protocol})`);
  }
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

// A DNS name (international names arrive as punycode from the URL parser) or an IP literal: the URL parser also
// lets `a$b` or `a*b` through, which no server is called.
const LABEL = '[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?';
const SANE_HOST = new RegExp(`^(?:${LABEL}\\.)*${LABEL}\\.?$|^\\[[0-9a-f:.]+\\]$`, 'i');

/** Why a server URL cannot be used (scheme, host), or undefined; credentials in it are the settings' to lift. */
export function serverUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return 'Not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'Use an http:// or https:// URL';
  if (url.hostname.length > 253 || !SANE_HOST.test(url.hostname)) return 'The host is not a valid host name or IP address';
  return undefined;
}

/** A stable id for a server URL given on a command line: the URL itself without credentials. */
export function serverIdForUrl(text: string): string {
  return redactedUrl(parseBaseUrl(text)).replace(/\/$/, '');
}

export function redactedUrl(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

function redactText(text: string): string {
  return text.replace(/\/\/[^@/]*@/, '//***@').slice(0, 200);
}

/** Headers that authenticate requests (HTTP and the WebSocket upgrade) to this server. */
export function authHeaders(auth: ServerAuth): Record<string, string> {
  switch (auth.kind) {
    case 'none':
    case 'query-token':
      return {};
    case 'basic':
      return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
    case 'bearer':
      return { authorization: `Bearer ${auth.token}` };
    case 'header':
      return { [auth.name.toLowerCase()]: auth.value };
    case 'api-key':
      return { 'x-api-key': auth.key };
  }
}

/**
 * What authenticates one request to this server: headers, and query parameters for a token a proxy reads from the
 * URL. Only ever applied to the server's own origin (a redirect elsewhere goes without them). A URL carrying these is
 * never logged or shown: views and messages name the server and the route instead.
 */
export interface Credentials {
  readonly headers: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
}

export function requestCredentials(auth: ServerAuth): Credentials {
  return { headers: authHeaders(auth), query: auth.kind === 'query-token' ? { token: auth.token } : {} };
}

/** `api/prompt` → `<base>/api/prompt`; the route is relative so a path prefix is kept. */
export function routeUrl(baseUrl: URL, route: string, query?: Record<string, string | number | undefined>): URL {
  const url = new URL(route.replace(/^\/+/, ''), baseUrl);
  if (query) {
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url;
}

/**
 * How messages name one of the server's routes: the whole URL, credentials and query left out (a query can carry a
 * token), e.g. `http://gpu:8188/api/system_stats`. The server's own name is the context the message is shown in.
 */
export function routeLabel(baseUrl: URL, route: string): string {
  const url = routeUrl(baseUrl, route);
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  return url.href;
}

/**
 * The socket lives at `<base>/ws` (the path the official frontend and reverse-proxy recipes use; the server also
 * answers `/api/ws`).
 */
export function socketUrl(baseUrl: URL, clientId: string, credentialQuery: Readonly<Record<string, string>> = {}): URL {
  const url = routeUrl(baseUrl, 'ws', { clientId, ...credentialQuery });
  url.protocol = baseUrl.protocol === 'https:' ? 'wss:' : 'ws:';
  return url;
}
