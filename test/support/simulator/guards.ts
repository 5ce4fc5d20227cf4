// Checks that run before routing: the test's required header (401), the server's origin middleware (403:
// Host/Origin mismatch on loopback; modern also rejects Sec-Fetch-Site: cross-site) and injected failures.
import type { IncomingHttpHeaders } from 'node:http';
import type { SimGeneration } from './types.js';

export interface RequiredHeader {
  name: string;
  value: string;
}

export function headerMatches(headers: IncomingHttpHeaders, required: RequiredHeader | undefined): boolean {
  if (!required) return true;
  const got = headers[required.name.toLowerCase()];
  return Array.isArray(got) ? got.includes(required.value) : got === required.value;
}

function splitHost(netloc: string): { hostname: string; port: string | undefined } {
  const hostPart = netloc.slice(netloc.lastIndexOf('@') + 1).toLowerCase();
  const v6 = /^\[([^\]]*)\](?::(\d*))?$/.exec(hostPart);
  if (v6) return { hostname: v6[1]!, port: v6[2] || undefined };
  const colon = hostPart.lastIndexOf(':');
  if (colon < 0) return { hostname: hostPart, port: undefined };
  return { hostname: hostPart.slice(0, colon), port: hostPart.slice(colon + 1) || undefined };
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '::1' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** create_origin_only_middleware; returns 403 when the request must be refused. */
export function originStatus(headers: IncomingHttpHeaders, generation: SimGeneration): 403 | undefined {
  if (generation === 'modern' && headers['sec-fetch-site'] === 'cross-site') return 403;
  const host = headers.host;
  const origin = headers.origin;
  if (typeof host !== 'string' || typeof origin !== 'string') return undefined;
  const originNetloc = (/^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(origin)?.[1] ?? '').toLowerCase();
  const hostParsed = splitHost(host.toLowerCase());
  const originParsed = splitHost(originNetloc);
  let hostDomain = host.toLowerCase();
  let originDomain = originNetloc;
  if (originParsed.port === undefined) hostDomain = hostParsed.hostname;
  if (hostParsed.port === undefined) originDomain = originParsed.hostname;
  if (isLoopback(hostParsed.hostname) && hostDomain && originDomain && hostDomain !== originDomain) return 403;
  return undefined;
}

export interface FailRule {
  route: string;
  status: number;
  remaining: number;
  /** Only requests with this method fail (a POST /prompt rule must not be spent on the client's GET /prompt probe). */
  method?: string;
  /** Matching requests let through before the rule applies. */
  passes?: number;
}

/** "/api/queue" and "/queue" are the same route for failNext. */
export function normalizeRoute(path: string): string {
  const bare = path.split('?')[0] ?? '';
  if (bare === '/api') return '/';
  return bare.startsWith('/api/') ? bare.slice(4) : bare;
}

export function takeFailure(rules: FailRule[], path: string, method?: string): number | undefined {
  const route = normalizeRoute(path);
  const rule = rules.find((r) => r.remaining > 0 && r.route === route && (r.method === undefined || r.method === method));
  if (!rule) return undefined;
  if (rule.passes !== undefined && rule.passes > 0) {
    rule.passes--;
    return undefined;
  }
  rule.remaining--;
  return rule.status;
}
