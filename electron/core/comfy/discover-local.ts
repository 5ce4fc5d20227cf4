// "Is ComfyUI running on this computer?" for first-run setup: the same probe a real connection makes, against the
// address ComfyUI listens on by default, answered in one sentence a user can act on. Never throws: every outcome is
// data for the settings view.
import type { DiscoveryResult } from '../../shared/ipc-contract.js';
import { errorCode, errorMessage } from '../errors.js';
import { probeServer } from './capabilities.js';
import { ComfyHttp } from './http-client.js';
import { parseBaseUrl, redactedUrl, resolveServer } from './server-config.js';

export const DEFAULT_LOCAL_URL = 'http://127.0.0.1:8188';
const DEFAULT_TIMEOUT_MS = 3_000;
const MAX_TIMEOUT_MS = 60_000;

export async function discoverLocalServer(options: { url?: string; timeoutMs?: number } = {}): Promise<DiscoveryResult> {
  const text = options.url ?? DEFAULT_LOCAL_URL;
  let url: string;
  try {
    // As a user would type it (no credentials, no trailing slash), ready to become a server's address.
    url = redactedUrl(parseBaseUrl(text)).replace(/\/$/, '');
  } catch (error) {
    return { found: false, url: text.slice(0, 200), message: errorMessage(error) };
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TIMEOUT_MS) {
    return { found: false, url, message: `The time allowed must be between 1 ms and ${MAX_TIMEOUT_MS / 1000} s` };
  }
  let http: ComfyHttp;
  try {
    // Credentials in the URL (`user:pass@`) become basic auth, as for a configured server.
    http = new ComfyHttp(resolveServer({ id: 'local-discovery', name: 'Local ComfyUI', url: text }), { timeoutMs, maxBodyBytes: 1024 * 1024 });
  } catch (error) {
    return { found: false, url, message: errorMessage(error) };
  }
  let timer: NodeJS.Timeout | undefined;
  // The probe makes up to three requests, each with this timeout; the whole answer must not take three times as long.
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([probeServer(http, timeoutMs), deadline]);
    if (outcome === 'timeout') return { found: false, url, message: timedOut(url, timeoutMs) };
    return { found: true, url, ...(outcome.version !== undefined && { version: outcome.version }) };
  } catch (error) {
    return { found: false, url, message: explain(error, url, timeoutMs) };
  } finally {
    clearTimeout(timer);
    // Not awaited: closing waits for a request still hanging on a silent server, and the answer is already known.
    http.close().catch(() => undefined);
  }
}

function explain(error: unknown, url: string, timeoutMs: number): string {
  switch (errorCode(error)) {
    case 'COMFY_UNREACHABLE':
      return `Nothing is listening at ${url}. Start ComfyUI, or add your server by its address.`;
    case 'COMFY_TIMEOUT':
      return timedOut(url, timeoutMs);
    case 'COMFY_AUTH_FAILED':
      return `A server at ${url} asks for credentials. Add it with its login or token.`;
    case 'COMFY_INCOMPATIBLE':
    case 'COMFY_BAD_RESPONSE':
    case 'COMFY_HTTP_STATUS':
    case 'COMFY_RESPONSE_TOO_LARGE':
      return `Something answers at ${url}, but it is not ComfyUI.`;
    default:
      return `Could not check ${url}: ${errorMessage(error)}`;
  }
}

function timedOut(url: string, timeoutMs: number): string {
  return `${url} did not answer within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 100) / 10} s`}.`;
}
