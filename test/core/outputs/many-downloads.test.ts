// Many downloads at once all listen to the saver's one abort signal: that is normal, and must not make Node print
// "Possible EventTarget memory leak detected" (MaxListenersExceededWarning) to the user's console or log.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { nextEvent, tempDir } from '../../support/events.js';
import { deferred, directSaver, filesUnder, listenerWarnings, outputRef, withFetchOutput } from './support.js';

const JOB = '7d0c9a52-0000-4000-8000-0000000000e1';
const FILES = 12;

test(`${FILES} downloads at once raise no listener-leak warning`, async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const refs = Array.from({ length: FILES }, (_, index) => outputRef(`${index}.png`, { index }));
  for (const ref of refs) sim.outputs.set(`output//${ref.filename}`, Buffer.alloc(1000, ref.index));
  const [folder, dataDir] = [await tempDir(t), await tempDir(t)];
  const warnings = listenerWarnings(t);
  // Every request waits until all of them are under way, so that their listeners are on the signal together.
  let started = 0;
  const allStarted = deferred<void>();
  const { saver, finish } = await directSaver(t, sim.url, {
    dataDir,
    outputs: { folder, template: '{filename}', concurrency: FILES },
    wrap: (backend) =>
      withFetchOutput(backend, async (ref, real, range, signal) => {
        if (++started === FILES) allStarted.resolve();
        await allStarted.promise;
        return real(ref, range, signal);
      }),
  });
  const saved = nextEvent(saver.events, 'saved', (e) => e.jobId === JOB);
  await finish(JOB, refs);
  assert.equal((await saved).files.length, FILES);
  assert.equal((await filesUnder(folder)).length, FILES);
  // Node emits the warning on a later tick than the listener that set it off.
  await new Promise<void>((resolve) => setImmediate(resolve));
  assert.deepEqual(warnings, []);
});
