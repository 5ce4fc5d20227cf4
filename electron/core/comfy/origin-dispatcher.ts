// An undici dispatcher for clients that build their own requests (the EventSource): it adds a server's credentials
// to requests for that server's origin only, as they go out. A redirect elsewhere, followed by the client, goes
// without them; the credentials are never part of a URL anyone keeps.
import type { Dispatcher } from 'undici';
import { Agent } from './undici-parts.js';
import type { Credentials } from './server-config.js';
import { pinnedConnector } from './tls-pinning.js';

export function originDispatcher(origin: string, credentials: Credentials, options: { tlsFingerprint?: string } = {}): Dispatcher {
  const agent = new Agent({
    keepAliveTimeout: 10_000,
    // A stream is long and mostly quiet: silence is judged by the caller (it knows the expected interval).
    bodyTimeout: 0,
    ...(options.tlsFingerprint !== undefined && { connect: pinnedConnector(options.tlsFingerprint) }),
  });
  return agent.compose((dispatch) => (opts, handler) => {
    if (opts.origin === undefined || new URL(String(opts.origin)).origin !== origin) return dispatch(opts, handler);
    return dispatch({ ...opts, path: withQuery(opts.path, credentials.query), headers: withHeaders(opts.headers, credentials.headers) }, handler);
  });
}

function withQuery(path: string, query: Readonly<Record<string, string>>): string {
  const entries = Object.entries(query);
  if (entries.length === 0) return path;
  const url = new URL(path, 'http://path.invalid');
  for (const [key, value] of entries) url.searchParams.set(key, value);
  return `${url.pathname}${url.search}`;
}

function withHeaders(headers: Dispatcher.DispatchOptions['headers'], extra: Readonly<Record<string, string>>): Dispatcher.DispatchOptions['headers'] {
  if (Object.keys(extra).length === 0) return headers;
  if (headers == null) return { ...extra };
  if (Array.isArray(headers)) return [...(headers as string[]), ...Object.entries(extra).flat()];
  if (Symbol.iterator in headers) {
    const pairs = [...(headers as Iterable<[string, string | string[] | undefined]>)];
    return [...pairs.filter(([name]) => !(name.toLowerCase() in extra)), ...Object.entries(extra)];
  }
  return { ...(headers as Record<string, string | string[] | undefined>), ...extra } as Dispatcher.DispatchOptions['headers'];
}
