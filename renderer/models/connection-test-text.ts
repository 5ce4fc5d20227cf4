// What a Test connection says, in the form's words: what was reached (and its version and features, or that a hosted
// service took the key), or what failed, why (the exact error, with its code) and what to check first. A connection
// that works only by polling (a proxy refuses WebSockets) is reached, with a warning.
import type { ServerKind } from '../../electron/shared/app-state.js';
import type { ConnectionTestResult } from '../../electron/shared/ipc-contract.js';
import { KIND_NAMES } from '../format.js';

export interface ConnectionTestText {
  readonly ok: boolean;
  /** Reached, but not fully: without live events (followed by polling). */
  readonly warning?: true;
  readonly headline: string;
  /** The features found, or the exact error with its code. */
  readonly detail: string;
  readonly hint?: string;
}

type Hint = (url: string) => { headline: string; hint: string };

/** The same failure means other things to check on a ComfyUI of the user's than on a hosted service. */
const COMFYUI_HINTS: Record<string, Hint> = {
  COMFY_UNREACHABLE: (url) => ({
    headline: `Nothing answered at ${url}`,
    hint: 'Is ComfyUI running there? On another machine it must be started with --listen, and its port must be open in the firewall.',
  }),
  COMFY_TIMEOUT: (url) => ({ headline: `${url} did not answer in time`, hint: 'The server, or a proxy in between, is not answering. Try again in a moment, or check the proxy.' }),
  COMFY_AUTH_FAILED: (url) => ({ headline: `${url} refused the credentials`, hint: 'Check the authentication method and the user name, password, token or key.' }),
  COMFY_INCOMPATIBLE: (url) => ({ headline: `Something answered at ${url}, but not ComfyUI`, hint: 'Check the address, and the path prefix if ComfyUI is behind a proxy.' }),
  COMFY_HTTP_STATUS: (url) => ({ headline: `${url} answered with an error`, hint: 'A proxy in front of ComfyUI may be refusing the request; the error says which.' }),
  COMFY_BAD_RESPONSE: (url) => ({ headline: `${url} sent something unexpected`, hint: 'It may not be ComfyUI, or a proxy is rewriting its answers.' }),
  COMFY_TLS_UNTRUSTED: (url) => ({ headline: `${url} has a certificate this computer does not trust`, hint: 'If it is your server’s own self-signed certificate, enter the fingerprint the error names as the trusted certificate.' }),
  COMFY_TLS_FINGERPRINT_MISMATCH: (url) => ({ headline: `${url} presented another certificate than the trusted one`, hint: 'If the server’s certificate was renewed, enter its new fingerprint; otherwise something is in between.' }),
};

const HOSTED_HINTS: Record<string, Hint> = {
  COMFY_UNREACHABLE: (url) => ({ headline: `Nothing answered at ${url}`, hint: 'Check the address and this computer’s internet connection.' }),
  COMFY_TIMEOUT: (url) => ({ headline: `${url} did not answer in time`, hint: 'The service is slow or unreachable right now. Try again in a moment.' }),
  COMFY_AUTH_FAILED: (url) => ({ headline: `${url} refused the key`, hint: 'Check the key or token: copy it again from the service’s settings.' }),
  CLOUD_NO_CREDITS: () => ({ headline: 'The key works, but the account has no credits left', hint: 'Add credits in Comfy Cloud; jobs are followed again at once.' }),
  CLOUD_SUBSCRIPTION_INACTIVE: () => ({ headline: 'The key works, but the subscription is not active', hint: 'Renew the subscription in Comfy Cloud.' }),
};

export function connectionTestText(result: ConnectionTestResult, url: string, kind: ServerKind = 'comfyui'): ConnectionTestText {
  if (result.ok && kind !== 'comfyui') {
    return {
      ok: true,
      headline: `Connected to ${KIND_NAMES[kind]}: the ${kind === 'comfy-cloud' ? 'API key' : 'token'} works`,
      detail: kind === 'comfy-cloud' ? 'Every job of the account is followed.' : 'Runs are added by their id in the queue window.',
    };
  }
  if (result.ok) {
    const caps = result.capabilities;
    const features = [caps.jobsApi && 'job list API', caps.cancelEndpoint && 'cancel endpoint', caps.targetedInterrupt && 'targeted interrupt', caps.supportsPreviewMetadata && 'preview metadata'].filter(
      (feature): feature is string => typeof feature === 'string',
    );
    return {
      ok: true,
      ...(result.degraded && { warning: true as const }),
      headline: `Connected to ComfyUI ${result.version ?? '(version not given)'} at ${url}${result.degraded ? ', without live events' : ''}`,
      detail: features.length > 0 ? `Supports: ${features.join(', ')}.` : 'An older server: jobs are followed through /queue and /history.',
      ...(result.degraded && { hint: `${result.degraded.message}: jobs are followed by polling, without progress or previews. A proxy in between may be refusing WebSockets.` }),
    };
  }
  const known = (kind === 'comfyui' ? COMFYUI_HINTS : HOSTED_HINTS)[result.code]?.(url);
  return {
    ok: false,
    headline: known?.headline ?? 'The test failed',
    detail: `${result.message} (${result.code})`,
    ...(known && { hint: known.hint }),
  };
}
