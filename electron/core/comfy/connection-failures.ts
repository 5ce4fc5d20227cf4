// Failures that retrying cannot mend: the user has to act (a new key, credits, a subscription, the right certificate).
// A connection that meets one shows it as its state and asks again only slowly, never in a loop.
import type { ErrorCode } from '../errors.js';

const NEEDS_THE_USER: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'COMFY_AUTH_FAILED',
  'COMFY_TLS_UNTRUSTED',
  'COMFY_TLS_FINGERPRINT_MISMATCH',
  'CLOUD_NO_CREDITS',
  'CLOUD_SUBSCRIPTION_INACTIVE',
]);

export function needsTheUser(code: ErrorCode | undefined): boolean {
  return code !== undefined && NEEDS_THE_USER.has(code);
}
