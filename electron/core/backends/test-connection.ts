// Test connection: the server as the app would follow it, tried once with the settings being edited. It runs the
// real adapter for the kind (HTTP, the account or token check, the socket) and reports exactly what is wrong: a bad
// key, no credits, an inactive subscription, a certificate that is not the trusted one (with the one presented), or
// a proxy that refuses WebSockets (it works, by polling).
import type { ConnectionInfo } from '../comfy/comfy-connection.js';
import type { ClientIdStore } from '../comfy/comfy-connection.js';
import { resolveServer, type ServerConfigInput } from '../comfy/server-config.js';
import { presentedFingerprint } from '../comfy/tls-pinning.js';
import { errorCode, errorMessage } from '../errors.js';
import type { ConnectionTestResult } from '../../shared/ipc-contract.js';
import { createBackend } from './create-backend.js';

const NO_CAPABILITIES = { jobsApi: false, cancelEndpoint: false, targetedInterrupt: false, supportsPreviewMetadata: false };

export async function testConnection(config: ServerConfigInput, timeoutMs = 5_000): Promise<ConnectionTestResult> {
  let server;
  try {
    server = resolveServer(config);
  } catch (error) {
    return { ok: false, code: errorCode(error) ?? 'CONFIG_INVALID', message: errorMessage(error) };
  }
  const ids = new Map<string, { clientId: string; closedCleanly: boolean }>();
  const clientIds: ClientIdStore = { get: (id) => ids.get(id), set: (id, record) => void ids.set(id, record) };
  const backend = createBackend(config, clientIds, {
    // One honest try: the first answer counts; a second attempt only where the connection itself needs one (an
    // upgrade refused without an answer is judged on the second).
    timings: { httpTimeoutMs: timeoutMs, handshakeTimeoutMs: timeoutMs, firstRetryDelayMs: 50, maxRetryDelayMs: 50, featureFlagsWaitMs: 300 },
    // The second try comes on the backoff: a port watch would make none while the port stays closed.
    watchPortWhileDown: false,
  });
  try {
    const info = await firstVerdict(backend.events, backend, timeoutMs * 2 + 1_000);
    if (info.state === 'connected') {
      return {
        ok: true,
        ...(info.version !== undefined && { version: info.version }),
        capabilities: info.capabilities ?? NO_CAPABILITIES,
        ...(info.degraded !== undefined && { degraded: info.degraded }),
      };
    }
    const code = info.lastError?.code ?? 'COMFY_UNREACHABLE';
    let message = info.lastError?.message ?? 'No answer';
    if (code === 'COMFY_TLS_UNTRUSTED') {
      const presented = await presentedFingerprint(server.baseUrl, timeoutMs);
      if (presented) message += `. The certificate presented has SHA-256 ${presented}: if that is your server's own, enter it as the trusted certificate.`;
    }
    return { ok: false, code, message };
  } finally {
    await backend.stop().catch(() => undefined);
  }
}

/** Failures that may be a proxy refusing the upgrade: the connection tries once more before it polls instead. */
const MAYBE_NO_SOCKET = new Set(['COMFY_UNREACHABLE', 'COMFY_CONNECT_TIMEOUT', 'COMFY_SOCKET_CLOSED']);

/**
 * Starts the backend and waits for its first connected state, or its failure (a failure that may be a refused upgrade
 * is let through once, as the connection gives it a second try); a timeout is a failure too.
 */
function firstVerdict(
  events: { on(event: 'connection', listener: (info: ConnectionInfo) => void): () => void },
  backend: { start(): void },
  timeoutMs: number,
): Promise<ConnectionInfo> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      off();
      resolve({ state: 'offline', lastError: { code: 'COMFY_TIMEOUT', message: `No answer within ${Math.round(timeoutMs / 1000)} s` } });
    }, timeoutMs);
    let maybes = 0;
    const off = events.on('connection', (info) => {
      if (info.state !== 'connected' && info.lastError === undefined) return;
      if (info.state !== 'connected' && MAYBE_NO_SOCKET.has(info.lastError?.code ?? '') && ++maybes < 2) return;
      clearTimeout(timer);
      off();
      resolve(info);
    });
    backend.start();
  });
}
