// Every HTTP request this process sends to one server, as undici reports it on its diagnostics channel: method and
// path with the query string. Shows what the engine asked a (simulated) server, from the client's side, without a
// proxy in between. The test's own `fetch` calls go through undici too and are logged alike.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';

type TestContext = { after: (fn: () => Promise<void>) => void };

export interface LoggedRequest {
  readonly method: string;
  /** Below the server's origin, with the query: `/api/history?max_items=20`. */
  readonly path: string;
}

const CHANNEL = 'undici:request:create';

export function logRequests(t: TestContext, url: string): LoggedRequest[] {
  const origin = new URL(url).origin;
  const requests: LoggedRequest[] = [];
  const listener = (message: unknown): void => {
    const request = (message as { request?: { origin?: unknown; method?: unknown; path?: unknown } } | null)?.request;
    if (request?.origin === undefined || new URL(String(request.origin)).origin !== origin) return;
    requests.push({ method: String(request.method), path: String(request.path) });
  };
  subscribe(CHANNEL, listener);
  t.after(async () => {
    unsubscribe(CHANNEL, listener);
  });
  return requests;
}

/** The requests whose path (without the query) is `route`, or starts with it when it ends with a slash. */
export function requestsTo(requests: readonly LoggedRequest[], route: string, method = 'GET'): LoggedRequest[] {
  return requests.filter((r) => {
    if (r.method !== method) return false;
    const path = r.path.split('?')[0] ?? '';
    return route.endsWith('/') ? path.startsWith(route) : path === route;
  });
}
