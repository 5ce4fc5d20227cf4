// One output file from the server's stream to a temporary file, streamed (never the whole file in memory) and
// flushed to disk, with the bytes untouched. Every way it can go wrong ends in a coded error and no temporary file.
import type { FileHandle } from 'node:fs/promises';
import { open, rm } from 'node:fs/promises';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ComfyTrayError, HttpStatusError } from '../errors.js';
import { networkError } from '../comfy/http-client.js';
import { fsError } from './path-safety.js';
import type { OutputStream } from '../jobs/backend.js';

export type WriteStreamFactory = (handle: FileHandle, path: string) => Writable;

export interface DownloadOptions {
  readonly signal: AbortSignal;
  /** Where the bytes go (tests inject a failing disk); default: the temporary file's own stream. */
  readonly createWriteStream?: WriteStreamFactory;
  /** For messages only. */
  readonly what: string;
}

// Errors the sink (the disk) raises, as opposed to the source (the network).
const FS_CODES = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'EACCES', 'EPERM', 'EROFS', 'ENOENT', 'ENOTDIR', 'EIO', 'ENODEV', 'ENXIO', 'EISDIR', 'EMFILE', 'ENFILE', 'EBADF']);

/** Downloads into `tempPath` (created exclusively) and returns the byte count; on any failure the file is removed. */
export async function downloadTo(fetch: () => Promise<OutputStream>, tempPath: string, options: DownloadOptions): Promise<number> {
  let source: Readable;
  let expected: number | undefined;
  try {
    ({ body: source, size: expected } = await abortable(fetch(), options.signal));
  } catch (error) {
    if (options.signal.aborted) throw error;
    if (error instanceof HttpStatusError && (error.status === 404 || error.status === 400)) {
      throw new ComfyTrayError('OUTPUT_NOT_FOUND', `The server has no file ${options.what} (HTTP ${error.status})`, { cause: error });
    }
    throw error instanceof ComfyTrayError ? error : networkError(error, options.what);
  }
  // The connection can fail before the pipeline below listens (the temporary file is opened first): keep that error
  // from crashing the process; the pipeline still sees it, as the stream's stored error.
  source.on('error', () => undefined);
  let handle: FileHandle;
  try {
    handle = await open(tempPath, 'wx');
  } catch (error) {
    source.destroy();
    throw fsError(error, `Could not create a file beside ${options.what}`);
  }
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  try {
    try {
      const sink = options.createWriteStream?.(handle, tempPath) ?? fileSink(handle);
      await pipeline(source, counter, sink, { signal: options.signal });
    } finally {
      await handle.close().catch(() => undefined);
    }
    if (expected !== undefined && bytes !== expected) {
      throw new ComfyTrayError('OUTPUT_TRUNCATED', `${options.what}: received ${bytes} of ${expected} bytes`);
    }
    return bytes;
  } catch (error) {
    await rm(tempPath, { force: true }).catch(() => undefined);
    if (options.signal.aborted || error instanceof ComfyTrayError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== undefined && FS_CODES.has(code)) throw fsError(error, `Could not write ${options.what}`);
    if (expected !== undefined && bytes < expected) {
      throw new ComfyTrayError('OUTPUT_TRUNCATED', `${options.what}: the server stopped after ${bytes} of ${expected} bytes`, { cause: error });
    }
    throw networkError(error, options.what);
  }
}

/** Writes to an open file and flushes it to the disk at the end, leaving closing to the caller. */
function fileSink(handle: FileHandle): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      writeAll(handle, chunk).then(() => done(), done);
    },
    final(done) {
      handle.sync().then(() => done(), done);
    },
  });
}

async function writeAll(handle: FileHandle, chunk: Buffer): Promise<void> {
  for (let offset = 0; offset < chunk.length; ) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}

/** Stops waiting for the response when stopping; a stream that still arrives is closed at once. */
function abortable(pending: Promise<OutputStream>, signal: AbortSignal): Promise<OutputStream> {
  if (signal.aborted) {
    pending.then((stream) => stream.body.destroy(), () => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      pending.then((stream) => stream.body.destroy(), () => undefined);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (stream) => {
        signal.removeEventListener('abort', onAbort);
        resolve(stream);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
