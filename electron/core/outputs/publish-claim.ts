// Exactly once across a crash between publishing a download under its final name and the journal recording it: the
// journal first notes where the file is about to go and what it is (size, inode, modification time), and on the
// next pass the file found there, still the same, is that download, already saved, not a name to avoid.
import { stat } from 'node:fs/promises';
import type { ClaimedFile } from './saved-stage.js';

/** The claim for publishing `tempPath` (`size` bytes) as `target`: a hard link or a rename keeps inode and mtime. */
export async function claimFor(tempPath: string, target: string, size: number): Promise<ClaimedFile> {
  const { ino, mtimeNs } = await stat(tempPath, { bigint: true });
  return { path: target, size, ...(ino !== 0n && { ino: ino.toString() }), mtimeNs: mtimeNs.toString() };
}

/** True when the claimed file is on disk as it was published; another file at that path (or a changed one) is not. */
export async function claimHolds(claim: ClaimedFile): Promise<boolean> {
  const found = await stat(claim.path, { bigint: true }).catch(() => undefined);
  if (!found?.isFile() || found.size !== BigInt(claim.size)) return false;
  // Some file systems report no inode: then the other marks are all there is to go by.
  if (claim.ino !== undefined && found.ino !== 0n && found.ino.toString() !== claim.ino) return false;
  return claim.mtimeNs === undefined || found.mtimeNs.toString() === claim.mtimeNs;
}
