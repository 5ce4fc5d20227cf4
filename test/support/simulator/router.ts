// aiohttp-like routing: every route also answers under "/api" (routes declared with "/api" only there, plus the
// "/api/api/..." artefact); unknown paths are 404 for GET/HEAD and 405 otherwise (the static "/" resource).
import type { SimRequest, SimResponse } from './http.js';
import { parseJson } from './json.js';

export type Handler = (req: SimRequest, params: string[]) => Promise<SimResponse> | SimResponse;

interface Route {
  method: string;
  pattern: RegExp;
  apiOnly: boolean;
  handler: Handler;
}

export type Resolved = { handler: Handler; params: string[] } | { status: 404 | 405 };

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export class Router {
  private readonly routes: Route[] = [];

  /** `path` like "/history/{prompt_id}"; routes starting with "/api/" exist only under /api. */
  add(method: string, path: string, handler: Handler): this {
    const source = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '([^/]+)');
    this.routes.push({ method, pattern: new RegExp(`^${source}$`), apiOnly: path.startsWith('/api/'), handler });
    return this;
  }

  resolve(method: string, path: string): Resolved {
    const variants = path.startsWith('/api/') ? [path, path.slice(4)] : [path];
    let pathMatched = false;
    for (const route of this.routes) {
      for (const variant of variants) {
        if (route.apiOnly && !variant.startsWith('/api/')) continue;
        const match = route.pattern.exec(variant);
        if (!match) continue;
        pathMatched = true;
        if (route.method === method || (route.method === 'GET' && method === 'HEAD')) {
          return { handler: route.handler, params: match.slice(1).map(decode) };
        }
      }
    }
    if (pathMatched) return { status: 405 };
    return { status: method === 'GET' || method === 'HEAD' ? 404 : 405 };
  }
}

export const BAD_JSON = Symbol('bad json');

/** `await request.json()`: the parsed body, or BAD_JSON when it is not JSON. */
export async function jsonBody(req: SimRequest): Promise<unknown> {
  const text = (await req.body()).toString('utf8');
  try {
    return parseJson(text);
  } catch {
    return BAD_JSON;
  }
}

/** Iterates like Python's `for x in value` over a JSON list or string; undefined when not iterable. */
export function pyIterable(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return [...value];
  return undefined;
}
