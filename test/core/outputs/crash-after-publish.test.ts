// Exactly once across a crash at the worst moment: the file has its final name, the journal never heard of it. The
// next run finds it where the journal said it was going, takes it as saved, and downloads nothing; a different file
// at that path is not mistaken for it.
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Journal } from '../../../electron/core/jobs/journal.js';
import { SAVED_STAGE } from '../../../electron/core/outputs/saved-stage.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { nextEvent, tempDir } from '../../support/events.js';
import { deferred, directSaver, filesUnder, outputRef } from './support.js';

const JOB = '7d0c9a52-0000-4000-8000-0000000000c1';
const BYTES = Buffer.alloc(3000, 'p');

/** The journal of a process that dies as it records its first saved file: that write and every later one fail. */
function crashingOnRecord(journal: Journal, crashed: () => void): Journal {
  let dead = false;
  return new Proxy(journal, {
    get(target, property) {
      if (property === 'markHandled') {
        return async (serverId: string, jobId: string, stage: string, value: { files?: Record<string, unknown> }) => {
          if (dead || (stage === SAVED_STAGE && Object.keys(value.files ?? {}).length > 0)) {
            dead = true;
            crashed();
            throw new Error('the process died here');
          }
          return target.markHandled(serverId, jobId, stage, value);
        };
      }
      const member: unknown = Reflect.get(target, property, target);
      return typeof member === 'function' ? (member as (...args: unknown[]) => unknown).bind(target) : member;
    },
  });
}

/** Runs a saver until it dies right after publishing the file; returns where the file went. */
async function crashAfterPublishing(t: Parameters<typeof directSaver>[0], sim: ComfySimulator, folder: string, dataDir: string): Promise<string> {
  const died = deferred<void>();
  const first = await directSaver(t, sim.url, { dataDir, outputs: { folder, template: '{filename}' }, journal: (journal) => crashingOnRecord(journal, () => died.resolve()) });
  await first.finish(JOB, [outputRef('once.png')]);
  await died.promise;
  await first.saver.stop();
  assert.deepEqual(await filesUnder(folder), ['once.png'], 'published under its final name');
  assert.deepEqual(first.saver.saveState('s0', JOB)?.files, {}, 'the journal never recorded it');
  return join(folder, 'once.png');
}

test('a crash between publishing a file and recording it: the next run takes the file as saved, no "name (1)"', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  sim.outputs.set('output//once.png', BYTES);
  const [folder, dataDir] = [await tempDir(t), await tempDir(t)];
  const path = await crashAfterPublishing(t, sim, folder, dataDir);
  const views = sim.requestCount('/api/view');

  const second = await directSaver(t, sim.url, { dataDir, outputs: { folder, template: '{filename}' } });
  const saved = nextEvent(second.saver.events, 'saved', (e) => e.jobId === JOB);
  second.saver.retryPending('s0');
  assert.deepEqual((await saved).files.map((f) => [f.path, f.size]), [[path, BYTES.length]]);
  assert.equal(sim.requestCount('/api/view'), views, 'nothing downloaded again');
  assert.deepEqual(await filesUnder(folder), ['once.png']);
  assert.deepEqual(second.saver.saveState('s0', JOB)?.publishing, {}, 'the claim is settled');
});

test('after such a crash, another file of the same size at that path is not taken for the download', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  sim.outputs.set('output//once.png', BYTES);
  const [folder, dataDir] = [await tempDir(t), await tempDir(t)];
  const path = await crashAfterPublishing(t, sim, folder, dataDir);
  // Someone put their own file there meanwhile (a new file, so a new inode), with exactly the same size.
  await rm(path);
  await writeFile(path, Buffer.alloc(BYTES.length, 'u'));

  const second = await directSaver(t, sim.url, { dataDir, outputs: { folder, template: '{filename}' } });
  const saved = nextEvent(second.saver.events, 'saved', (e) => e.jobId === JOB);
  second.saver.retryPending('s0');
  const [file] = (await saved).files;
  assert.equal(file!.path, join(folder, 'once (1).png'));
  assert.ok((await readFile(file!.path)).equals(BYTES));
  assert.ok((await readFile(path)).equals(Buffer.alloc(BYTES.length, 'u')), 'their file untouched');
});
