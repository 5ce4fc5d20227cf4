// Each job's saving has one owner, the app or a headless run saving into a folder of its own, and only the owner's
// saver goes on with it: a job's files are never split between two folders.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSavedStage, SAVED_STAGE, savedKey } from '../../../electron/core/outputs/saved-stage.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { nextEvent, tempDir } from '../../support/events.js';
import { directSaver, filesUnder, outputRef } from './support.js';

const JOB = '7d0c9a52-0000-4000-8000-0000000000f1';
const FIRST = outputRef('first.png');
const SECOND = outputRef('second.png', { index: 1 });
const BYTES = Buffer.alloc(1200, 'o');

test("a job the app's saver left half saved is not taken by a headless run with its own folder; the app finishes it in its own", async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  sim.outputs.set('output//first.png', BYTES);
  const [appFolder, cliFolder, dataDir] = [await tempDir(t), await tempDir(t), await tempDir(t)];

  // The app saves one file; the other is not on the server yet (a drive being mounted again).
  const app = await directSaver(t, sim.url, { dataDir, outputs: { folder: appFolder, template: '{filename}' } });
  const job = await app.finish(JOB, [FIRST, SECOND]);
  await app.saver.settled();
  const half = app.saver.saveState('s0', JOB);
  assert.equal(half?.owner, 'app');
  assert.deepEqual(Object.keys(half?.files ?? {}), [savedKey(FIRST)]);
  await app.saver.stop();
  await app.journal.flush();

  // The file is back; `watch --output-dir` connects and hears of the job again: it leaves it to the app.
  sim.outputs.set('output//second.png', BYTES);
  const asked = sim.requestCount('/api/view');
  const cli = await directSaver(t, sim.url, { dataDir, outputs: { folder: cliFolder, template: '{filename}', owner: 'headless' } });
  cli.saver.retryPending('s0');
  cli.saver.jobFinished(job);
  await cli.saver.settled();
  assert.equal(sim.requestCount('/api/view'), asked, 'not asked for');
  assert.deepEqual(await filesUnder(cliFolder), []);
  assert.equal(cli.saver.saveState('s0', JOB)?.owner, 'app');
  await cli.saver.stop();
  await cli.journal.flush();

  // The app's next start finishes it, into its own folder.
  const again = await directSaver(t, sim.url, { dataDir, outputs: { folder: appFolder, template: '{filename}' } });
  const saved = nextEvent(again.saver.events, 'saved', (e) => e.jobId === JOB);
  again.saver.retryPending('s0');
  assert.deepEqual((await saved).files.map((f) => f.filename), ['first.png', 'second.png']);
  assert.deepEqual(await filesUnder(appFolder), ['first.png', 'second.png']);
});

test("a headless run's unfinished job is left by the app, and finished by the next headless run", async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  sim.outputs.set('output//first.png', BYTES);
  const [appFolder, cliFolder, dataDir] = [await tempDir(t), await tempDir(t), await tempDir(t)];
  const cli = await directSaver(t, sim.url, { dataDir, outputs: { folder: cliFolder, template: '{filename}', owner: 'headless' } });
  await cli.finish(JOB, [FIRST, SECOND]);
  await cli.saver.settled();
  assert.equal(cli.saver.saveState('s0', JOB)?.owner, 'headless');
  await cli.saver.stop();
  await cli.journal.flush();
  sim.outputs.set('output//second.png', BYTES);

  const app = await directSaver(t, sim.url, { dataDir, outputs: { folder: appFolder, template: '{filename}' } });
  app.saver.retryPending('s0');
  await app.saver.settled();
  assert.deepEqual(await filesUnder(appFolder), []);
  await app.saver.stop();
  await app.journal.flush();

  const next = await directSaver(t, sim.url, { dataDir, outputs: { folder: cliFolder, template: '{filename}', owner: 'headless' } });
  const saved = nextEvent(next.saver.events, 'saved', (e) => e.jobId === JOB);
  next.saver.retryPending('s0');
  await saved;
  assert.deepEqual(await filesUnder(cliFolder), ['first.png', 'second.png']);
});

test("older records: `forApp` reads as the app's, and a job with no owner goes to the saver that takes it", async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  sim.outputs.set('output//first.png', BYTES);
  const [cliFolder, dataDir] = [await tempDir(t), await tempDir(t)];
  assert.equal(parseSavedStage({ state: 'pending', files: {}, forApp: true })?.owner, 'app');
  assert.equal(parseSavedStage({ state: 'pending', files: {}, forApp: true, owner: 'headless' })?.owner, 'headless');

  const legacy = '7d0c9a52-0000-4000-8000-0000000000f2';
  const cli = await directSaver(t, sim.url, { dataDir, outputs: { folder: cliFolder, template: '{filename}', owner: 'headless' } });
  await cli.journal.recordFinished('s0', { serverId: 's0', id: JOB, status: 'completed', submittedBy: 'other', outputs: [SECOND] });
  await cli.journal.markHandled('s0', JOB, SAVED_STAGE, { state: 'pending', files: {}, forApp: true });
  await cli.journal.recordFinished('s0', { serverId: 's0', id: legacy, status: 'completed', submittedBy: 'other', outputs: [FIRST] });
  await cli.journal.markHandled('s0', legacy, SAVED_STAGE, { state: 'failed', files: {}, publishing: {} });
  const saved = nextEvent(cli.saver.events, 'saved', (e) => e.jobId === legacy);
  cli.saver.retryPending('s0');
  await saved;
  await cli.saver.settled();
  assert.deepEqual(await filesUnder(cliFolder), ['first.png']);
  assert.equal(cli.saver.saveState('s0', legacy)?.owner, 'headless');
  assert.equal(cli.saver.saveState('s0', JOB)?.owner, 'app');
  assert.equal(cli.saver.saveState('s0', JOB)?.state, 'pending');
});
