// How a failed save is retried: within a pass (a few quick tries of one file), on a timer (the whole job, with
// backoff), or only when something changes (a reconnect, a restart) because waiting cannot fix it; and when a file
// the server no longer has is given up.
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
 * How many passes may find a file missing on the server (404) before it is given up: the first, then reconnects and
 * restarts (a server restored from a backup, a drive mounted again). Never on a timer: waiting alone does not bring
 * a deleted file back, and a job kept retrying forever would also be kept in the journal forever. Passes alone are
 * not enough: reconnects come in bursts, so some time must also have gone by since the first (`giveUpAfterMs`).
 */
export const NOT_FOUND_PASSES = 3;
/** The default `giveUpAfterMs`: longer than restoring a backup or getting a drive mounted again usually takes. */
export const GIVE_UP_AFTER_MS = 6 * 60 * 60_000;

/**
 * The server answered that the file does not exist (it was deleted, or the server's output folder changed), or
 * refuses its name (`refusedName`): either way the same request fails again until something changes.
 */
export function notFound(error: ComfyTrayError): boolean {
  return error.code === 'OUTPUT_NOT_FOUND';
}

/** The server refuses the file's name (HTTP 400 on /view: a name with `..`, an unknown type): it never serves it. */
export function refusedName(error: ComfyTrayError): boolean {
  return notFound(error) && error.cause instanceof HttpStatusError && error.cause.status === 400;
}

/**
 * Not worth a timer: the path is refused as such (too long, invalid) or leads outside the folder, or the server has
 * no such file. A reconnect or a restart still tries again, after the user may have changed the folder, the template
 * or the link, or put the file back.
 */
export function permanent(error: ComfyTrayError): boolean {
  if (error.code === 'OUTPUT_PATH_ESCAPE' || notFound(error)) return true;
  if (error.code !== 'OUTPUT_WRITE_FAILED') return false;
  for (let cause: unknown = error.cause, depth = 0; cause instanceof Error && depth < 5; depth++) {
    const errno = (cause as NodeJS.ErrnoException).code;
    if (errno !== undefined && PERMANENT_ERRNOS.has(errno)) return true;
    cause = cause.cause;
  }
  return false;
}
