// Request/response plumbing shaped like aiohttp's: JSON via json.dumps, plain-text errors ("404: Not Found").
import { STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { pyDumps } from './json.js';

export const MAX_BODY_BYTES = 100 * 1024 * 1024;

export interface SimRequest {
  method: string;
  /** Path below basePath, percent-decoding left to the routes. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: () => Promise<Buffer>;
}

export interface SimResponse {
  status: number;
  contentType: string;
  body: string | Buffer;
  headers?: Record<string, string>;
}

export function jsonResponse(body: unknown, status = 200): SimResponse {
  return { status, contentType: 'application/json; charset=utf-8', body: pyDumps(body) };
}

export function rawJsonResponse(text: string, status = 200): SimResponse {
  return { status, contentType: 'application/json; charset=utf-8', body: text };
}

export function textResponse(status: number, text = `${status}: ${STATUS_CODES[status] ?? 'Unknown'}`): SimResponse {
  return { status, contentType: 'text/plain; charset=utf-8', body: text };
}

/** web.Response(status=...): empty body, application/octet-stream. */
export function emptyResponse(status = 200): SimResponse {
  return { status, contentType: 'application/octet-stream', body: '' };
}

export function internalError(): SimResponse {
  return textResponse(500, '500 Internal Server Error\n\nServer got itself in trouble');
}

export class BodyTooLarge extends Error {}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function writeResponse(res: ServerResponse, response: SimResponse): void {
  if (res.headersSent || res.destroyed) return;
  const body = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
  res.writeHead(response.status, {
    'Content-Type': response.contentType,
    'Content-Length': String(body.length),
    Server: 'Python/3.11 aiohttp/3.8.4',
    ...response.headers,
  });
  res.end(body);
}
