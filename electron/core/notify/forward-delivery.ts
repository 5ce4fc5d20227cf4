// Sends one forwarding request and says what came of it: delivered, worth trying again (the network, a timeout, a 5xx,
// 408 or 429, with the wait the receiver asked for), or refused for good (any other 4xx: a wrong token or URL, which
// trying again does not fix). Redirects are not followed: a signed body or a token goes to the URL it was set for
// only. Nothing here logs a URL or a header: Discord and Slack URLs and ntfy tokens are credentials.
import { request } from '../comfy/undici-parts.js';
import { networkError } from '../comfy/http-client.js';
import { errorMessage, firstLine } from '../errors.js';
import type { ForwardRequest } from './forward-request.js';

export type DeliveryOutcome =
  | { readonly ok: true; readonly status: number }
  | { readonly ok: false; readonly retry: boolean; readonly retryAfterMs?: number; readonly code: ForwardFailureCode; readonly message: string };

export type ForwardFailureCode = 'FORWARD_UNREACHABLE' | 'FORWARD_TIMEOUT' | 'FORWARD_REFUSED' | 'FORWARD_NOT_CONFIGURED';

export type Send = (request: ForwardRequest, signal: AbortSignal) => Promise<DeliveryOutcome>;

const TIMEOUT_MS = 15_000;
/** What of a receiver's answer is read (its reason, for the message); the rest is thrown away. */
const MAX_ANSWER_BYTES = 4096;

export const httpSend: Send = async (forward, signal) => {
  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  try {
    const answer = await request(forward.url, {
      method: forward.method,
      headers: { 'user-agent': 'Comfy Tray', ...forward.headers },
      body: forward.body,
      signal: AbortSignal.any([signal, timeout]),
      headersTimeout: TIMEOUT_MS,
      bodyTimeout: TIMEOUT_MS,
    });
    const text = await readCapped(answer.body);
    const status = answer.statusCode;
    if (status >= 200 && status < 300) return { ok: true, status };
    const retryAfterMs = retryAfter(answer.headers['retry-after']);
    const retry = status >= 500 || status === 408 || status === 429;
    return {
      ok: false,
      retry,
      ...(retryAfterMs !== undefined && { retryAfterMs }),
      code: 'FORWARD_REFUSED',
      message: `the receiver answered HTTP ${status}${text ? `: ${firstLine(text, 200)}` : ''}`,
    };
  } catch (error) {
    const coded = networkError(error, 'the receiver');
    return { ok: false, retry: true, code: coded.code === 'COMFY_TIMEOUT' ? 'FORWARD_TIMEOUT' : 'FORWARD_UNREACHABLE', message: errorMessage(coded) };
  }
};

async function readCapped(body: AsyncIterable<Buffer | Uint8Array> & { destroy?: () => void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = Buffer.from(chunk);
    chunks.push(buffer);
    size += buffer.length;
    if (size >= MAX_ANSWER_BYTES) {
      body.destroy?.();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8').trim();
}

/** `Retry-After` in seconds (dates are rare from webhook receivers and are ignored). */
function retryAfter(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || !/^\d+$/.test(text.trim())) return undefined;
  return Number(text.trim()) * 1000;
}
