// What one download may cost: its size, and how much free space it must leave on the output folder's disk. A server
// that streams without end (or declares a file larger than the disk) is stopped instead of filling the disk, which
// would also stop the journal, the logs and every other app on it.
import { statfs } from 'node:fs/promises';
import { ComfyTrayError } from '../errors.js';
import { describeBytes } from '../user-file.js';

export const GIB = 1024 * 1024 * 1024;
/** Default cap of one output: far above any image or video a ComfyUI job writes. */
export const DEFAULT_MAX_FILE_BYTES = 20 * GIB;
/** Default free space a download must leave on the disk. */
export const DEFAULT_MIN_FREE_BYTES = 1 * GIB;
/** Bytes received between two looks at the free space (a statfs call costs microseconds). */
export const FREE_SPACE_CHECK_BYTES = 8 * 1024 * 1024;

/** Free bytes for this user on the disk holding `folder`. */
export type FreeSpace = (folder: string) => Promise<number>;

export const freeSpace: FreeSpace = async (folder) => {
  const stats = await statfs(folder);
  return stats.bavail * stats.bsize;
};

export interface DownloadLimits {
  readonly maxBytes: number;
  readonly minFreeBytes: number;
  readonly freeSpace: FreeSpace;
}

export function tooLarge(what: string, maxBytes: number, declared?: number): ComfyTrayError {
  const size = declared === undefined ? `is larger than ${describeBytes(maxBytes)}` : `is ${describeBytes(declared)}, more than ${describeBytes(maxBytes)}`;
  return new ComfyTrayError('OUTPUT_TOO_LARGE', `${what} ${size} (the most one output may take); it is not saved`);
}

/**
 * Throws OUTPUT_DISK_FULL when writing `coming` more bytes into `folder` would leave less than the floor free.
 * A disk whose free space cannot be read (some network shares) is not held against the download.
 */
export async function ensureRoom(folder: string, coming: number, limits: DownloadLimits, what: string): Promise<void> {
  let free: number;
  try {
    free = await limits.freeSpace(folder);
  } catch {
    return;
  }
  if (free - coming >= limits.minFreeBytes) return;
  throw new ComfyTrayError(
    'OUTPUT_DISK_FULL',
    `${what}: not saved, the disk would have less than ${describeBytes(limits.minFreeBytes)} free (${describeBytes(Math.max(0, free))} left)`,
  );
}
