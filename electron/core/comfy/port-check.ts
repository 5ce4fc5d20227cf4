// Is anything serving the server's port? A bare TCP connect, closed again at once: no HTTP request reaches ComfyUI,
// and a refused connect costs the server nothing. While a server is down this is checked often, so that its return
// is noticed within a second without polling it over HTTP.
import { connect } from 'node:net';

export interface PortTarget {
  readonly host: string;
  readonly port: number;
}

/**
 * - `refused`: nothing accepted (refused, unreachable, unknown host, or no answer within the timeout).
 * - `dropped`: something accepted and then closed the connection by itself within the hold time, without a word: a
 *   front with nothing behind it (Docker's port proxy, an SSH tunnel whose far end refuses).
 * - `open`: the connection was accepted (and, when held, stayed open): something may serve requests there.
 */
export type PortState = 'refused' | 'dropped' | 'open';

/** Host and port a server's URL connects to (the URL's port, else the scheme's). */
export function portTarget(baseUrl: URL): PortTarget {
  const host = baseUrl.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = baseUrl.port !== '' ? Number(baseUrl.port) : baseUrl.protocol === 'https:' ? 443 : 80;
  return { host, port };
}

/**
 * One connect; never rejects. `holdMs` > 0 keeps an accepted connection that long to see whether the far end drops
 * it. An aborted check ends at once (as `refused`), so stopping never waits for a slow network.
 */
export function checkPort(target: PortTarget, options: { timeoutMs: number; holdMs?: number; signal?: AbortSignal }): Promise<PortState> {
  return new Promise((resolve) => {
    let settled = false;
    let accepted = false;
    const socket = connect({ host: target.host, port: target.port });
    const finish = (state: PortState): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(state);
    };
    const onAbort = (): void => finish('refused');
    let timer = setTimeout(() => finish(accepted ? 'open' : 'refused'), options.timeoutMs);
    options.signal?.addEventListener('abort', onAbort);
    if (options.signal?.aborted === true) onAbort();
    socket.once('error', () => finish(accepted ? 'dropped' : 'refused'));
    socket.once('close', () => finish(accepted ? 'dropped' : 'refused'));
    socket.once('end', () => finish('dropped'));
    // Anything the far end says first (an HTTP server never speaks before the client does) counts as "it is there".
    socket.once('data', () => finish('open'));
    socket.once('connect', () => {
      accepted = true;
      const hold = options.holdMs ?? 0;
      if (hold <= 0) {
        finish('open');
        return;
      }
      clearTimeout(timer);
      timer = setTimeout(() => finish('open'), hold);
    });
  });
}
