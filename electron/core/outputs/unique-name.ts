// Publishing a finished download under its final name without ever overwriting anything: the name is claimed
// atomically by the file system, and a clash moves on to `name (1).ext`, `name (2).ext`… A name that already holds
// exactly the same bytes is that file, saved before: nothing is published again.
import { link, lstat, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ComfyTrayError } from '../errors.js';
import { MAX_COMPONENT_BYTES, splitExtension, truncateUtf8 } from './path-safety.js';
import { sameBytes } from './same-bytes.js';

const MAX_ATTEMPTS = 10_000;
/** Hard links are missing on FAT/exFAT drives and some network shares: claim the name with O_EXCL instead. */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK']);

export function candidateName(name: string, n: number): string {
  if (n === 0) return name;
  const { stem, ext } = splitExtension(name);
  const suffix = ` (${n})${ext}`;
  return truncateUtf8(stem, MAX_COMPONENT_BYTES - Buffer.byteLength(suffix)) + suffix;
}

async function taken(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

export interface Published {
  readonly path: string;
  /** The name already held these very bytes: the temporary file was removed, nothing was published. */
  readonly existing: boolean;
}

/**
 * Moves `tempPath` to a free name in `dir` and returns the path. A hard link is the atomic "rename unless it
 * exists" (the final name never shows a partial file); where links are not supported, the name is reserved with
 * an exclusive create and the finished file renamed over the reservation. `beforeClaim` learns the name about to
 * be taken before it is.
 *
 * A name taken by a file with exactly the bytes of `tempPath` is this file, saved before by a run whose record of it
 * was lost (a journal set aside as damaged announces jobs again): that path is returned and the temporary file
 * removed, rather than a second copy saved as "name (1)". Files of the same size are compared byte for byte.
 */
export async function publishUnique(tempPath: string, dir: string, name: string, beforeClaim?: (target: string) => Promise<void>): Promise<Published> {
  let useLinks = true;
  for (let n = 0; n < MAX_ATTEMPTS; n++) {
    const target = join(dir, candidateName(name, n));
    if (await taken(target)) {
      if (!(await sameBytes(tempPath, target))) continue;
      await unlink(tempPath).catch(() => undefined);
      return { path: target, existing: true };
    }
    // Only a name that looks free is announced: one call per file, not one per name already taken.
    if (beforeClaim) await beforeClaim(target);
    if (useLinks) {
      try {
        await link(tempPath, target);
        await unlink(tempPath).catch(() => undefined);
        return { path: target, existing: false };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? '';
        if (code === 'EEXIST') continue;
        if (!NO_LINKS.has(code)) throw error;
        useLinks = false;
      }
    }
    try {
      const handle = await open(target, 'wx');
      await handle.close();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    await rename(tempPath, target);
    return { path: target, existing: false };
  }
  throw new ComfyTrayError('OUTPUT_WRITE_FAILED', `No free file name for ${name} in ${dir}`);
}
