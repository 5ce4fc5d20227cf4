// Looking for ComfyUI on this computer: found with its version, or a plain sentence for each way it is not there.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { discoverLocalServer } from '../../../electron/core/comfy/discover-local.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';

type TestContext = { after: (fn: () => Promise<void>) => void };

async function listen<S extends Server | TcpServer>(t: TestContext, server: S): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('a ComfyUI server is found with its version, on either generation', async (t) => {
  for (const generation of ['modern', 'legacy'] as const) {
    const sim = await ComfySimulator.start({ generation });
    t.after(() => sim.stop());
    const result = await discoverLocalServer({ url: sim.url });
    assert.deepEqual(result, { found: true, url: sim.url.replace(/\/$/, ''), version: generation === 'modern' ? '0.28.0' : '0.3.54' });
  }
});

test('a closed port: nothing is listening', async (t) => {
  // A port that was just free: listen, note it, close.
  const probe = createTcpServer();
  const url = await listen(t, probe);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const result = await discoverLocalServer({ url });
  assert.equal(result.found, false);
  assert.equal(result.url, url);
  assert.match(result.found ? '' : result.message, /^Nothing is listening at http:\/\/127\.0\.0\.1:\d+\. Start ComfyUI/);
});

test('a web server that is not ComfyUI is not taken for one', async (t) => {
  const html = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>My router</h1>'));
  const notFound = createServer((_req, res) => res.writeHead(404).end('Not Found'));
  const broken = createServer((_req, res) => res.writeHead(500).end('oops'));
  for (const server of [html, notFound, broken]) {
    const result = await discoverLocalServer({ url: await listen(t, server) });
    assert.equal(result.found, false);
    assert.match(result.found ? '' : result.message, /but it is not ComfyUI/);
  }
});

test('a server that never answers: found false within the time allowed', async (t) => {
  const sockets = new Set<Socket>();
  const silent = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  t.after(async () => {
    for (const socket of sockets) socket.destroy();
  });
  const url = await listen(t, silent);
  const result = await discoverLocalServer({ url, timeoutMs: 300 });
  assert.equal(result.found, false);
  assert.match(result.found ? '' : result.message, /did not answer within 300 ms/);
});

test('the default address, and inputs that are not usable', async () => {
  const fallback = await discoverLocalServer({ timeoutMs: 1_000 });
  assert.equal(fallback.url, 'http://127.0.0.1:8188');
  for (const options of [{ url: 'ftp://127.0.0.1:8188' }, { url: 'http://[bad' }, { timeoutMs: 0 }, { timeoutMs: Number.NaN }, { timeoutMs: 10 * 60_000 }]) {
    const result = await discoverLocalServer(options);
    assert.equal(result.found, false, JSON.stringify(options));
    assert.ok(!result.found && result.message.length > 10);
  }
  const credentials = await discoverLocalServer({ url: 'http://user:secret@127.0.0.1:1', timeoutMs: 1_000 });
  assert.doesNotMatch(JSON.stringify(credentials), /secret/, 'credentials never echoed');
});
