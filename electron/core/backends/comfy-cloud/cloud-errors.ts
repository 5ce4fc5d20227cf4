// Comfy Cloud's statuses say more than HTTP's: 402 is no credits left, 429 a subscription that is not active (not
// rate limiting), 403 another user's job. Each becomes an error with its own code and a sentence the user can act on.
import { HttpStatusError, type ErrorCode } from '../../errors.js';

const MEANINGS: Readonly<Record<number, { code: ErrorCode; sentence: string }>> = {
  401: { code: 'COMFY_AUTH_FAILED', sentence: 'Comfy Cloud refused the API key (HTTP 401); check it, or create a new one at platform.comfy.org.' },
  402: { code: 'CLOUD_NO_CREDITS', sentence: 'your Comfy Cloud account has no credits left (HTTP 402); add credits to run and follow jobs.' },
  403: { code: 'CLOUD_JOB_FORBIDDEN', sentence: 'this job belongs to another Comfy Cloud user (HTTP 403).' },
  429: { code: 'CLOUD_SUBSCRIPTION_INACTIVE', sentence: 'your Comfy Cloud subscription is not active (HTTP 429); the API needs a paid plan.' },
};

/** `error` with Comfy Cloud's meaning of its status, when it has one; anything else unchanged. `what` names the request. */
export function cloudError(error: unknown, what: string): unknown {
  if (!(error instanceof HttpStatusError)) return error;
  const meaning = MEANINGS[error.status];
  if (!meaning) return error;
  return new HttpStatusError(error.status, what, error.body, { code: meaning.code, message: `${what}: ${meaning.sentence}` });
}

/** Runs one request to Comfy Cloud, giving a refusal its meaning. */
export async function askCloud<T>(what: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw cloudError(error, what);
  }
}
