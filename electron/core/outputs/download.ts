// One output file from the server's stream to a temporary file, streamed (never the whole file in memory) and
// flushed to disk, with the bytes untouched. A download the network cut keeps its temporary file, so the next try
// asks only for the rest (`Range`), and only from the same version of the file; every other failure ends in a coded
// error and no temporary file.
import type { FileHandle } from 'node:fs/promises';
import { open, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ComfyTrayError, HttpStatusError } from '../errors.js';
import { networkError } from '../comfy/http-client.js';
import { ensureRoom, FREE_SPACE_CHECK_BYTES, tooLarge, type DownloadLimits } from './download-limits.js';
import { fsError } from './path-safety.js';
import type { OutputRange, OutputStream } from '../jobs/backend.js';

export type WriteStreamFactory = (handle: FileHandle, path: string) => Writable;

/** The file's first `bytes` bytes in a temporary file, and what it takes to ask the server for the rest. */
export interface PartialDownload {
  readonly path: string;
  readonly bytes: number;
  /** The whole file's size, as the server declared it. */
  readonly total: number;
  /** The version of the file those bytes came from (at least one of the two is known). */
  readonly etag?: string;
  readonly lastModified?: string;
}

/** Asks the server for the file (or its tail); `signal` ends the request when the saver stops. */
export type FetchOutput = (range: OutputRange | undefined, signal: AbortSignal) => Promise<OutputStream>;

export interface DownloadOptions {
  readonly signal: AbortSignal;
  /** Where the bytes go (tests inject a failing disk); default: the temporary file's own stream. */
  readonly createWriteStream?: WriteStreamFactory;
  /** For messages only. */
  readonly what: string;
  /** An earlier try of the same file, whose part is at `tempPath`: continue it instead of starting at byte 0. */
  readonly resume?: PartialDownload;
  /** Called instead of removing the temporary file when a network failure left a part worth continuing. */
  readonly onInterrupted?: (partial: PartialDownload) => void;
  /** The most the file may be, and the free space it must leave (OUTPUT_TOO_LARGE / OUTPUT_DISK_FULL otherwise). */
  readonly limits: DownloadLimits;
}

// Errors the sink (the disk) raises, as opposed to the source (the network).
const FS_CODES = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'EACCES', 'EPERM', 'EROFS', 'ENOENT', 'ENOTDIR', 'EIO', 'ENODEV', 'ENXIO', 'EISDIR', 'EMFILE', 'ENFILE', 'EBADF', 'ENAMETOOLONG', 'EINVAL']);
/** Failures of the connection, after which the same file can be asked for again from where it stopped. */
const RESUMABLE_CODES = new Set(['COMFY_UNREACHABLE', 'COMFY_TIMEOUT', 'COMFY_SOCKET_CLOSED', 'OUTPUT_TRUNCATED']);

/**
 * Downloads into `tempPath` (created exclusively, or continued from `options.resume`) and returns the file's size.
 * On failure the temporary file is removed, unless `onInterrupted` was called with what it holds.
 */
export async function downloadTo(fetch: FetchOutput, tempPath: string, options: DownloadOptions): Promise<number> {
  const resume = options.resume && (await partOnDisk(options.resume, tempPath));
  /** Throws the coded failure, keeping `part` for the next try when the network (not the disk) failed. */
  const fail = async (error: unknown, coded: ComfyTrayError, part: PartialDownload | undefined): Promise<never> => {
    if (!options.signal.aborted && part && options.onInterrupted && continuable(coded, part)) options.onInterrupted(part);
    else await rm(tempPath, { force: true }).catch(() => undefined);
    throw options.signal.aborted ? error : coded;
  };

  const folder = dirname(tempPath);
  let source: OutputStream;
  let continued: PartialDownload | undefined;
  try {
    // A disk already at its floor is not asked to take more: nothing is fetched.
    await ensureRoom(folder, 0, options.limits, options.what);
    ({ source, continued } = await respond(fetch, tempPath, resume, options.signal));
  } catch (error) {
    // The part is still worth keeping unless it was dropped on the way (the file changed on the server).
    const kept = resume && (await stat(tempPath).then(() => true, () => false)) ? resume : undefined;
    return fail(error, fetchFailure(error, options.what), kept);
  }
  const { body } = source;
  // The connection can fail before the pipeline below listens (the temporary file is opened first): keep that error
  // from crashing the process; the pipeline still sees it, as the stream's stored error.
  body.on('error', () => undefined);
  const start = continued?.bytes ?? 0;
  const total = source.range?.total ?? source.size;
  const version = continued ?? { etag: source.etag, lastModified: source.lastModified };
  const { limits } = options;
  try {
    // A declared size says it all before a byte is written.
    if (total !== undefined && total > limits.maxBytes) throw tooLarge(options.what, limits.maxBytes, total);
    if (total !== undefined) await ensureRoom(folder, total - start, limits, options.what);
  } catch (error) {
    body.destroy();
    return fail(error, error as ComfyTrayError, undefined);
  }
  let handle: FileHandle;
  try {
    // Appending to our own part; a new download never takes over a file that is already there.
    handle = await open(tempPath, continued ? 'a' : 'wx');
  } catch (error) {
    body.destroy();
    return fail(error, fsError(error, `Could not create a file beside ${options.what}`), undefined);
  }
  let received = 0;
  let nextRoomCheck = FREE_SPACE_CHECK_BYTES;
  // Counts what arrives, whatever was declared: a server can stream past its Content-Length, or send none and never
  // end. Past the cap, or once the disk nears its floor, the download stops.
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      if (start + received > limits.maxBytes) return done(tooLarge(options.what, limits.maxBytes));
      if (received < nextRoomCheck) return done(null, chunk);
      nextRoomCheck = received + FREE_SPACE_CHECK_BYTES;
      ensureRoom(folder, total === undefined ? chunk.length : total - start - received + chunk.length, limits, options.what).then(() => done(null, chunk), done);
    },
  });
  try {
    try {
      const sink = options.createWriteStream?.(handle, tempPath) ?? fileSink(handle);
      await pipeline(body, counter, sink, { signal: options.signal });
    } finally {
      // Waits for a write still in flight, so the size on disk below is what was really written.
      await handle.close().catch(() => undefined);
    }
    if (total !== undefined && start + received !== total) {
      throw new ComfyTrayError('OUTPUT_TRUNCATED', `${options.what}: received ${start + received} of ${total} bytes`);
    }
    return start + received;
  } catch (error) {
    const held = await stat(tempPath).then((s) => s.size, () => undefined);
    const part = total !== undefined && held !== undefined ? withVersion({ path: tempPath, bytes: held, total }, version) : undefined;
    return fail(error, streamFailure(error, start + received, total, options.what), part);
  }
}

/**
 * The answer to continue `resume` with, or the whole file. The part is dropped when the server cannot continue
 * it: the file changed (other validators, another size), or the server answered with the whole file.
 */
async function respond(fetch: FetchOutput, tempPath: string, resume: PartialDownload | undefined, signal: AbortSignal): Promise<{ source: OutputStream; continued?: PartialDownload }> {
  if (resume) {
    let answer: OutputStream | undefined;
    try {
      answer = await abortable(fetch({ from: resume.bytes, ...ifRange(resume) }, signal), signal);
    } catch (error) {
      // 416: the file is now shorter than the part; any other failure leaves the part as good as it was.
      if (!(error instanceof HttpStatusError && error.status === 416)) throw error;
    }
    if (answer && continues(resume, answer)) return { source: answer, continued: resume };
    await rm(tempPath, { force: true });
    if (answer && answer.range === undefined) return { source: answer };
    if (answer) discard(answer.body);
  }
  return { source: await abortable(fetch(undefined, signal), signal) };
}

/**
 * The validator sent as `If-Range`. ComfyUI's /view (aiohttp's FileResponse) reads If-Range as a date only: an
 * ETag there is ignored and the range served whatever the file now is, so the date goes first. The answer's
 * validators are compared here as well (`continues`), which also catches a file replaced within the same second.
 */
function ifRange(part: PartialDownload): { ifRange?: string } {
  if (part.lastModified !== undefined) return { ifRange: part.lastModified };
  // A weak ETag must not be used for a range (RFC 9110 §13.1.5).
  if (part.etag !== undefined && !part.etag.startsWith('W/')) return { ifRange: part.etag };
  return {};
}

/** True when the answer is the rest of the same file: it starts where the part ends and has the same validators. */
function continues(part: PartialDownload, answer: OutputStream): boolean {
  const range = answer.range;
  if (!range || range.start !== part.bytes || range.total !== part.total) return false;
  if (answer.size !== undefined && answer.size !== range.total - range.start) return false;
  let compared = false;
  for (const key of ['etag', 'lastModified'] as const) {
    const mine = part[key];
    const theirs = answer[key];
    if (mine === undefined || theirs === undefined) continue;
    if (mine !== theirs) return false;
    compared = true;
  }
  return compared;
}

/** Worth asking for the rest: the connection failed, not the disk, with bytes on disk and a version to check. */
function continuable(error: ComfyTrayError, part: PartialDownload): boolean {
  const network = RESUMABLE_CODES.has(error.code) || (error instanceof HttpStatusError && error.status >= 500);
  return network && part.bytes > 0 && part.bytes < part.total && (part.etag !== undefined || part.lastModified !== undefined);
}

/** The part as it is on disk (its size is the truth); undefined, and the file removed, when it is unusable. */
async function partOnDisk(part: PartialDownload, tempPath: string): Promise<PartialDownload | undefined> {
  const size = await stat(tempPath).then((s) => s.size, () => undefined);
  if (part.path === tempPath && size !== undefined && size > 0 && size < part.total) return { ...part, bytes: size };
  await rm(tempPath, { force: true }).catch(() => undefined);
  return undefined;
}

function withVersion(part: Omit<PartialDownload, 'etag' | 'lastModified'>, version: { etag?: string | undefined; lastModified?: string | undefined }): PartialDownload {
  return { ...part, ...(version.etag !== undefined && { etag: version.etag }), ...(version.lastModified !== undefined && { lastModified: version.lastModified }) };
}

function fetchFailure(error: unknown, what: string): ComfyTrayError {
  if (error instanceof HttpStatusError && error.status === 404) {
    return new ComfyTrayError('OUTPUT_NOT_FOUND', `${what} is no longer on the server (HTTP 404)`, { cause: error });
  }
  // ComfyUI's /view refuses a name with `..` or starting with `/`, or an unknown type: that file is never served.
  if (error instanceof HttpStatusError && error.status === 400) {
    return new ComfyTrayError('OUTPUT_NOT_FOUND', `${what} cannot be downloaded: the server refuses its name (HTTP 400)`, { cause: error });
  }
  return error instanceof ComfyTrayError ? error : networkError(error, what);
}

function streamFailure(error: unknown, bytes: number, expected: number | undefined, what: string): ComfyTrayError {
  if (error instanceof ComfyTrayError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined && FS_CODES.has(code)) return fsError(error, `Could not write ${what}`);
  if (expected !== undefined && bytes < expected) {
    return new ComfyTrayError('OUTPUT_TRUNCATED', `${what}: the server stopped after ${bytes} of ${expected} bytes`, { cause: error });
  }
  return networkError(error, what);
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

/** Closes a body nobody will read; the HTTP client then reports an abort, which is expected here. */
function discard(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}

/** Stops waiting for the response when stopping; a stream that still arrives is closed at once. */
function abortable(pending: Promise<OutputStream>, signal: AbortSignal): Promise<OutputStream> {
  if (signal.aborted) {
    pending.then((stream) => discard(stream.body), () => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      pending.then((stream) => discard(stream.body), () => undefined);
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
