// How a failed save is retried: within a pass (a few quick tries of one file), on a timer (the whole job, with
// backoff), or only when something changes (a reconnect, a restart) because waiting cannot fix it.
import { ComfyTrayError, HttpStatusError, errorMessage } from '../errors.js';

/** The server being away is not a saving failure: it shows as the server's state and resumes on reconnect. */
export const OFFLINE_CODES = new Set(['COMFY_UNREACHABLE', 'COMFY_TIMEOUT', 'COMFY_NOT_CONNECTED', 'COMFY_SOCKET_CLOSED']);
/** A name or path this machine refuses: the same name fails the same way every time. */
const PERMANENT_ERRNOS = new Set(['ENAMETOOLONG', 'EINVAL']);

export function coded(error: unknown): ComfyTrayError {
  if (error instanceof ComfyTrayError) return error;
  return new ComfyTrayError('OUTPUT_WRITE_FAILED', errorMessage(error), { cause: error });
}

/** Worth another quick try of the same file within the pass: the network or the server hiccuped. */
export function retryableNow(error: unknown): boolean {
  if (error instanceof HttpStatusError) return error.status >= 500;
  if (!(error instanceof ComfyTrayError)) return false;
  return OFFLINE_CODES.has(error.code) || error.code === 'OUTPUT_TRUNCATED';
}

/**
 * Not worth a timer: the path is refused as such (too long, invalid) or leads outside the folder. A reconnect or a
 * restart still tries again, after the user may have changed the folder, the template or the link.
 */
export function permanent(error: ComfyTrayError): boolean {
  if (error.code === 'OUTPUT_PATH_ESCAPE') return true;
  if (error.code !== 'OUTPUT_WRITE_FAILED') return false;
  for (let cause: unknown = error.cause, depth = 0; cause instanceof Error && depth < 5; depth++) {
    const errno = (cause as NodeJS.ErrnoException).code;
    if (errno !== undefined && PERMANENT_ERRNOS.has(errno)) return true;
    cause = cause.cause;
  }
  return false;
}
