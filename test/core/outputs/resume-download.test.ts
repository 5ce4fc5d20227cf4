// A download the network cut continues from where it stopped, but only when the server still has the same file:
// a file replaced on the server (even within the same second, or by a shorter one) is downloaded whole again, so
// the saved file is never half one version and half another.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { nextEvent, tempDir } from '../../support/events.js';
import type { FileServed } from '../../support/simulator/routes-files.js';
import { modifiedAt } from '../../support/simulator/storage.js';
import { directSaver, filesUnder, heldDownload, observedDisk, outputRef, socketClosed, withFetchOutput } from './support.js';

const KEY = 'output//cut.bin';
const JOB = '4a8f6f0e-0000-4000-8000-00000000000c';
// A whole second well in the past: Last-Modified (rounded up to the second) is the same for T+100 ms and T+200 ms.
const T = Math.floor(Date.now() / 1000) * 1000 - 60_000;

/**
 * Saves one 4 KB file whose first download is cut after its first half reached the disk; `change` runs while the
 * part waits, then the saver tries again. Returns the saved bytes and what the server served.
 */
async function cutThenRetry(t: Parameters<typeof directSaver>[0], change: (sim: ComfySimulator) => void): Promise<{ saved: Buffer; served: FileServed[]; sim: ComfySimulator }> {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  sim.outputs.set(KEY, modifiedAt(Buffer.alloc(4096, 'a'), T + 100));
  const served: FileServed[] = [];
  sim.events.on('file-served', (e: FileServed) => served.push(e));
  const folder = await tempDir(t);
  const disk = observedDisk();
  let cut: ((error: Error) => void) | undefined;
  const { saver, finish } = await directSaver(t, sim.url, {
    dataDir: await tempDir(t),
    // One try per pass and no timer: the test decides when the next pass runs.
    outputs: { folder, template: '{filename}', attempts: 1, retryLaterMs: 600_000, retryMaxMs: 600_000, createWriteStream: disk.createWriteStream },
    wrap: (backend) =>
      withFetchOutput(backend, async (ref, real, range) => {
        const response = await real(ref, range);
        if (cut) return response;
        const held = heldDownload(response.body);
        cut = (error) => held.stream.destroy(error);
        return { ...response, body: held.stream };
      }),
  });
  await finish(JOB, [outputRef('cut.bin')]);
  assert.equal(await disk.firstWrite, 2048);
  cut!(socketClosed());
  await saver.settled();
  // The server is up, so the cut shows as a truncated download (reported once), with the part kept.
  assert.equal(saver.saveState('s0', JOB)?.error?.code, 'OUTPUT_TRUNCATED');
  assert.equal((await filesUnder(folder)).length, 1, 'the part is kept');

  change(sim);
  const saved = nextEvent(saver.events, 'saved', (e) => e.jobId === JOB);
  saver.retryPending('s0');
  const [file] = (await saved).files;
  assert.deepEqual(await filesUnder(folder), ['cut.bin'], 'no part left behind');
  return { saved: await readFile(file!.path), served, sim };
}

test('the same file: only the rest is asked for, with If-Range, and appended', async (t) => {
  const { saved, served, sim } = await cutThenRetry(t, () => undefined);
  assert.ok(saved.equals(sim.outputs.get(KEY)!));
  assert.deepEqual(
    served.map((e) => [e.status, e.range, e.bytes]),
    [
      [200, undefined, 4096],
      [206, 'bytes=2048-', 2048],
    ],
  );
  assert.equal(served[1]!.ifRange, new Date(T + 1000).toUTCString(), "the file's Last-Modified, which aiohttp understands");
});

test('a file replaced within the same second: the server sends the range, the ETag tells, the file is fetched whole', async (t) => {
  const replaced = Buffer.alloc(4096, 'b');
  const { saved, served } = await cutThenRetry(t, (sim) => sim.outputs.set(KEY, modifiedAt(replaced, T + 200)));
  assert.ok(saved.equals(replaced), 'all of the new file, none of the old');
  assert.deepEqual(
    served.map((e) => [e.status, e.range]),
    [
      [200, undefined],
      [206, 'bytes=2048-'],
      [200, undefined],
    ],
  );
});

test('a file replaced later: the server answers If-Range with the whole file, which is taken as it comes', async (t) => {
  const replaced = Buffer.alloc(5000, 'c');
  const { saved, served } = await cutThenRetry(t, (sim) => sim.outputs.set(KEY, modifiedAt(replaced, T + 5_000)));
  assert.ok(saved.equals(replaced));
  assert.deepEqual(
    served.map((e) => [e.status, e.range]),
    [
      [200, undefined],
      [200, 'bytes=2048-'],
    ],
  );
});

test('a file now shorter than the part: 416, then the whole new file', async (t) => {
  const replaced = Buffer.alloc(1000, 'd');
  const { saved, served } = await cutThenRetry(t, (sim) => sim.outputs.set(KEY, modifiedAt(replaced, T + 200)));
  assert.ok(saved.equals(replaced));
  assert.deepEqual(
    served.map((e) => [e.status, e.range]),
    [
      [200, undefined],
      [416, 'bytes=2048-'],
      [200, undefined],
    ],
  );
});
