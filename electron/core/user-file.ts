// Reading a file the user named (a workflow on the command line, a file opened with the app): only a regular file,
// and never more than a cap, counted in bytes actually read. The size `stat` reports is only a hint: a file can grow
// while it is read, `/proc` files report 0, and a device such as /dev/zero never ends.
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { errorMessage } from './errors.js';

export type UserFileRead =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly reason: 'missing' | 'not-a-file' | 'too-large' | 'unreadable'; readonly message: string };

/** Bytes asked for per read when the size hint says nothing useful. */
const FIRST_READ = 64 * 1024;

/** Never throws: a failure comes back with why (the caller words it and picks its code). */
export async function readUserFile(path: string, maxBytes: number): Promise<UserFileRead> {
  let handle: FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever; on a regular file it
    // changes nothing. (Windows has no such flag and no FIFOs to open this way.)
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') return notAFile();
    return { ok: false, reason: code === 'ENOENT' ? 'missing' : 'unreadable', message: errorMessage(error) };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return notAFile();
    return await readCapped(handle, info.size, maxBytes);
  } catch (error) {
    return { ok: false, reason: 'unreadable', message: errorMessage(error) };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function notAFile(): UserFileRead {
  return { ok: false, reason: 'not-a-file', message: 'not a regular file (a folder, a device or a pipe)' };
}

/** Reads to the end, or stops at the first byte past `maxBytes`; the buffer starts at the size hint and grows. */
async function readCapped(handle: FileHandle, sizeHint: number, maxBytes: number): Promise<UserFileRead> {
  const limit = maxBytes + 1;
  let buffer = Buffer.allocUnsafe(Math.min(limit, Math.max(sizeHint + 1, FIRST_READ)));
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length >= limit) break;
      const grown = Buffer.allocUnsafe(Math.min(limit, buffer.length * 2));
      buffer.copy(grown, 0, 0, length);
      buffer = grown;
    }
    const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
    if (bytesRead === 0) break;
    length += bytesRead;
  }
  if (length > maxBytes) return { ok: false, reason: 'too-large', message: `larger than ${describeBytes(maxBytes)}` };
  return { ok: true, bytes: buffer.subarray(0, length) };
}

export function describeBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 * 1024) return `${Math.round((bytes / (1024 * 1024 * 1024)) * 10) / 10} GiB`;
  if (bytes >= 1024 * 1024) return `${Math.round(bytes / (1024 * 1024))} MiB`;
  return `${bytes} bytes`;
}
