// An output's picture for a thumbnail: from the user's disk when the output was saved (no traffic to a GPU box that
// may be busy or far away), else from the server. Bounded in size (one huge PNG must not take the process's memory)
// and in concurrency (a window scrolling through a long history must not open a hundred downloads at once).
import { setMaxListeners } from 'node:events';
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { OutputRef } from '../../shared/app-state.js';
import { networkError } from '../comfy/http-client.js';
import { HttpStatusError } from '../errors.js';
import type { OutputStream } from '../jobs/backend.js';
import { mayBeImage, sniffImage, type ImageMime } from './image-sniff.js';
import { Limiter } from './limiter.js';
import { sniffMedia, type MediaKind, type MediaMime } from './media-sniff.js';

export interface OutputImage {
  readonly mime: ImageMime;
  readonly bytes: Buffer;
}

export interface OutputImageOptions {
  /** Larger files are not shown (default 24 MiB). */
  readonly maxBytes?: number;
  /** Reads and downloads at a time, all servers together (default 4). */
  readonly concurrency?: number;
}

const DEFAULT_MAX_BYTES = 24 * 1024 * 1024;
const DEFAULT_CONCURRENCY = 4;

/** An output in full for the viewer, or why not. */
export type OutputMedia =
  | { readonly kind: MediaKind; readonly mime: MediaMime; readonly bytes: Buffer; readonly from: 'saved' | 'server' }
  | { readonly unavailable: 'too-large' | 'not-media' | 'gone' };

type Read = { readonly bytes: Buffer } | 'too-large' | 'unavailable';

export class OutputImageLoader {
  private readonly limiter: Limiter;
  private readonly maxBytes: number;
  private readonly abort = new AbortController();

  constructor(options: OutputImageOptions = {}) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isSafeInteger(this.maxBytes) || this.maxBytes < 1) throw new RangeError('OutputImageLoader: maxBytes must be a positive integer');
    if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new RangeError('OutputImageLoader: concurrency must be a positive integer');
    this.limiter = new Limiter(concurrency);
    // Every download in flight listens to this one signal: more than ten at a time is normal, not the leak Node
    // warns about.
    setMaxListeners(0, this.abort.signal);
  }

  /**
   * Ends the downloads in flight (their loads give no image) and keeps later loads to saved files: quitting must not
   * wait for a server that is slow to answer a thumbnail.
   */
  stop(): void {
    this.abort.abort();
  }

  /** Ends with `stop`, like the loader's own downloads. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /**
   * The image, or undefined when the output is not one (by name before any byte is read, by content after), is
   * larger than the cap, or is gone from the server. Throws a ComfyTrayError when the server cannot be reached.
   * `fetch` gets the signal that ends its request when the loader stops.
   */
  async load(ref: OutputRef, savedPath: string | undefined, fetch: (signal: AbortSignal) => Promise<OutputStream>): Promise<OutputImage | undefined> {
    if (!mayBeImage(ref)) return undefined;
    return this.limiter.run(async () => {
      let read: Read = savedPath === undefined ? 'unavailable' : await readFileCapped(savedPath, this.maxBytes);
      // A saved file the user moved or deleted since: the server may still have it.
      if (read === 'unavailable' && !this.abort.signal.aborted) read = await downloadCapped(fetch, this.maxBytes, this.abort.signal);
      if (typeof read === 'string') return undefined;
      const mime = sniffImage(read.bytes);
      return mime === undefined ? undefined : { mime, bytes: read.bytes };
    });
  }
}

/**
 * An output in full (an image, a video, an audio file) for the window's viewer: the saved file when there is one, else
 * the server's, up to `maxBytes`; its type from its bytes. Not limited by the thumbnail loader's concurrency (the
 * viewer shows one at a time), but ended by its `stop` like every download.
 */
export async function loadOutputMedia(
  savedPath: string | undefined,
  fetch: (signal: AbortSignal) => Promise<OutputStream>,
  maxBytes: number,
  signal: AbortSignal,
): Promise<OutputMedia> {
  let read: Read = savedPath === undefined ? 'unavailable' : await readFileCapped(savedPath, maxBytes);
  const from = read === 'unavailable' ? 'server' : 'saved';
  if (read === 'unavailable' && !signal.aborted) read = await downloadCapped(fetch, maxBytes, signal);
  if (read === 'too-large') return { unavailable: 'too-large' };
  if (read === 'unavailable') return { unavailable: 'gone' };
  const media = sniffMedia(read.bytes);
  return media ? { ...media, bytes: read.bytes, from } : { unavailable: 'not-media' };
}

async function readFileCapped(path: string, maxBytes: number): Promise<Read> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch {
    return 'unavailable';
  }
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) return 'too-large';
    // Read one byte more than the size said: a file still growing is caught rather than cut.
    const buffer = Buffer.alloc(size + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) return 'too-large';
    return { bytes: buffer.subarray(0, length) };
  } catch {
    return 'unavailable';
  } finally {
    await handle.close().catch(() => undefined);
  }
}

async function downloadCapped(fetch: (signal: AbortSignal) => Promise<OutputStream>, maxBytes: number, signal: AbortSignal): Promise<Read> {
  let stream: OutputStream;
  try {
    stream = await fetch(signal);
  } catch (error) {
    if (signal.aborted || (error instanceof HttpStatusError && (error.status === 404 || error.status === 400))) return 'unavailable';
    throw error;
  }
  // Destroying a response body makes it emit an abort error: expected here, and must not crash the process.
  stream.body.on('error', () => undefined);
  // The declared size is only a hint for refusing early; the bytes actually received are what is capped.
  if (stream.size !== undefined && stream.size > maxBytes) {
    stream.body.destroy();
    return 'too-large';
  }
  const { body } = stream;
  const onAbort = (): void => {
    body.destroy();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await readStreamCapped(body, maxBytes, signal);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

async function readStreamCapped(body: Readable, maxBytes: number, signal: AbortSignal): Promise<Read> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of body) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      total += buffer.length;
      if (total > maxBytes) {
        body.destroy();
        return 'too-large';
      }
      chunks.push(buffer);
    }
  } catch (cause) {
    if (signal.aborted) return 'unavailable';
    throw networkError(cause, `an output download (broke off after ${total} bytes)`);
  }
  return { bytes: Buffer.concat(chunks, total) };
}
