// Whether two files hold exactly the same bytes: how a finished download is recognised as the file already saved
// under its name (a restart that lost the journal's record of it announces the job again; it must not be saved a
// second time as "name (1)").
import type { FileHandle } from 'node:fs/promises';
import { lstat, open } from 'node:fs/promises';

const CHUNK_BYTES = 1024 * 1024;

/**
 * True when `existing` is a regular file (not a link to one) with the size and the bytes of `candidate`. Anything
 * that cannot be read counts as different: the caller then saves under another name, as it would have anyway.
 */
export async function sameBytes(candidate: string, existing: string): Promise<boolean> {
  const [a, b] = await Promise.all([lstat(candidate).catch(() => undefined), lstat(existing).catch(() => undefined)]);
  if (!a?.isFile() || !b?.isFile() || a.size !== b.size) return false;
  let first: FileHandle | undefined;
  let second: FileHandle | undefined;
  try {
    first = await open(candidate, 'r');
    second = await open(existing, 'r');
    const x = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(a.size, 1)));
    const y = Buffer.allocUnsafe(x.length);
    for (let position = 0; position < a.size; ) {
      const [rx, ry] = await Promise.all([readChunk(first, x, position), readChunk(second, y, position)]);
      // A file that changed size while being read is not the same file.
      if (rx === 0 || rx !== ry || !x.subarray(0, rx).equals(y.subarray(0, ry))) return false;
      position += rx;
    }
    return true;
  } catch {
    return false;
  } finally {
    await first?.close().catch(() => undefined);
    await second?.close().catch(() => undefined);
  }
}

/** Fills `buffer` from `position` as far as the file goes. */
async function readChunk(handle: FileHandle, buffer: Buffer, position: number): Promise<number> {
  let filled = 0;
  while (filled < buffer.length) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}
