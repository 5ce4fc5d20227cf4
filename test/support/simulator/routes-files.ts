// /view and /upload/image over the simulated output/input/temp folders. /view answers like aiohttp's FileResponse
// (validators, byte ranges) and reports what it served, so tests can tell a resumed download from a new one.
import type { IncomingHttpHeaders } from 'node:http';
import { posix } from 'node:path';
import type { SimCore } from './core.js';
import { fileResponse } from './file-response.js';
import { emptyResponse, jsonResponse, type SimResponse } from './http.js';
import { parseMultipart } from './multipart.js';
import type { Router } from './router.js';

const TYPES = ['output', 'input', 'temp'];
const MIME: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.flac': 'audio/flac',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/x-wav',
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.svg': 'image/svg+xml',
};

/** Joins a client subfolder below a folder root; undefined when it escapes (commonpath check). */
function safeSubfolder(subfolder: string): string | undefined {
  const joined = posix.normalize(posix.join('/root', subfolder));
  if (joined !== '/root' && !joined.startsWith('/root/')) return undefined;
  return joined === '/root' ? '' : joined.slice('/root/'.length);
}

/** One answer of /view with a file: which file, the status, the request's Range and If-Range, the bytes sent. */
export interface FileServed {
  key: string;
  status: number;
  range?: string;
  ifRange?: string;
  bytes: number;
}

function view(core: SimCore, query: URLSearchParams, headers: IncomingHttpHeaders, onServed: (served: FileServed) => void): SimResponse {
  let filename = query.get('filename');
  if (filename === null) return emptyResponse(404);
  let type = query.get('type') ?? 'output';
  const annotated = /^(.*) \[(output|input|temp)\]$/.exec(filename);
  if (annotated) {
    filename = annotated[1]!;
    type = annotated[2]!;
  }
  if (!filename) return emptyResponse(400);
  if (filename.startsWith('/') || filename.includes('..')) return emptyResponse(400);
  if (!TYPES.includes(type)) return emptyResponse(400);
  let subfolder = '';
  if (query.has('subfolder')) {
    const safe = safeSubfolder(query.get('subfolder') ?? '');
    if (safe === undefined) return emptyResponse(403);
    subfolder = safe;
  }
  const base = posix.basename(filename);
  const file = core.store.stat(type, subfolder, base);
  if (!file) return emptyResponse(404);
  let contentType = MIME[posix.extname(base).toLowerCase()] ?? 'application/octet-stream';
  if (['.html', '.htm', '.js', '.css'].includes(posix.extname(base).toLowerCase())) contentType = 'application/octet-stream';
  const response = fileResponse(headers, file, contentType, { 'Content-Disposition': `filename="${base}"` });
  const one = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);
  const [range, ifRange] = [one(headers.range), one(headers['if-range'])];
  onServed({ key: `${type}/${subfolder}/${base}`, status: response.status, ...(range !== undefined && { range }), ...(ifRange !== undefined && { ifRange }), bytes: response.body.length });
  return response;
}

function upload(core: SimCore, contentType: string | undefined, body: Buffer): SimResponse {
  const form = parseMultipart(contentType, body);
  const image = form?.get('image');
  if (!form || !image || image.filename === undefined) return emptyResponse(400);
  if (!image.filename) return emptyResponse(400);
  const type = form.get('type')?.data.toString('utf8') ?? 'input';
  if (!TYPES.includes(type)) return emptyResponse(500);
  const subfolder = form.get('subfolder')?.data.toString('utf8') ?? '';
  const folder = safeSubfolder(subfolder);
  const target = folder === undefined ? undefined : safeSubfolder(posix.join(folder, image.filename));
  if (folder === undefined || target === undefined || posix.dirname(target) !== (folder || '.')) return emptyResponse(400);
  const overwrite = form.get('overwrite')?.data.toString('utf8');
  let name = image.filename;
  if (overwrite !== 'true' && overwrite !== '1') {
    const ext = posix.extname(name);
    const stem = name.slice(0, name.length - ext.length);
    for (let i = 1; ; i++) {
      const existing = core.store.get(type, folder, name);
      if (!existing || existing.equals(image.data)) break;
      name = `${stem} (${i})${ext}`;
    }
  }
  core.store.put(type, folder, name, Buffer.from(image.data));
  return jsonResponse({ name, subfolder, type });
}

export function addFileRoutes(router: Router, core: SimCore, onServed: (served: FileServed) => void = () => undefined): void {
  router
    .add('GET', '/view', (req) => view(core, req.query, req.headers, onServed))
    .add('POST', '/upload/image', async (req) => upload(core, String(req.headers['content-type'] ?? ''), await req.body()));
}
