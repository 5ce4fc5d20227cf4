// undici's HTTP client without the rest of the package. Importing 'undici' runs its index, which loads fetch, its
// WebSocket, cache and mocks, and Node's own copy of undici besides: about 6 MB of resident memory that the engine
// never uses (docs/benchmarks.md, section 9). The parts the app uses are taken from the files the index takes them
// from (the version is pinned by the lockfile; the HTTP tests go through every one). Types still come from 'undici'.
import type { Dispatcher } from 'undici';
import AgentClass from 'undici/lib/dispatcher/agent.js';
import requestApi from 'undici/lib/api/api-request.js';
import connector from 'undici/lib/core/connect.js';
import undiciGlobal from 'undici/lib/global.js';

export const Agent = AgentClass;
export type Agent = InstanceType<typeof AgentClass>;
export const buildConnector = connector;

export type RequestOptions = Omit<Dispatcher.RequestOptions, 'origin' | 'path' | 'method'> & {
  readonly method: Dispatcher.HttpMethod;
  /** The agent that sends it; undici's global one when absent. */
  readonly dispatcher?: Dispatcher;
};

/** undici's `request(url, options)`: the URL split into origin and path as its index does. */
export function request(url: URL | string, options: RequestOptions): Promise<Dispatcher.ResponseData> {
  const target = typeof url === 'string' ? new URL(url) : url;
  const { dispatcher = undiciGlobal.getGlobalDispatcher(), ...rest } = options;
  return requestApi.call(dispatcher, { ...rest, origin: target.origin, path: `${target.pathname}${target.search}` });
}
