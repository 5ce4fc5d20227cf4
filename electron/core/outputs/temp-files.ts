// The temporary files a download or a job file is written to before it takes its final name, beside it in the
// user's folder. Each is named after what it is for (server, job, output), so a later pass can find and remove what
// a killed process left for that same output, including the hard link a crash between publishing and cleaning up
// leaves next to the published file.
import { createHash, randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

const TEMP_PREFIX = '.comfy-tray-';

/** The start of every temporary file name for one output (`key`: its saved key, or the sidecar's) of one job. */
export function tempPrefix(serverId: string, jobId: string, key: string): string {
  const tag = createHash('sha256').update(`${serverId}\u0000${jobId}\u0000${key}`).digest('hex').slice(0, 12);
  return `${TEMP_PREFIX}${tag}-`;
}

/** A new temporary file name in `dir` for that output. */
export function newTempPath(dir: string, prefix: string): string {
  return join(dir, `${prefix}${randomBytes(4).toString('hex')}.part`);
}

/**
 * Removes the temporary files a killed process left in `dir` for that output (graceful stops remove their own),
 * except `keep`, the part this run is continuing. A killed process's part is not continued: its last writes may
 * never have reached the disk.
 */
export async function removeStaleTemps(dir: string, prefix: string, keep?: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const stale = names.filter((n) => n.startsWith(prefix) && join(dir, n) !== keep);
  await Promise.all(stale.map((n) => rm(join(dir, n), { force: true }).catch(() => undefined)));
}
