// What every tool works with: the engine (one backend and tracker per configured server, whatever its kind), where
// downloads may go, and the app's record of the files it saved.
import type { Engine } from '../core/engine.js';
import type { DownloadLimits } from '../core/outputs/download-limits.js';
import { sameServerUrl } from '../cli/app-settings.js';
import { ComfyTrayError } from '../core/errors.js';
import type { ServerView } from '../shared/app-state.js';
import type { DownloadRoots } from './download-roots.js';

export interface McpContext {
  readonly engine: Engine;
  readonly roots: DownloadRoots;
  readonly limits: DownloadLimits;
  /** Where the app saved a job's outputs: output key (`savedKey`) → path, read from the app's journal as it is now. */
  readonly appSavedFiles: (serverId: string, jobId: string) => Promise<ReadonlyMap<string, string>>;
  /** How long a call waits for a server still making its first connection. */
  readonly readyTimeoutMs: number;
}

/** A server named by its id, its name (any case) or its URL; SERVER_UNKNOWN, listing the configured ones, otherwise. */
export function serverNamed(engine: Engine, name: string): ServerView {
  const servers = engine.servers();
  const wanted = name.trim();
  const found =
    servers.find((server) => server.id === wanted) ??
    servers.find((server) => server.name.toLowerCase() === wanted.toLowerCase()) ??
    servers.find((server) => sameServerUrl(server.url, wanted));
  if (found) return found;
  const known = servers.map((server) => `${server.id} (${server.name})`).join(', ');
  throw new ComfyTrayError('SERVER_UNKNOWN', `No configured server is called "${wanted.slice(0, 200)}"; the servers are: ${known || 'none'}`);
}

export function serverName(engine: Engine, serverId: string): string {
  return engine.servers().find((server) => server.id === serverId)?.name ?? serverId;
}
