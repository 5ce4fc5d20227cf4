// Reading a body into text a batch at a time: the text is the bytes that came, decoded as a whole decode would (a
// character split between two pieces or two batches stays whole), and a body past the limit is refused with its code.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { request } from 'undici';
import { DECODE_BATCH_BYTES, readBodyText } from '../../../electron/core/comfy/body-text.js';
import { ComfyHttp } from '../../../electron/core/comfy/http-client.js';
import { resolveServer } from '../../../electron/core/comfy/server-config.js';
import type { ComfyTrayError } from '../../../electron/core/errors.js';

const what = 'GET /api/queue';
const pieces = (...parts: (string | Buffer)[]): Readable => Readable.from(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));

describe('readBodyText', () => {
  test('pieces are joined in order, within a batch and across batches', async () => {
    assert.equal(await readBodyText(pieces('{"a":', '[1,2]', '}'), { maxBytes: 100, what }), '{"a":[1,2]}');
    const big = Array.from({ length: 9 }, (_, i) => Buffer.alloc(DECODE_BATCH_BYTES / 2 + 7, 97 + i));
    assert.equal(await readBodyText(pieces(...big), { maxBytes: 10 * DECODE_BATCH_BYTES, what }), Buffer.concat(big).toString('latin1'));
  });

  test('a multi-byte character cut between two pieces stays whole, also where a batch ends', async () => {
    const bytes = Buffer.concat([Buffer.alloc(DECODE_BATCH_BYTES - 2, 120), Buffer.from('✓ Ünïcödé 画像"}')]);
    // The cut falls inside the 3-byte check mark, exactly where the first batch is joined.
    for (const cut of [DECODE_BATCH_BYTES - 1, DECODE_BATCH_BYTES, DECODE_BATCH_BYTES + 4]) {
      const text = await readBodyText(pieces(bytes.subarray(0, cut), bytes.subarray(cut)), { maxBytes: 2 * DECODE_BATCH_BYTES, what });
      assert.equal(text, bytes.toString('utf8'), `cut at ${cut}`);
    }
  });

  test('invalid UTF-8 becomes U+FFFD, as a whole decode would make it', async () => {
    const bytes = Buffer.from([0x7b, 0xff, 0x22, 0xe2, 0x9c]);
    assert.equal(await readBodyText(pieces(bytes.subarray(0, 2), bytes.subarray(2)), { maxBytes: 100, what }), bytes.toString('utf8'));
  });

  test('an empty body', async () => {
    assert.equal(await readBodyText(pieces(), { maxBytes: 100, what }), '');
  });

  test('past the limit: refused with its code', async () => {
    await assert.rejects(readBodyText(pieces('abcd', 'efgh', 'i'), { maxBytes: 8, what }), (error: ComfyTrayError) => error.code === 'COMFY_RESPONSE_TOO_LARGE');
    assert.equal(await readBodyText(pieces('abcd', 'efgh'), { maxBytes: 8, what }), 'abcdefgh');
  });
});

describe('over HTTP', () => {
  test('a large body with and without content-length reads the same, byte for byte', async (t) => {
    const body = JSON.stringify({ queue_running: [], queue_pending: Array.from({ length: 5_000 }, (_, i) => [i, `id-${i}`, { '1': { class_type: 'Ünïcödé ✓', inputs: { seed: i } } }, {}, ['1']]) });
    const server = createServer((req, res) => {
      if (req.url === '/api/queue') res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      else res.writeHead(200, { 'content-type': 'application/json' }); // chunked
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const http = new ComfyHttp(resolveServer({ id: 's', name: 's', url }));
    t.after(() => http.close());
    assert.deepEqual(await http.getJson('api/queue'), JSON.parse(body));
    assert.equal(await http.getText('api/chunked'), body);
    const bare = await request(`${url}/api/chunked`);
    assert.equal(bare.headers['content-length'], undefined, 'the second route really is chunked');
    await bare.body.dump();
  });
});
