// Exactly once across a crash at the worst moment: the file has its final name, the journal never heard of it. The
// next run finds it where the journal said it was going, takes it as saved, and downloads nothing; a different file
// at that path is not mistaken for it.
import assert from 'node:assert/strict';
import { link, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import type { Journal } from '../../../electron/core/jobs/journal.js';
import { SAVED_STAGE, savedKey, SIDECAR_KEY } from '../../../electron/core/outputs/saved-stage.js';
import { tempPrefix } from '../../../electron/core/outputs/temp-files.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { nextEvent, tempDir } from '../../support/events.js';
import { deferred, directSaver, filesUnder, outputRef } from './support.js';

const JOB = '7d0c9a52-0000-4000-8000-0000000000c1';
const BYTES = Buffer.alloc(3000, 'p');

type StageValue = { files?: Record<string, unknown>; sidecar?: unknown };

/**
 * The journal of a process that dies as it records its first saved file: that write and every later one fail. The
 * saver notes a saved file without waiting (`noteHandled`): that note is lost, and the next record fails.
 */
function crashingOnRecord(journal: Journal, crashed: () => void, dies: (value: StageValue) => boolean = (value) => Object.keys(value.files ?? {}).length > 0): Journal {
  let dead = false;
  return new Proxy(journal, {
    get(target, property) {
      if (property === 'noteHandled') {
        return (serverId: string, jobId: string, stage: string, value: StageValue) => {
          if (dead || (stage === SAVED_STAGE && dies(value))) {
            dead = true;
            crashed();
            return;
          }
          target.noteHandled(serverId, jobId, stage, value);
        };
      }
      if (property === 'markHandled') {
        return async (serverId: string, jobId: string, stage: string, value: StageValue) => {
          if (dead || (stage === SAVED_STAGE && dies(value))) {
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

test('a crash after publishing, before the temporary name was removed: the next run keeps the file and removes the leftover', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  sim.outputs.set('output//once.png', BYTES);
  const [folder, dataDir] = [await tempDir(t), await tempDir(t)];
  const path = await crashAfterPublishing(t, sim, folder, dataDir);
  // What that crash leaves: the download's temporary name, a second link to the published file.
  const leftover = join(folder, `${tempPrefix('s0', JOB, savedKey(outputRef('once.png')))}0badf00d.part`);
  await link(path, leftover);

  const second = await directSaver(t, sim.url, { dataDir, outputs: { folder, template: '{filename}' } });
  const saved = nextEvent(second.saver.events, 'saved', (e) => e.jobId === JOB);
  second.saver.retryPending('s0');
  assert.deepEqual((await saved).files.map((f) => f.path), [path]);
  assert.deepEqual(await filesUnder(folder), ['once.png'], 'no temporary file left in the user\'s folder');
  assert.ok((await readFile(path)).equals(BYTES));
});

test('the same for the job file: a crash after publishing it leaves neither a duplicate nor a temporary file', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  sim.outputs.set('output//once.png', BYTES);
  const [folder, dataDir] = [await tempDir(t), await tempDir(t)];
  const outputs = { folder, template: '{filename}', sidecar: true };
  const died = deferred<void>();
  const first = await directSaver(t, sim.url, { dataDir, outputs, journal: (journal) => crashingOnRecord(journal, () => died.resolve(), (value) => value.sidecar !== undefined) });
  await first.finish(JOB, [outputRef('once.png')]);
  await died.promise;
  await first.saver.stop();
  const sidecar = join(folder, `${JOB}.job.json`);
  assert.deepEqual(await filesUnder(folder), [`${JOB}.job.json`, 'once.png'].sort());
  const text = await readFile(sidecar);
  await link(sidecar, join(folder, `${tempPrefix('s0', JOB, SIDECAR_KEY)}0badf00d.part`));

  const second = await directSaver(t, sim.url, { dataDir, outputs });
  const saved = nextEvent(second.saver.events, 'saved', (e) => e.jobId === JOB);
  second.saver.retryPending('s0');
  assert.equal((await saved).sidecar, sidecar);
  assert.deepEqual(await filesUnder(folder), [`${JOB}.job.json`, 'once.png'].sort(), 'no "name (1)", no temporary file');
  assert.ok((await readFile(sidecar)).equals(text));
});

test('a disk that loses part of a download: nothing under the final name, and the next pass saves it there, not as "name (1)"', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  sim.outputs.set('output//once.png', BYTES);
  const [folder, dataDir] = [await tempDir(t), await tempDir(t)];
  let lossy = true;
  const { saver, finish } = await directSaver(t, sim.url, {
    dataDir,
    outputs: {
      folder,
      template: '{filename}',
      // The first download's first chunk is acknowledged but never reaches the file.
      createWriteStream: (handle) =>
        new Writable({
          write(chunk: Buffer, _encoding, done) {
            if (lossy) {
              lossy = false;
              done();
            } else handle.write(chunk).then(() => done(), done);
          },
        }),
    },
  });
  const failure = nextEvent(saver.events, 'save-failed', (e) => e.jobId === JOB);
  const saved = nextEvent(saver.events, 'saved', (e) => e.jobId === JOB);
  await finish(JOB, [outputRef('once.png')]);
  assert.equal((await failure).code, 'OUTPUT_TRUNCATED');
  assert.deepEqual((await saved).files.map((f) => f.path), [join(folder, 'once.png')]);
  assert.ok((await readFile(join(folder, 'once.png'))).equals(BYTES));
  assert.deepEqual(await filesUnder(folder), ['once.png']);
});
