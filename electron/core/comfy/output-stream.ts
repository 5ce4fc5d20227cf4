// An output file's answer as the saver reads it: the body, the size it declared (to tell a cut download), the span
// of a partial answer (206) and the validators that let a resumed download ask for the same file only.
import { ComfyTrayError } from '../errors.js';
import type { StreamResult } from './http-client.js';

export interface OutputStreamParts {
  readonly body: StreamResult['body'];
  readonly size?: number;
  readonly range?: { readonly start: number; readonly total: number };
  readonly etag?: string;
  readonly lastModified?: string;
}

export function outputStreamOf({ status, body, headers }: StreamResult, what: string): OutputStreamParts {
  const header = (name: string): string | undefined => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const declared = Number(header('content-length'));
  const span = /^bytes (\d+)-\d+\/(\d+)$/.exec(header('content-range') ?? '');
  if (status === 206 && !span) {
    body.on('error', () => undefined);
    body.destroy();
    throw new ComfyTrayError('COMFY_BAD_RESPONSE', `${what}: a partial answer without a usable Content-Range`);
  }
  const etag = header('etag');
  const lastModified = header('last-modified');
  return {
    body,
    ...(Number.isSafeInteger(declared) && declared >= 0 && { size: declared }),
    ...(status === 206 && span && { range: { start: Number(span[1]), total: Number(span[2]) } }),
    ...(etag !== undefined && { etag }),
    ...(lastModified !== undefined && { lastModified }),
  };
}

/** The `Range` (and `If-Range`) headers that ask for a file's tail, or none for the whole file. */
export function rangeHeaders(range: { readonly from: number; readonly ifRange?: string } | undefined): Record<string, string> | undefined {
  if (!range || range.from <= 0) return undefined;
  return { range: `bytes=${range.from}-`, ...(range.ifRange !== undefined && { 'if-range': range.ifRange }) };
}
