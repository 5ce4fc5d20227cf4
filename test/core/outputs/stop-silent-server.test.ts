// Stopping while a server has not yet answered a download (a /view request waiting for its headers): the request is
// ended at once, so closing the backend does not wait for the server's silence to time out (quitting would overrun
// its deadline, Ctrl-C on a headless watch would hang). Each test's time limit is far below the idle limit the
// backends here are given: without the abort reaching the request, the backend's stop outlasts it.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { ComfyBackend } from '../../../electron/core/backends/comfyui/comfy-backend.js';
import { resolveServer } from '../../../electron/core/comfy/server-config.js';
import { OutputImageLoader } from '../../../electron/core/outputs/output-image.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { tempDir } from '../../support/events.js';
import { deferred, directSaver, filesUnder, outputRef, withFetchOutput } from './support.js';

const JOB = '7d0c9a52-0000-4000-8000-0000000000e1';
/** Far longer than the tests' limits: reaching it means the request was left open. */
const IDLE_LIMIT_MS = 120_000;

type TestContext = { after: (fn: () => Promise<void>) => void };

/**
 * A server that never answers /view, and a backend for it. `asked` resolves once a request arrived; `closed` once
 * that request's connection closed, as the server sees it.
 */
async function silentServer(t: TestContext): Promise<{ backend: ComfyBackend; asked: Promise<IncomingMessage>; closed: Promise<void> }> {
  const { promise: asked, resolve: ask } = deferred<IncomingMessage>();
  const { promise: closed, resolve: close } = deferred<void>();
  const server = createServer((req) => {
    req.socket.once('close', () => close());
    ask(req);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const backend = new ComfyBackend(resolveServer({ id: 'silent', name: 'silent box', url }), { get: () => undefined, set: () => undefined }, { timings: { httpTimeoutMs: IDLE_LIMIT_MS } });
  return { backend, asked, closed };
}

test('stopping the saver ends a download still waiting for the headers; the backend then closes at once', { timeout: 20_000 }, async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const silent = await silentServer(t);
  const [folder, dataDir] = [await tempDir(t), await tempDir(t)];
  // The job is the simulator's; its file is asked for from the silent server.
  const { saver, finish } = await directSaver(t, sim.url, {
    dataDir,
    outputs: { folder, template: '{filename}' },
    wrap: (backend) => withFetchOutput(backend, (ref, _real, range, signal) => silent.backend.fetchOutput(ref, range, signal)),
  });
  await finish(JOB, [outputRef('never.png')]);
  await silent.asked;

  await saver.stop();
  await silent.backend.stop();
  await silent.closed;
  assert.equal(saver.saveState('s0', JOB)?.state, 'pending', 'still to be saved by the next run');
  assert.deepEqual(await filesUnder(folder), [], 'no temporary file left');
});

test('stopping the thumbnail loader ends a download still waiting for the headers', { timeout: 20_000 }, async (t) => {
  const silent = await silentServer(t);
  const loader = new OutputImageLoader();
  const ref = outputRef('thumb.png');
  const loaded = loader.load(ref, undefined, (signal) => silent.backend.fetchOutput(ref, undefined, signal));
  await silent.asked;

  loader.stop();
  assert.equal(await loaded, undefined);
  await silent.backend.stop();
  await silent.closed;
  assert.equal(await loader.load(ref, undefined, () => assert.fail('a stopped loader asks no server')), undefined);
});
