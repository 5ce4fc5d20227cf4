// Time limits of the HTTP client on real sockets: an output file may take as long as it takes while bytes keep
// coming (only silence fails it, with a coded error); small JSON answers keep a limit on the whole exchange.
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { ComfyBackend } from '../../../electron/core/backends/comfyui/comfy-backend.js';
import { ComfyHttp, networkError } from '../../../electron/core/comfy/http-client.js';
import { resolveServer } from '../../../electron/core/comfy/server-config.js';
import type { ComfyTrayError } from '../../../electron/core/errors.js';

type TestContext = { after: (fn: () => Promise<void> | void) => void };

/** The idle limit in these tests; the old whole-exchange limit was this plus one second. */
const TIMEOUT_MS = 400;
const GAP_MS = 50;
/** Pieces spread over 1.8 s: longer than the idle limit plus one second, each gap far below the idle limit. */
const PIECES = 36;
const PIECE = Buffer.alloc(1_000, 7);

/** Sends PIECES pieces GAP_MS apart, then ends. */
function trickle(res: ServerResponse, contentType: string, piece: Buffer = PIECE): void {
  res.writeHead(200, { 'content-type': contentType, 'content-length': String(piece.length * PIECES) });
  let sent = 0;
  const next = (): void => {
    if (res.destroyed) return;
    res.write(piece);
    if (++sent === PIECES) res.end();
    else setTimeout(next, GAP_MS);
  };
  next();
}

/** A server whose answers the test writes: `/api/view?filename=<name>` goes to `routes[name]`, other paths to `routes[path]`. */
async function scriptedServer(t: TestContext, routes: Record<string, (res: ServerResponse) => void>): Promise<string> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const route = routes[url.searchParams.get('filename') ?? url.pathname];
    if (route) route(res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function httpFor(t: TestContext, url: string): ComfyHttp {
  const http = new ComfyHttp(resolveServer({ id: 's', name: 'Test', url }), { timeoutMs: TIMEOUT_MS });
  t.after(() => http.close());
  return http;
}

async function byteCount(body: Readable): Promise<number> {
  let size = 0;
  for await (const chunk of body) size += (chunk as Buffer).length;
  return size;
}

/** The error the body ends with, as the client's callers code it. */
async function bodyFailure(body: Readable): Promise<ComfyTrayError> {
  try {
    await byteCount(body);
  } catch (error) {
    return networkError(error, 'body');
  }
  assert.fail('the body ended without an error');
}

// Independent servers; run side by side so the waits overlap.
describe('time limits', { concurrency: true }, () => {
  test('a stream whose bytes keep coming completes, however long it takes in all', async (t) => {
    const url = await scriptedServer(t, { 'slow.mp4': (res) => trickle(res, 'video/mp4') });
    const { status, body } = await httpFor(t, url).stream('api/view', { filename: 'slow.mp4', type: 'output' });
    assert.equal(status, 200);
    assert.equal(await byteCount(body), PIECE.length * PIECES);
  });

  test('an output download through the backend is not cut by the request timeout', async (t) => {
    const url = await scriptedServer(t, { 'slow.mp4': (res) => trickle(res, 'video/mp4') });
    const backend = new ComfyBackend(resolveServer({ id: 's', name: 'Test', url }), { get: () => undefined, set: () => undefined }, { timings: { httpTimeoutMs: TIMEOUT_MS } });
    t.after(() => backend.stop());
    const output = await backend.fetchOutput({ nodeId: '9', kind: 'videos', index: 0, filename: 'slow.mp4', subfolder: '', type: 'output' });
    assert.equal(output.size, PIECE.length * PIECES);
    assert.equal(await byteCount(output.body), output.size);
  });

  test('a stream that falls silent longer than the idle limit fails with COMFY_TIMEOUT', async (t) => {
    const url = await scriptedServer(t, {
      'stalled.mp4': (res) => {
        res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': '10000' });
        res.write(PIECE);
      },
    });
    const { body } = await httpFor(t, url).stream('api/view', { filename: 'stalled.mp4', type: 'output' });
    const failure = await bodyFailure(body);
    assert.equal(failure.code, 'COMFY_TIMEOUT');
  });

  test('a stream whose headers never come fails with COMFY_TIMEOUT', async (t) => {
    const url = await scriptedServer(t, { 'silent.mp4': () => undefined });
    await assert.rejects(httpFor(t, url).stream('api/view', { filename: 'silent.mp4', type: 'output' }), { code: 'COMFY_TIMEOUT' });
  });

  test("the caller's signal ends a stream that is still coming", async (t) => {
    const url = await scriptedServer(t, { 'slow.mp4': (res) => trickle(res, 'video/mp4') });
    const controller = new AbortController();
    const { body } = await httpFor(t, url).stream('api/view', { filename: 'slow.mp4', type: 'output' }, { signal: controller.signal });
    const stopped = new Error('stopping');
    body.once('data', () => controller.abort(stopped));
    await assert.rejects(byteCount(body), (error) => error === stopped);
  });

  test('a JSON answer keeps a limit on the whole exchange, even while its bytes keep coming', async (t) => {
    const url = await scriptedServer(t, { '/api/queue': (res) => trickle(res, 'application/json', Buffer.from(' ')) });
    await assert.rejects(httpFor(t, url).getJson('api/queue'), { code: 'COMFY_TIMEOUT' });
  });
});
