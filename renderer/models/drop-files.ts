// Reads the bytes of files the user dropped or picked, and only those: the window never opens a path on its own.
// A cap per file keeps one huge video from filling the renderer's memory before the main process could refuse it.
import type { DroppedFile } from '../../electron/shared/ipc-contract.js';

/** What a DOM File offers; a plain object in model tests. */
export interface ReadableFile {
  readonly name: string;
  readonly size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** A file that never reached the main process, with the reason shown to the user. */
export interface RefusedFile {
  readonly name: string;
  readonly code: string;
  readonly message: string;
}

/** The same cap as the main process's inbox (electron/core/submit/inbox.ts), checked before reading a byte. */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;

export function mib(bytes: number): string {
  return `${Math.max(1, Math.round(bytes / (1024 * 1024)))} MiB`;
}

export async function readDropped(files: readonly ReadableFile[], maxBytes = MAX_FILE_BYTES): Promise<{ files: DroppedFile[]; refused: RefusedFile[] }> {
  const read: DroppedFile[] = [];
  const refused: RefusedFile[] = [];
  // One at a time: the peak is the drop itself, never the drop plus every read in flight.
  for (const file of files) {
    if (file.size > maxBytes) {
      refused.push({ name: file.name, code: 'DROP_FILE_TOO_LARGE', message: `${file.name} is ${mib(file.size)}: files above ${mib(maxBytes)} are not read` });
      continue;
    }
    try {
      read.push({ name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) });
    } catch (error) {
      // A dropped folder arrives as a File whose read fails.
      const why = error instanceof Error ? error.message : String(error);
      refused.push({ name: file.name, code: 'DROP_READ_FAILED', message: `${file.name} could not be read (is it a folder?): ${why}` });
    }
  }
  return { files: read, refused };
}
