// Saving when things go wrong: the server answers 404 or cuts the body short, the disk is full or refuses, the
// folder disappears, the app stops mid-download, the server drops mid-download. Each failure is reported once with
// a stable code, nothing half-written is left under a final name or recorded as saved, and the save completes later.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Writable } from 'node:stream';
import { ComfyBackend } from '../../../electron/core/backends/comfyui/comfy-backend.js';
import { resolveServer } from '../../../electron/core/comfy/server-config.js';
import type { EngineEvents } from '../../../electron/core/engine.js';
import type { Emitter } from '../../../electron/core/emitter.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { serverConnected } from '../../support/connect.js';
import { nextEvent, tempDir } from '../../support/events.js';
import type { FileServed } from '../../support/simulator/routes-files.js';
import { deferred, enospc, filesUnder, heldDownload, observedDisk, savingEngine, sizeOf, socketClosed, withFetchOutput } from './support.js';

const PROMPT = { '1': { class_type: 'SimOutput', inputs: { key: 'images', filename: 'out.png', count: 2 } } };

function failures(events: Emitter<EngineEvents>): EngineEvents['save-failed'][] {
  const seen: EngineEvents['save-failed'][] = [];
  events.on('save-failed', (e) => seen.push(e));
  return seen;
}

async function assertSavedIntact(sim: ComfySimulator, files: EngineEvents['saved']['files']): Promise<void> {
  for (const file of files) {
    const bytes = await readFile(file.path);
    assert.ok(bytes.equals(sim.outputs.get(`${file.type}/${file.subfolder}/${file.filename}`)!), file.path);
    assert.equal(file.size, bytes.length);
  }
}

test('server 404: reported once as OUTPUT_NOT_FOUND, not retried on a timer; saved after a reconnect once the file is there', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const folder = await tempDir(t);
  // A timer would be due long after the test: only the reconnect below can bring the save about.
  const engine = await savingEngine(t, sim.url, { dataDir: await tempDir(t), outputs: { folder, retryLaterMs: 60_000, retryMaxMs: 60_000 } });
  const failed = failures(engine.events);
  await serverConnected(engine);
  sim.failNext('/view', 404, 2);
  const { promptId } = sim.enqueue(PROMPT);
  const failure = await nextEvent(engine.events, 'save-failed', (e) => e.jobId === promptId);
  assert.equal(failure.code, 'OUTPUT_NOT_FOUND');
  assert.match(failure.reason, /no longer on the server/);
  await engine.outputs!.settled();
  assert.equal(engine.outputs!.saveState('s0', promptId)?.state, 'failed');
  assert.equal(engine.outputs!.retryPlanned('s0', promptId), false, 'waiting does not bring a deleted file back');

  const saved = nextEvent(engine.events, 'saved', (e) => e.jobId === promptId);
  // A real reconnect (reconnectNow on a healthy connection only checks it).
  await sim.restart();
  assert.equal((await saved).files.length, 2);
  await assertSavedIntact(sim, (await saved).files);
  assert.equal(failed.length, 1, 'reported once');
  assert.equal(engine.outputs!.saveState('s0', promptId)?.state, 'done');
  assert.equal(engine.outputs!.saveState('s0', promptId)?.error, undefined);
  assert.equal(engine.outputs!.saveState('s0', promptId)?.notFound, undefined, 'nothing left counting towards giving up');
});

test('truncated body (Content-Length not reached): OUTPUT_TRUNCATED, nothing left behind, saved on retry', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  // A server that promises 1000 bytes and hangs up after 10, answered through the real HTTP client.
  const liar = createServer((_req, res) => {
    res.writeHead(200, { 'content-length': '1000', 'content-type': 'image/png' });
    res.write(Buffer.alloc(10), () => res.socket?.destroy());
  });
  await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => liar.close(() => resolve())));
  const liarBackend = new ComfyBackend(resolveServer({ id: 'liar', name: 'liar', url: `http://127.0.0.1:${(liar.address() as AddressInfo).port}/` }), { get: () => undefined, set: () => undefined });
  t.after(() => liarBackend.stop());
  let truncated = 0;
  const folder = await tempDir(t);
  const engine = await savingEngine(t, sim.url, {
    dataDir: await tempDir(t),
    outputs: { folder, attempts: 1 },
    wrap: (backend) => withFetchOutput(backend, (ref, real, range) => (truncated++ < 2 ? liarBackend.fetchOutput(ref) : real(ref, range))),
  });
  const failed = failures(engine.events);
  await serverConnected(engine);
  const { promptId } = sim.enqueue(PROMPT);
  const failure = await nextEvent(engine.events, 'save-failed', (e) => e.jobId === promptId);
  assert.equal(failure.code, 'OUTPUT_TRUNCATED');
  const saved = await nextEvent(engine.events, 'saved', (e) => e.jobId === promptId);
  await assertSavedIntact(sim, saved.files);
  assert.deepEqual((await filesUnder(folder)).map((f) => f.split('/').at(-1)).sort(), ['out_1.png', 'out_2.png'], 'no temporary or partial file');
  assert.equal(failed.length, 1);
});

for (const [code, errno] of [
  ['OUTPUT_DISK_FULL', 'ENOSPC'],
  ['OUTPUT_PERMISSION_DENIED', 'EACCES'],
] as const) {
  test(`${errno} while writing: ${code} once, no partial file, nothing recorded; saved once the disk accepts`, async (t) => {
    const sim = await ComfySimulator.start();
    t.after(() => sim.stop());
    const folder = await tempDir(t);
    let broken = true;
    const engine = await savingEngine(t, sim.url, {
      dataDir: await tempDir(t),
      // Retried by a reconnect in this test, not by the timer.
      outputs: {
        folder,
        retryLaterMs: 60_000,
        retryMaxMs: 60_000,
        createWriteStream: (handle) =>
          new Writable({
            write(chunk: Buffer, _encoding, done) {
              if (broken) done(errno === 'ENOSPC' ? enospc() : Object.assign(new Error('EACCES: permission denied, write'), { code: 'EACCES', syscall: 'write' }));
              else handle.write(chunk).then(() => done(), done);
            },
          }),
      },
    });
    const failed = failures(engine.events);
    await serverConnected(engine);
    const { promptId } = sim.enqueue(PROMPT);
    const failure = await nextEvent(engine.events, 'save-failed', (e) => e.jobId === promptId);
    assert.equal(failure.code, code);
    assert.equal(failure.pending, 2);
    assert.match(failure.reason, new RegExp(errno));
    assert.deepEqual(await filesUnder(folder), [], 'no partial or temporary file');
    assert.deepEqual(engine.outputs!.saveState('s0', promptId)?.files, {}, 'nothing recorded as saved');
    assert.deepEqual(engine.job('s0', promptId)?.save, { state: 'failed', files: 0, code, reason: failure.reason }, 'the job shows save-failed with the reason');
    assert.ok(engine.outputs!.retryPlanned('s0', promptId), 'the disk may accept later: a timer tries again');

    broken = false;
    const saved = nextEvent(engine.events, 'saved', (e) => e.jobId === promptId);
    const shown = nextEvent(engine.events, 'job', (job) => job.id === promptId && job.save?.state === 'done');
    // A real reconnect (reconnectNow on a healthy connection only checks it).
    await sim.restart();
    await assertSavedIntact(sim, (await saved).files);
    assert.equal((await shown).save?.files, 2);
    assert.equal(failed.length, 1);
  });
}

test('the output folder removed mid-run (or its drive unplugged): reported, not recreated, saved when it is back', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const folder = `${await tempDir(t)}/Outputs`;
  await mkdir(folder);
  const engine = await savingEngine(t, sim.url, { dataDir: await tempDir(t), outputs: { folder } });
  await serverConnected(engine);
  const before = sim.enqueue(PROMPT).promptId;
  await nextEvent(engine.events, 'saved', (e) => e.jobId === before);

  await rm(folder, { recursive: true });
  const { promptId } = sim.enqueue(PROMPT);
  const failure = await nextEvent(engine.events, 'save-failed', (e) => e.jobId === promptId);
  assert.equal(failure.code, 'OUTPUT_FOLDER_MISSING');
  await assert.rejects(stat(folder), 'the folder is not recreated (it may be an unplugged drive)');

  const saved = nextEvent(engine.events, 'saved', (e) => e.jobId === promptId);
  await mkdir(folder);
  await assertSavedIntact(sim, (await saved).files);
});

test('app stopped during a download and started again: saved exactly once, no temporary file left', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const folder = await tempDir(t);
  const dataDir = await tempDir(t);
  const { promise: holding, resolve: hold } = deferred<ReturnType<typeof heldDownload>>();
  const first = await savingEngine(t, sim.url, {
    dataDir,
    outputs: { folder, concurrency: 1 },
    wrap: (backend) =>
      withFetchOutput(backend, async (ref, real) => {
        const response = await real(ref);
        const held = heldDownload(response.body);
        hold(held);
        return { ...response, body: held.stream };
      }),
  });
  await serverConnected(first);
  const { promptId } = sim.enqueue({ '1': { class_type: 'SimOutput', inputs: { filename: 'big.png' } } });
  await nextEvent(first.events, 'job-finished', (job) => job.id === promptId);
  await (await holding).started;
  await first.stop();
  assert.deepEqual(await filesUnder(folder), [], 'no temporary file, nothing under a final name');
  assert.equal(first.outputs!.saveState('s0', promptId)?.state, 'pending');

  const second = await savingEngine(t, sim.url, { dataDir, outputs: { folder } });
  const saved = await nextEvent(second.events, 'saved', (e) => e.jobId === promptId);
  await second.outputs!.settled();
  assert.equal(saved.files.length, 1);
  await assertSavedIntact(sim, saved.files);
  assert.equal((await filesUnder(folder)).length, 1);
});

test('server gone mid-download: no failure reported, the download resumes after the reconnect', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const served: FileServed[] = [];
  sim.events.on('file-served', (e: FileServed) => served.push(e));
  const folder = await tempDir(t);
  const disk = observedDisk();
  let cut: ((error: Error) => void) | undefined;
  const engine = await savingEngine(t, sim.url, {
    dataDir: await tempDir(t),
    outputs: { folder, concurrency: 1, retryLaterMs: 60_000, createWriteStream: disk.createWriteStream },
    wrap: (backend) =>
      withFetchOutput(backend, async (ref, real, range) => {
        if (cut) return real(ref, range);
        const response = await real(ref, range);
        const held = heldDownload(response.body);
        cut = (error) => held.stream.destroy(error);
        return { ...response, body: held.stream };
      }),
  });
  const failed = failures(engine.events);
  await serverConnected(engine);
  const { promptId } = sim.enqueue({ '1': { class_type: 'SimOutput', inputs: { filename: 'far.png' } } });
  const half = await disk.firstWrite;
  const offline = nextEvent(engine.events, 'server', (s) => s.state !== 'connected');
  await sim.stop();
  cut!(socketClosed());
  await offline;
  await engine.outputs!.settled();
  assert.equal(engine.outputs!.saveState('s0', promptId)?.state, 'pending');
  const left = await filesUnder(folder);
  assert.equal(left.length, 1, 'nothing under a final name, only the part kept to continue');
  assert.match(left[0]!, /\.comfy-tray-[^/]*\.part$/);
  assert.equal(await sizeOf(join(folder, left[0]!)), half);

  const saved = nextEvent(engine.events, 'saved', (e) => e.jobId === promptId);
  await sim.start();
  await assertSavedIntact(sim, (await saved).files);
  const size = sim.outputs.get('output//far.png')!.length;
  const ranged = served.filter((e) => e.range !== undefined);
  assert.deepEqual(ranged.map((e) => [e.status, e.range]), [[206, `bytes=${half}-`]], 'the server was asked for the rest only');
  assert.ok(ranged[0]!.ifRange, 'only if it is still the same file');
  const bytes = served.reduce((sum, e) => sum + e.bytes, 0);
  assert.ok(bytes < size * 2, `served ${bytes} bytes for a ${size}-byte file`);
  assert.deepEqual((await filesUnder(folder)).map((f) => f.split('/').at(-1)), ['far.png'], 'the part became the file');
  assert.equal(failed.length, 0, 'the server being away is not a saving failure');
});

test('a path this machine refuses (EINVAL) is reported once and not retried on a timer; the next reconnect tries again', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const folder = await tempDir(t);
  let broken = true;
  const engine = await savingEngine(t, sim.url, {
    dataDir: await tempDir(t),
    // A timer short enough that it would have fired many times over while the test runs.
    outputs: {
      folder,
      retryLaterMs: 1,
      createWriteStream: (handle) =>
        new Writable({
          write(chunk: Buffer, _encoding, done) {
            if (broken) done(Object.assign(new Error('EINVAL: invalid argument, write'), { code: 'EINVAL', syscall: 'write' }));
            else handle.write(chunk).then(() => done(), done);
          },
        }),
    },
  });
  const failed = failures(engine.events);
  await serverConnected(engine);
  const { promptId } = sim.enqueue(PROMPT);
  const failure = await nextEvent(engine.events, 'save-failed', (e) => e.jobId === promptId);
  assert.equal(failure.code, 'OUTPUT_WRITE_FAILED');
  await engine.outputs!.settled();
  assert.equal(engine.outputs!.retryPlanned('s0', promptId), false, 'no timer for a failure waiting cannot fix');
  assert.equal(engine.outputs!.saveState('s0', promptId)?.state, 'failed');

  broken = false;
  const saved = nextEvent(engine.events, 'saved', (e) => e.jobId === promptId);
  // A real reconnect (reconnectNow on a healthy connection only checks it).
  await sim.restart();
  await assertSavedIntact(sim, (await saved).files);
  assert.equal(failed.length, 1);
});
