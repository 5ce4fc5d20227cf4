// aiohttp's FileResponse, which ComfyUI's /view streams plain files with: an ETag made of the modification time in
// nanoseconds and the size, Last-Modified rounded up to the second, Accept-Ranges, and one byte range per request.
// `If-Range` is read as a date only (an ETag there is not understood, so the range is served whatever the file);
// `bytes=N-`, `bytes=N-M` and `bytes=-N` are honoured with 206; a range starting at or past the end, or one that
// does not parse, is 416 with `Content-Range: bytes */size`.
import type { IncomingHttpHeaders } from 'node:http';
import type { SimResponse } from './http.js';

export interface StoredFile {
  readonly data: Buffer;
  readonly mtimeMs: number;
}

export function fileResponse(request: IncomingHttpHeaders, file: StoredFile, contentType: string, headers: Record<string, string>): SimResponse {
  const size = file.data.length;
  // In two parts: nanoseconds since 1970 are beyond a double's exact integers.
  const wholeMs = Math.floor(file.mtimeMs);
  const mtimeNs = BigInt(wholeMs) * 1_000_000n + BigInt(Math.round((file.mtimeMs - wholeMs) * 1e6));
  const validators = {
    ...headers,
    'Accept-Ranges': 'bytes',
    ETag: `"${mtimeNs.toString(16)}-${size.toString(16)}"`,
    'Last-Modified': new Date(Math.ceil(file.mtimeMs / 1000) * 1000).toUTCString(),
  };
  const whole: SimResponse = { status: 200, contentType, body: file.data, headers: validators };
  const ifRange = httpDate(single(request['if-range']));
  // aiohttp compares the float st_mtime with the whole-second date: a file written after it gets the whole file.
  if (ifRange !== undefined && file.mtimeMs / 1000 > ifRange) return whole;
  const header = single(request.range);
  if (header === undefined) return whole;
  const range = parseRange(header);
  const unsatisfiable: SimResponse = { status: 416, contentType, body: Buffer.alloc(0), headers: { ...validators, 'Content-Range': `bytes */${size}` } };
  if (range === undefined) return unsatisfiable;
  let start: number;
  let count: number;
  if (range.start < 0) {
    start = Math.max(0, size + range.start);
    count = size - start;
  } else {
    start = range.start;
    count = Math.min(range.end ?? size, size) - start;
  }
  if (start >= size) return unsatisfiable;
  return {
    status: 206,
    contentType,
    body: file.data.subarray(start, start + count),
    headers: { ...validators, 'Content-Range': `bytes ${start}-${start + count - 1}/${size}` },
  };
}

/** aiohttp's `request.http_range` as a start and an exclusive end (a negative start counts from the end). */
function parseRange(header: string): { start: number; end?: number } | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header);
  if (!match) return undefined;
  const start = match[1] ? Number(match[1]) : undefined;
  const end = match[2] ? Number(match[2]) : undefined;
  if (start === undefined) return end === undefined ? undefined : { start: -end };
  if (end === undefined) return { start };
  return start >= end + 1 ? undefined : { start, end: end + 1 };
}

/** Seconds since the epoch of an HTTP date (IMF-fixdate), or undefined for anything else, ETags included. */
function httpDate(value: string | undefined): number | undefined {
  if (value === undefined || !/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
