// Marking jobs as to be saved by a later run: the same mark the output saver makes when it accepts a job, only for
// jobs the saver would save, and never over a save already under way. The mark says the job is the app's: a headless
// run saving into a folder of its own leaves it alone, the app's saver saves it.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Emitter } from '../../../electron/core/emitter.js';
import { Journal, JOURNAL_FILE } from '../../../electron/core/jobs/journal.js';
import { deferSaving } from '../../../electron/core/outputs/defer-save.js';
import { parseSavedStage, SAVED_STAGE } from '../../../electron/core/outputs/saved-stage.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { nextEvent, tempDir } from '../../support/events.js';
import { directSaver, filesUnder, outputRef } from './support.js';
import type { JobView, TerminalJobStatus } from '../../../electron/shared/app-state.js';

const ref = { nodeId: '9', kind: 'images', index: 0, filename: 'a.png', subfolder: '', type: 'output' };

function finished(serverId: string, id: string, status: TerminalJobStatus, outputs = [ref]): JobView & { status: TerminalJobStatus } {
  return { serverId, id, status, submittedBy: 'other', outputs };
}

test('finished jobs with outputs on a saving server are marked pending; others, and saves under way, are left alone', async (t) => {
  const path = join(await tempDir(t), JOURNAL_FILE);
  const { journal } = await Journal.open(path);
  const events = new Emitter<{ 'job-finished': JobView }>();
  const off = deferSaving(events, journal, (serverId) => serverId === 'saves');
  const jobs = [
    finished('saves', 'completed', 'completed'),
    finished('saves', 'failed', 'failed'),
    finished('saves', 'cancelled', 'cancelled'),
    finished('saves', 'lost', 'lost'),
    finished('saves', 'no-outputs', 'completed', []),
    finished('saves', 'already', 'completed'),
    finished('other', 'elsewhere', 'completed'),
  ];
  for (const job of jobs) await journal.recordFinished(job.serverId, job);
  const underWay = { state: 'failed', files: {}, publishing: {}, error: { code: 'OUTPUT_DISK_FULL', reason: 'full' } };
  await journal.markHandled('saves', 'already', SAVED_STAGE, underWay);
  for (const job of jobs) events.emit('job-finished', job);
  // A job finishing after the unsubscribe is not marked.
  off();
  const late = finished('saves', 'late', 'completed');
  await journal.recordFinished('saves', late);
  events.emit('job-finished', late);
  await journal.flush();

  const { journal: reread } = await Journal.open(path);
  const state = (serverId: string, id: string): string | undefined => parseSavedStage(reread.finishedRecord(serverId, id)?.handled[SAVED_STAGE])?.state;
  assert.deepEqual(
    jobs.map((job) => [job.id, state(job.serverId, job.id)]),
    [
      ['completed', 'pending'],
      ['failed', 'pending'],
      ['cancelled', undefined],
      ['lost', undefined],
      ['no-outputs', undefined],
      ['already', 'failed'],
      ['elsewhere', undefined],
    ],
  );
  assert.equal(state('saves', 'late'), undefined);
  assert.equal(parseSavedStage(reread.finishedRecord('saves', 'completed')?.handled[SAVED_STAGE])?.owner, 'app', "marked as the app's");
  assert.deepEqual(parseSavedStage(reread.finishedRecord('saves', 'already')?.handled[SAVED_STAGE])?.error, underWay.error);
});

test("a headless saver with a folder of its own never takes a job marked for the app; the app's saver saves it", async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const bytes = Buffer.alloc(1500, 'a');
  sim.outputs.set('output//for-app.png', bytes);
  sim.outputs.set('output//own.png', bytes);
  const [appFolder, cliFolder, dataDir] = [await tempDir(t), await tempDir(t), await tempDir(t)];
  const forApp = { serverId: 's0', id: '7d0c9a52-0000-4000-8000-0000000000a1', status: 'completed' as const, submittedBy: 'other' as const, outputs: [outputRef('for-app.png')] };

  // A headless run without a folder of its own marked the job for the app.
  {
    const { journal } = await Journal.openIn(dataDir);
    const events = new Emitter<{ 'job-finished': JobView }>();
    deferSaving(events, journal, () => true);
    await journal.recordFinished('s0', forApp);
    events.emit('job-finished', forApp);
    await journal.flush();
  }

  // `watch --output-dir`: reconnects and the job announced again leave it alone; its own jobs it saves.
  const cli = await directSaver(t, sim.url, { dataDir, outputs: { folder: cliFolder, template: '{filename}', owner: 'headless' } });
  const ownSaved = nextEvent(cli.saver.events, 'saved', (e) => e.jobId === '7d0c9a52-0000-4000-8000-0000000000a2');
  cli.saver.retryPending('s0');
  cli.saver.jobFinished(forApp);
  await cli.finish('7d0c9a52-0000-4000-8000-0000000000a2', [outputRef('own.png')]);
  await ownSaved;
  await cli.saver.settled();
  assert.deepEqual(await filesUnder(cliFolder), ['own.png']);
  assert.equal(sim.requestCount('/api/view'), 1, "the app's file was not asked for");
  const left = cli.saver.saveState('s0', forApp.id);
  assert.equal(left?.state, 'pending');
  assert.equal(left?.owner, 'app', 'still marked for the app');
  await cli.saver.stop();
  await cli.journal.flush();

  // The app connects: it saves the job, which stays the app's.
  const app = await directSaver(t, sim.url, { dataDir, outputs: { folder: appFolder, template: '{filename}' } });
  const saved = nextEvent(app.saver.events, 'saved', (e) => e.jobId === forApp.id);
  app.saver.retryPending('s0');
  assert.deepEqual((await saved).files.map((f) => f.filename), ['for-app.png']);
  assert.deepEqual(await filesUnder(appFolder), ['for-app.png']);
  const taken = app.saver.saveState('s0', forApp.id);
  assert.equal(taken?.state, 'done');
  assert.equal(taken?.owner, 'app');
});
