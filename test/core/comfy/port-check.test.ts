// The bare TCP check of a server's port, against real listening (and not listening) sockets.
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { test } from 'node:test';
import { checkPort, portTarget } from '../../../electron/core/comfy/port-check.js';

type TestContext = { after: (fn: () => Promise<void>) => void };

async function listening(t: TestContext, onConnection: (socket: Socket) => void): Promise<{ server: Server; port: number; connections: () => number }> {
  let count = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    count++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return { server, port: address.port, connections: () => count };
}

/** A port nothing listens on: one that was just listened on and closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

test('the port of a server URL: explicit, or the scheme’s; IPv6 literals without brackets', () => {
  assert.deepEqual(portTarget(new URL('http://127.0.0.1:8188/')), { host: '127.0.0.1', port: 8188 });
  assert.deepEqual(portTarget(new URL('https://comfy.example.org/prefix/')), { host: 'comfy.example.org', port: 443 });
  assert.deepEqual(portTarget(new URL('http://comfy.local/')), { host: 'comfy.local', port: 80 });
  assert.deepEqual(portTarget(new URL('http://[::1]:8188/')), { host: '::1', port: 8188 });
});

test('a port nothing listens on is refused', async () => {
  assert.equal(await checkPort({ host: '127.0.0.1', port: await closedPort() }, { timeoutMs: 2_000 }), 'refused');
});

test('a listening port is open, and the check sends nothing and closes its connection', async (t) => {
  let received = 0;
  const closed: Promise<void>[] = [];
  const server = await listening(t, (socket) => {
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    closed.push(new Promise((resolve) => socket.once('close', () => resolve())));
  });
  assert.equal(await checkPort({ host: '127.0.0.1', port: server.port }, { timeoutMs: 2_000 }), 'open');
  assert.equal(await checkPort({ host: '127.0.0.1', port: server.port }, { timeoutMs: 2_000, holdMs: 50 }), 'open', 'held, and still open');
  await Promise.all(closed);
  assert.equal(server.connections(), 2);
  assert.equal(received, 0);
});

test('a front that accepts and drops at once is told apart by holding the connection', async (t) => {
  const front = await listening(t, (socket) => socket.destroy());
  assert.equal(await checkPort({ host: '127.0.0.1', port: front.port }, { timeoutMs: 2_000, holdMs: 1_000 }), 'dropped');
  const polite = await listening(t, (socket) => socket.end());
  assert.equal(await checkPort({ host: '127.0.0.1', port: polite.port }, { timeoutMs: 2_000, holdMs: 1_000 }), 'dropped');
});

test('an aborted check ends at once without waiting for its hold', async (t) => {
  let accepted = (): void => undefined;
  const connected = new Promise<void>((resolve) => (accepted = resolve));
  const server = await listening(t, () => accepted());
  const abort = new AbortController();
  const checking = checkPort({ host: '127.0.0.1', port: server.port }, { timeoutMs: 60_000, holdMs: 60_000, signal: abort.signal });
  // The connection is in place (the server saw it) before the check is called off.
  await connected;
  abort.abort();
  assert.equal(await checking, 'refused');
});
