// Whether a server can be asked now. A tool call can arrive while the engine is still making its first connection:
// it waits for that attempt to end (at most `timeoutMs`), but never for a server already known to be down, so one
// offline server does not make every call across servers slow.
import type { Engine } from '../core/engine.js';
import type { ServerView } from '../shared/app-state.js';

export type Readiness = { readonly ok: true } | { readonly ok: false; readonly code: string; readonly message: string };

export function readiness(view: ServerView | undefined): Readiness | undefined {
  if (view === undefined) return { ok: false, code: 'SERVER_UNKNOWN', message: 'No such server' };
  if (view.state === 'connected') return { ok: true };
  if (view.state === 'connecting') return undefined;
  const code = view.lastError?.code ?? 'COMFY_NOT_CONNECTED';
  return { ok: false, code, message: `${view.name} is ${view.state}${view.lastError ? ` (${view.lastError.message})` : ''}` };
}

export function whenReady(engine: Engine, serverId: string, timeoutMs: number): Promise<Readiness> {
  const current = (): Readiness | undefined => readiness(engine.servers().find((server) => server.id === serverId));
  const now = current();
  if (now !== undefined) return Promise.resolve(now);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      off();
      resolve({ ok: false, code: 'COMFY_CONNECT_TIMEOUT', message: `${serverId} is not connected after ${Math.round(timeoutMs / 1000)} s` });
    }, timeoutMs);
    const off = engine.events.on('server', (view) => {
      if (view.id !== serverId) return;
      const settled = readiness(view);
      if (settled === undefined) return;
      clearTimeout(timer);
      off();
      resolve(settled);
    });
  });
}
