// undici's request taken apart from its index: the URL is split as the index splits it (path and query reach the
// server unchanged), a given agent or undici's global one sends it, and loading the engine does not load the index.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Agent, request } from '../../../electron/core/comfy/undici-parts.js';

test('path, query, method, headers and body arrive as given, through the global agent or one given', async (t) => {
  const seen: { method?: string; url?: string; header?: string | string[]; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, header: req.headers['x-test'], body });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const agent = new Agent();
  t.after(() => agent.close());

  const first = await request(`${base}/api/history?max_items=1&offset=2`, { method: 'GET', headers: { 'x-test': 'a' } });
  assert.equal(first.statusCode, 200);
  assert.equal(await first.body.text(), 'ok');
  const second = await request(new URL(`${base}/api/prompt`), { method: 'POST', body: '{"x":1}', dispatcher: agent });
  await second.body.dump();
  const third = await request(`${base}/`, { method: 'GET', dispatcher: agent });
  await third.body.dump();
  assert.deepEqual(seen, [
    { method: 'GET', url: '/api/history?max_items=1&offset=2', header: 'a', body: '' },
    { method: 'POST', url: '/api/prompt', header: undefined, body: '{"x":1}' },
    { method: 'GET', url: '/', header: undefined, body: '' },
  ]);
});

test("the engine's bundle does not run undici's index at start", async () => {
  const { build } = await import('esbuild');
  const result = await build({
    stdin: { contents: "require('./electron/core/engine.ts'); process.stdout.write(String(process.moduleLoadList.some((m) => m.includes('deps/undici'))));", resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'silent',
    external: ['bufferutil', 'utf-8-validate'],
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
  });
  const output = execFileSync(process.execPath, ['-'], { input: result.outputFiles[0]!.text, encoding: 'utf8' });
  // Node's own undici is loaded by undici's index (its fetch); nothing the engine needs at start loads it.
  assert.equal(output, 'false');
});
