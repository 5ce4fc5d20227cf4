// A server that streams an output without end must not fill the disk: a download stops past the most one output may
// take (OUTPUT_TOO_LARGE: given up at once, the job's other files kept) or when the disk nears its free-space floor
// (OUTPUT_DISK_FULL: retried later without downloading while the disk stays that full). Each is reported once.
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { ComfyBackend } from '../../../electron/core/backends/comfyui/comfy-backend.js';
import { resolveServer } from '../../../electron/core/comfy/server-config.js';
import type { Engine, EngineEvents } from '../../../electron/core/engine.js';
import type { OutputSaverEvents } from '../../../electron/core/outputs/output-saver.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { serverConnected } from '../../support/connect.js';
import { nextEvent, tempDir } from '../../support/events.js';
import { deferred, filesUnder, savingEngine, withFetchOutput } from './support.js';

type TestContext = { after: (fn: () => Promise<void>) => void };

const MIB = 1024 * 1024;
/** One job, two files: `kept.png` from the simulator, `endless.png` from a server that never stops sending it. */
const PROMPT = {
  '1': { class_type: 'SimOutput', inputs: { filename: 'kept.png' } },
  '2': { class_type: 'SimOutput', inputs: { filename: 'endless.png' } },
};

/** A real HTTP server on port 0 that answers every request with a body that never ends (no Content-Length). */
async function endlessServer(t: TestContext): Promise<{ backend: ComfyBackend; requests: () => number; sent: () => number }> {
  let requests = 0;
  let sent = 0;
  const chunk = Buffer.alloc(256 * 1024, 0x42);
  // Writes until the socket pushes back, then again on drain: as fast as the client reads, for ever.
  const pump = (res: ServerResponse): void => {
    while (!res.destroyed) {
      sent += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', () => pump(res));
        return;
      }
    }
  };
  const server = createServer((_req, res) => {
    requests++;
    res.writeHead(200, { 'content-type': 'image/png' });
    pump(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const backend = new ComfyBackend(resolveServer({ id: 'endless', name: 'endless', url }), { get: () => undefined, set: () => undefined });
  t.after(async () => {
    await backend.stop();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { backend, requests: () => requests, sent: () => sent };
}

async function setup(t: TestContext, outputs: { maxFileBytes?: number; minFreeBytes?: number; freeSpace?: (folder: string) => Promise<number> }) {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const endless = await endlessServer(t);
  const folder = await tempDir(t);
  const engine = await savingEngine(t, sim.url, {
    dataDir: await tempDir(t),
    outputs: { folder, template: '{filename}', ...outputs },
    wrap: (backend) =>
      withFetchOutput(backend, (ref, real, range, signal) => (ref.filename === 'endless.png' ? endless.backend.fetchOutput(ref, range, signal) : real(ref, range, signal))),
  });
  const failed: EngineEvents['save-failed'][] = [];
  engine.events.on('save-failed', (e) => failed.push(e));
  await serverConnected(engine);
  return { sim, endless, folder, engine, failed };
}

function givenUp(engine: Engine, jobId: string): Promise<OutputSaverEvents['save-given-up']> {
  return new Promise((resolve) => {
    const off = engine.outputs!.events.on('save-given-up', (e) => {
      if (e.jobId !== jobId) return;
      off();
      resolve(e);
    });
  });
}

test('a file past the most one output may take: OUTPUT_TOO_LARGE once, given up, the job’s other file kept', { timeout: 30_000 }, async (t) => {
  const { sim, endless, folder, engine, failed } = await setup(t, { maxFileBytes: 4 * MIB });
  const { promptId } = sim.enqueue(PROMPT);
  const gaveUp = givenUp(engine, promptId);
  const failure = await nextEvent(engine.events, 'save-failed', (e) => e.jobId === promptId);
  assert.equal(failure.code, 'OUTPUT_TOO_LARGE');
  assert.match(failure.reason, /endless\.png is larger than 4 MiB/);
  const over = await gaveUp;
  assert.deepEqual([over.code, over.missing, over.files.map((f) => f.filename)], ['OUTPUT_TOO_LARGE', 1, ['kept.png']]);
  assert.deepEqual(await filesUnder(folder), ['kept.png'], 'nothing of the endless file is left, not even a temporary file');
  assert.ok(endless.sent() < 4 * MIB + 16 * MIB, `stopped soon after the cap (${endless.sent()} bytes sent)`);

  // Given up for good: a reconnect (which retries unfinished saves) asks for it no more, and nothing is reported again.
  await sim.restart();
  await serverConnected(engine);
  await engine.outputs!.settled();
  assert.equal(endless.requests(), 1);
  assert.equal(failed.length, 1);
  assert.equal(engine.outputs!.saveState('s0', promptId)?.gaveUp, true);
});

test('a disk falling under the free-space floor: OUTPUT_DISK_FULL once; later passes do not download while it stays full', { timeout: 30_000 }, async (t) => {
  const floor = 1024 * MIB;
  // The disk had 64 MiB above the floor; everything the endless server sends lands on it. `looks` counts the looks at
  // the disk, and `wake` wakes the test after the ones it waits for.
  const disk = { sent: (): number => 0, looks: 0, wake: { after: Number.POSITIVE_INFINITY, resolve: (): void => undefined } };
  const freeSpace = async (): Promise<number> => {
    if (++disk.looks >= disk.wake.after) disk.wake.resolve();
    return floor + 64 * MIB - disk.sent();
  };
  const ready = await setup(t, { minFreeBytes: floor, freeSpace });
  const { endless } = ready;
  disk.sent = endless.sent;
  const { sim, folder, engine, failed } = ready;
  const { promptId } = sim.enqueue(PROMPT);
  const failure = await nextEvent(engine.events, 'save-failed', (e) => e.jobId === promptId);
  assert.equal(failure.code, 'OUTPUT_DISK_FULL');
  assert.match(failure.reason, /less than 1 GiB free/);
  await engine.outputs!.settled();
  assert.deepEqual(Object.keys(engine.outputs!.saveState('s0', promptId)?.files ?? {}).length, 1, 'the other file is saved and kept');
  assert.deepEqual(await filesUnder(folder), ['kept.png']);
  assert.ok(engine.outputs!.retryPlanned('s0', promptId), 'space may come back: a timer tries again');

  // Three more timer passes: each looks at the disk first and asks the server for nothing.
  const { promise: passes, resolve } = deferred<void>();
  disk.wake = { after: disk.looks + 3, resolve };
  await passes;
  await engine.outputs!.settled();
  assert.equal(endless.requests(), 1, 'downloaded once, not again while the disk stays full');
  assert.equal(failed.length, 1, 'reported once, not per pass');
});

test('the floor is read from the real disk: a floor above its free space downloads nothing', { timeout: 30_000 }, async (t) => {
  const { sim, endless, folder, engine } = await setup(t, { minFreeBytes: Number.MAX_SAFE_INTEGER });
  const { promptId } = sim.enqueue({ '1': PROMPT['2'] });
  const failure = await nextEvent(engine.events, 'save-failed', (e) => e.jobId === promptId);
  assert.equal(failure.code, 'OUTPUT_DISK_FULL');
  assert.equal(endless.requests(), 0);
  assert.deepEqual(await filesUnder(folder), []);
});
