// What a Test connection says, in the form's words: what was reached (and its version and features), or what failed,
// why (the exact error, with its code) and what to check first.
import type { ConnectionTestResult } from '../../electron/shared/ipc-contract.js';

export interface ConnectionTestText {
  readonly ok: boolean;
  readonly headline: string;
  /** The features found, or the exact error with its code. */
  readonly detail: string;
  readonly hint?: string;
}

const HINTS: Record<string, (url: string) => { headline: string; hint: string }> = {
  COMFY_UNREACHABLE: (url) => ({
    headline: `Nothing answered at ${url}`,
    hint: 'Is ComfyUI running there? On another machine it must be started with --listen, and its port must be open in the firewall.',
  }),
  COMFY_TIMEOUT: (url) => ({ headline: `${url} did not answer in time`, hint: 'The server, or a proxy in between, is not answering. Try again in a moment, or check the proxy.' }),
  COMFY_AUTH_FAILED: (url) => ({ headline: `${url} refused the credentials`, hint: 'Check the authentication method and the user name, password, token or key.' }),
  COMFY_INCOMPATIBLE: (url) => ({ headline: `Something answered at ${url}, but not ComfyUI`, hint: 'Check the address, and the path prefix if ComfyUI is behind a proxy.' }),
  COMFY_HTTP_STATUS: (url) => ({ headline: `${url} answered with an error`, hint: 'A proxy in front of ComfyUI may be refusing the request; the error says which.' }),
  COMFY_BAD_RESPONSE: (url) => ({ headline: `${url} sent something unexpected`, hint: 'It may not be ComfyUI, or a proxy is rewriting its answers.' }),
};

export function connectionTestText(result: ConnectionTestResult, url: string): ConnectionTestText {
  if (result.ok) {
    const caps = result.capabilities;
    const features = [caps.jobsApi && 'job list API', caps.cancelEndpoint && 'cancel endpoint', caps.targetedInterrupt && 'targeted interrupt', caps.supportsPreviewMetadata && 'preview metadata'].filter(
      (feature): feature is string => typeof feature === 'string',
    );
    return {
      ok: true,
      headline: `Connected to ComfyUI ${result.version ?? '(version not given)'} at ${url}`,
      detail: features.length > 0 ? `Supports: ${features.join(', ')}.` : 'An older server: jobs are followed through /queue and /history.',
    };
  }
  const known = HINTS[result.code]?.(url);
  return {
    ok: false,
    headline: known?.headline ?? 'The test failed',
    detail: `${result.message} (${result.code})`,
    ...(known && { hint: known.hint }),
  };
}
