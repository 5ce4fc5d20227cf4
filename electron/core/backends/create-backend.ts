// The one place that knows which adapter serves which kind of server; everything above it sees a JobBackend.
import type { ClientIdStore } from '../comfy/comfy-connection.js';
import type { ConnectionTimings } from '../comfy/reconnect-policy.js';
import { resolveServer, type ServerConfigInput } from '../comfy/server-config.js';
import { assertNever } from '../errors.js';
import type { JobBackend } from '../jobs/backend.js';
import { CloudBackend } from './comfy-cloud/cloud-backend.js';
import { ComfyControlBackend } from './comfycontrol/comfycontrol-backend.js';
import { ComfyBackend } from './comfyui/comfy-backend.js';

export interface BackendOptions {
  readonly timings?: Partial<ConnectionTimings>;
  /** False: a failed connect is retried on the backoff, never after watching the port (a one-off test). */
  readonly watchPortWhileDown?: boolean;
}

export function createBackend(config: ServerConfigInput, clientIds: ClientIdStore, options: BackendOptions = {}): JobBackend {
  const server = resolveServer(config);
  switch (server.kind) {
    case 'comfyui':
      return new ComfyBackend(server, clientIds, options);
    case 'comfy-cloud':
      return new CloudBackend(server, clientIds, options);
    case 'comfycontrol':
      return new ComfyControlBackend(server, options);
    default:
      return assertNever(server.kind);
  }
}
