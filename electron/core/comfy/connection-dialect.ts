// What differs between servers that speak ComfyUI's protocol (a stock ComfyUI, Comfy Cloud): how one is asked who it
// is and how full its queue is, how its socket says hello, and how the socket is authenticated. The connection logic
// (backoff, liveness, polling) is the same for all of them.
import { probeServer, type ServerIdentity } from './capabilities.js';
import type { ComfyHttp } from './http-client.js';
import { requestCredentials, type Credentials, type ResolvedServer } from './server-config.js';

export interface ConnectionDialect {
  /** Version and capabilities; throws the error the connection's state should show (bad key, unreachable…). */
  identify(http: ComfyHttp, timeoutMs: number): Promise<ServerIdentity>;
  /** Jobs queued or running, as HTTP tells it (the socket's count is checked against it), or undefined. */
  queueRemaining(http: ComfyHttp, timeoutMs: number): Promise<number | undefined>;
  /** ComfyUI's first frame is always `status` with our sid: anything else first is not ComfyUI. */
  readonly statusFirst: boolean;
  /** A `status` broadcast follows every submission: silence after ours means the socket no longer hears us. */
  readonly statusAfterSubmit: boolean;
  /** What authenticates the socket upgrade (some services want the key in the query rather than a header). */
  socketCredentials(server: ResolvedServer): Credentials;
  /**
   * While down, watch the server's port with bare TCP connects and attempt again once it serves (outage-watch.ts).
   * A hosted service's port always accepts (its front never goes away): it is retried on the backoff instead.
   */
  readonly watchPortWhileDown: boolean;
}

export const COMFYUI_DIALECT: ConnectionDialect = {
  identify: probeServer,
  async queueRemaining(http, timeoutMs) {
    const body = (await http.getJson('api/prompt', undefined, { timeoutMs })) as { exec_info?: { queue_remaining?: unknown } } | null;
    const value = body?.exec_info?.queue_remaining;
    return typeof value === 'number' ? value : undefined;
  },
  statusFirst: true,
  statusAfterSubmit: true,
  socketCredentials: (server) => requestCredentials(server.auth),
  watchPortWhileDown: true,
};
