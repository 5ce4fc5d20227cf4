// A file the server no longer has (deleted, or the server's output folder changed): reported once, asked for again
// only after a reconnect or a restart, and given up after a few passes, so that neither the requests nor the journal
// grow forever. The job then shows a failed save with the reason, and counts as finished for the journal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OutputSaverEvents } from '../../../electron/core/outputs/output-saver.js';
import { NOT_FOUND_PASSES } from '../../../electron/core/outputs/save-failures.js';
import { SAVED_STAGE, savedKey, savingUnfinished } from '../../../electron/core/outputs/saved-stage.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { nextEvent, tempDir } from '../../support/events.js';
import { directSaver, filesUnder, outputRef } from './support.js';

const JOB = '7d0c9a52-0000-4000-8000-0000000000d1';
const KEPT = outputRef('kept.png');
const GONE = outputRef('gone.png', { index: 1 });
const BYTES = Buffer.alloc(2000, 'k');

function recorded<K extends keyof OutputSaverEvents>(saver: { events: { on: (event: K, fn: (e: OutputSaverEvents[K]) => void) => unknown } }, event: K): OutputSaverEvents[K][] {
  const seen: OutputSaverEvents[K][] = [];
  saver.events.on(event, (e) => seen.push(e));
  return seen;
}

test(`a file gone from the server: reported once, tried again on reconnects and restarts, given up after ${NOT_FOUND_PASSES} passes`, async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  sim.outputs.set('output//kept.png', BYTES);
  const [folder, dataDir] = [await tempDir(t), await tempDir(t)];
  // Timers would fire many times over during the test: a 404 must not be asked for again on one.
  const outputs = { folder, template: '{filename}', retryLaterMs: 1, retryMaxMs: 1 };
  // Every /view request but the one that saved kept.png.
  const asked = (): number => sim.requestCount('/api/view') - 1;

  // Pass 1: the job finishes; one file is saved, the other is not on the server.
  const first = await directSaver(t, sim.url, { dataDir, outputs });
  const failed = recorded(first.saver, 'save-failed');
  const failure = nextEvent(first.saver.events, 'save-failed', (e) => e.jobId === JOB);
  const job = await first.finish(JOB, [KEPT, GONE]);
  assert.equal((await failure).code, 'OUTPUT_NOT_FOUND');
  assert.match((await failure).reason, /gone\.png is no longer on the server/);
  await first.saver.settled();
  assert.equal(first.saver.retryPlanned('s0', JOB), false, 'no timer');
  assert.equal(asked(), 1);
  assert.deepEqual(await filesUnder(folder), ['kept.png']);

  // Pass 2: a reconnect.
  first.saver.retryPending('s0');
  await first.saver.settled();
  assert.equal(asked(), 2);
  assert.equal(first.saver.saveState('s0', JOB)?.gaveUp, undefined, 'not given up yet');
  assert.ok(savingUnfinished(first.journal.finishedRecord('s0', JOB)?.handled[SAVED_STAGE]), 'still work to do');
  await first.saver.stop();
  assert.equal(failed.length, 1, 'reported once');

  // Pass 3: the app restarts.
  const second = await directSaver(t, sim.url, { dataDir, outputs });
  const failedAgain = recorded(second.saver, 'save-failed');
  const gaveUp = nextEvent(second.saver.events, 'save-given-up', (e) => e.jobId === JOB);
  second.saver.retryPending('s0');
  assert.deepEqual(await gaveUp, { serverId: 's0', jobId: JOB, code: 'OUTPUT_NOT_FOUND', reason: (await gaveUp).reason, missing: 1 });
  await second.saver.settled();
  assert.equal(asked(), NOT_FOUND_PASSES);
  const stage = second.saver.saveState('s0', JOB);
  assert.equal(stage?.state, 'failed', 'the job shows a failed save');
  assert.equal(stage?.gaveUp, true);
  assert.match(stage?.error?.reason ?? '', /gone\.png is no longer on the server/);
  assert.deepEqual(Object.keys(stage?.files ?? {}), [savedKey(KEPT)], 'what the server had is saved');
  assert.equal(savingUnfinished(second.journal.finishedRecord('s0', JOB)?.handled[SAVED_STAGE]), false, 'finished for the journal');
  assert.equal(failedAgain.length, 0, 'not reported again');

  // Nothing asks for it any more: not a reconnect, not the job announced again, not the timer.
  second.saver.retryPending('s0');
  second.saver.jobFinished(job);
  await second.saver.settled();
  assert.equal(second.saver.retryPlanned('s0', JOB), false);
  assert.equal(asked(), NOT_FOUND_PASSES);
  assert.deepEqual(await filesUnder(folder), ['kept.png']);
});

test('a file the server has again before it is given up is saved, and its count is forgotten', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const [folder, dataDir] = [await tempDir(t), await tempDir(t)];
  const { saver, finish } = await directSaver(t, sim.url, { dataDir, outputs: { folder, template: '{filename}' } });
  const failure = nextEvent(saver.events, 'save-failed', (e) => e.jobId === JOB);
  await finish(JOB, [GONE]);
  await failure;
  await saver.settled();
  saver.retryPending('s0');
  await saver.settled();
  assert.equal(saver.saveState('s0', JOB)?.notFound?.[savedKey(GONE)], NOT_FOUND_PASSES - 1);

  sim.outputs.set('output//gone.png', BYTES);
  const saved = nextEvent(saver.events, 'saved', (e) => e.jobId === JOB);
  saver.retryPending('s0');
  assert.deepEqual((await saved).files.map((f) => f.filename), ['gone.png']);
  assert.equal(saver.saveState('s0', JOB)?.state, 'done');
  assert.equal(saver.saveState('s0', JOB)?.notFound, undefined);
});

test('the journal forgets a job whose saving was given up like any finished job, and keeps one still pending', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const [folder, dataDir] = [await tempDir(t), await tempDir(t)];
  // As the engine opens it: jobs whose saving is unfinished are kept past the bound.
  const { saver, journal, finish } = await directSaver(t, sim.url, {
    dataDir,
    outputs: { folder, template: '{filename}' },
    journalOptions: { maxJobsPerServer: 2, unfinished: (record) => savingUnfinished(record.handled[SAVED_STAGE]) },
  });
  const given = '7d0c9a52-0000-4000-8000-0000000000d2';
  const pending = '7d0c9a52-0000-4000-8000-0000000000d3';
  await finish(given, [GONE]);
  await saver.settled();
  for (let pass = 1; pass < NOT_FOUND_PASSES; pass++) {
    saver.retryPending('s0');
    await saver.settled();
  }
  assert.equal(saver.saveState('s0', given)?.gaveUp, true);
  await finish(pending, [outputRef('also-gone.png')]);
  await saver.settled();
  assert.equal(saver.saveState('s0', pending)?.state, 'failed');

  for (const n of [4, 5, 6]) {
    await journal.recordFinished('s0', { serverId: 's0', id: `7d0c9a52-0000-4000-8000-00000000000${n}`, status: 'completed', submittedBy: 'other', outputs: [] });
  }
  const kept = journal.finishedJobs('s0').map((record) => record.id);
  assert.ok(!kept.includes(given), 'the given-up job went out with the oldest');
  assert.ok(kept.includes(pending), 'the job still to save stays');
});
