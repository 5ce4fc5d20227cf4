// A file the server no longer has (deleted, or the server's output folder changed): reported once, asked for again
// only after a reconnect or a restart, and given up after a few passes spread over hours, so that neither the
// requests nor the journal grow forever. The job then shows a failed save with the reason, and counts as finished
// for the journal. A file whose name the server refuses is given up at once.
import assert from 'node:assert/strict';
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { HttpStatusError } from '../../../electron/core/errors.js';
import type { OutputSaverEvents } from '../../../electron/core/outputs/output-saver.js';
import { NOT_FOUND_PASSES } from '../../../electron/core/outputs/save-failures.js';
import { SAVED_STAGE, savedKey, savingUnfinished } from '../../../electron/core/outputs/saved-stage.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { nextEvent, tempDir } from '../../support/events.js';
import { deferred, directSaver, filesUnder, outputRef, withFetchOutput } from './support.js';

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
  // Timers would fire many times over during the test: a 404 must not be asked for again on one. The passes alone
  // decide here (the time they must span has its own test).
  const outputs = { folder, template: '{filename}', retryLaterMs: 1, retryMaxMs: 1, giveUpAfterMs: 0 };
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
  const keptFile = { nodeId: '9', kind: 'images', index: 0, type: 'output', subfolder: '', filename: 'kept.png', path: join(await realpath(folder), 'kept.png'), size: BYTES.length };
  assert.deepEqual(await gaveUp, { serverId: 's0', jobId: JOB, code: 'OUTPUT_NOT_FOUND', reason: (await gaveUp).reason, missing: 1, files: [keptFile] });
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
  const { saver, finish } = await directSaver(t, sim.url, { dataDir, outputs: { folder, template: '{filename}', giveUpAfterMs: 0 } });
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
    outputs: { folder, template: '{filename}', giveUpAfterMs: 0 },
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

test('reconnects in a burst do not give up a file briefly missing: hours must also pass since the first 404', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  sim.outputs.set('output//kept.png', BYTES);
  const [folder, dataDir] = [await tempDir(t), await tempDir(t)];
  const start = Date.UTC(2026, 2, 4, 12);
  let now = start;
  const hours = 6;
  const { saver, finish } = await directSaver(t, sim.url, { dataDir, outputs: { folder, template: '{filename}', giveUpAfterMs: hours * 3_600_000, now: () => now } });
  const given = recorded(saver, 'save-given-up');
  await finish(JOB, [KEPT, GONE]);
  await saver.settled();
  // Wi-Fi flapping: many more reconnects than the passes needed, within a minute.
  for (let pass = 0; pass < NOT_FOUND_PASSES + 1; pass++) {
    now += 10_000;
    saver.retryPending('s0');
    await saver.settled();
  }
  assert.equal(saver.saveState('s0', JOB)?.notFound?.[savedKey(GONE)], NOT_FOUND_PASSES + 2);
  assert.equal(saver.saveState('s0', JOB)?.gaveUp, undefined, 'not given up within a minute');

  now = start + hours * 3_600_000 - 1;
  saver.retryPending('s0');
  await saver.settled();
  assert.equal(saver.saveState('s0', JOB)?.gaveUp, undefined, 'not given up just before the time is up');
  assert.equal(given.length, 0);

  now = start + hours * 3_600_000;
  const asked = sim.requestCount('/api/view');
  saver.retryPending('s0');
  await saver.settled();
  assert.equal(sim.requestCount('/api/view'), asked + 1, 'asked for once more before giving up');
  assert.equal(saver.saveState('s0', JOB)?.gaveUp, true);
  assert.deepEqual(
    given.map((e) => [e.missing, e.files.map((f) => f.filename)]),
    [[1, ['kept.png']]],
  );
});

test('a file back on the server once the give-up time is over is asked for again, not given up from the counts', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const [folder, dataDir] = [await tempDir(t), await tempDir(t)];
  const start = Date.UTC(2026, 2, 4, 12);
  let now = start;
  const hours = 6;
  const { saver, finish } = await directSaver(t, sim.url, { dataDir, outputs: { folder, template: '{filename}', giveUpAfterMs: hours * 3_600_000, now: () => now } });
  const given = recorded(saver, 'save-given-up');
  await finish(JOB, [GONE]);
  await saver.settled();
  for (let pass = 1; pass < NOT_FOUND_PASSES; pass++) {
    now += 60_000;
    saver.retryPending('s0');
    await saver.settled();
  }
  assert.equal(saver.saveState('s0', JOB)?.notFound?.[savedKey(GONE)], NOT_FOUND_PASSES);
  assert.equal(sim.requestCount('/api/view'), NOT_FOUND_PASSES);

  // The backup is restored; the next reconnect comes after the give-up time.
  sim.outputs.set('output//gone.png', BYTES);
  now = start + hours * 3_600_000;
  saver.retryPending('s0');
  await saver.settled();
  assert.equal(sim.requestCount('/api/view'), NOT_FOUND_PASSES + 1, 'asked for again');
  assert.deepEqual(given, []);
  assert.equal(saver.saveState('s0', JOB)?.state, 'done');
  assert.deepEqual(await filesUnder(folder), ['gone.png']);
});

// Without a timer pass asking for the file the test waits for a reconnect that never comes: the time limit ends it.
test('a file missing once, then failing otherwise (the server busy), is asked for again by the timer', { timeout: 20_000 }, async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const [folder, dataDir] = [await tempDir(t), await tempDir(t)];
  let asks = 0;
  const { saver, finish } = await directSaver(t, sim.url, {
    dataDir,
    outputs: { folder, template: '{filename}', attempts: 1, retryLaterMs: 1, retryMaxMs: 1 },
    wrap: (backend) =>
      withFetchOutput(backend, async (ref, real, range, signal) => {
        if (++asks === 2) throw new HttpStatusError(503, 'gpu box api/view', 'busy');
        return real(ref, range, signal);
      }),
  });
  const saved = nextEvent(saver.events, 'saved', (e) => e.jobId === JOB);
  await finish(JOB, [GONE]);
  await saver.settled();
  assert.equal(saver.saveState('s0', JOB)?.notFoundLatest?.[savedKey(GONE)], true);
  assert.equal(saver.retryPlanned('s0', JOB), false, 'a 404 waits for a reconnect');

  // Back on the server; the reconnect's request meets a busy server, and the timer takes over.
  sim.outputs.set('output//gone.png', BYTES);
  saver.retryPending('s0');
  assert.deepEqual((await saved).files.map((f) => f.filename), ['gone.png']);
  assert.equal(asks, 3);
  assert.deepEqual(await filesUnder(folder), ['gone.png']);
});

// Without the timer pass asking, the test waits for it forever: the time limit ends it.
test('a timer pass that finds a file missing never gives it up: a reconnect asks once more first', { timeout: 20_000 }, async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const [folder, dataDir] = [await tempDir(t), await tempDir(t)];
  let asks = 0;
  const { promise: timerAsked, resolve } = deferred<void>();
  const { saver, finish } = await directSaver(t, sim.url, {
    dataDir,
    outputs: { folder, template: '{filename}', attempts: 1, retryLaterMs: 1, retryMaxMs: 1, giveUpAfterMs: 0 },
    wrap: (backend) =>
      withFetchOutput(backend, async (ref, real, range, signal) => {
        asks++;
        if (asks === NOT_FOUND_PASSES) throw new HttpStatusError(503, 'gpu box api/view', 'busy');
        if (asks === NOT_FOUND_PASSES + 1) resolve();
        return real(ref, range, signal);
      }),
  });
  // Two 404s (the first pass, a reconnect), then a reconnect meets a busy server and the timer asks: a third 404.
  await finish(JOB, [GONE]);
  await saver.settled();
  saver.retryPending('s0');
  await saver.settled();
  saver.retryPending('s0');
  await timerAsked;
  await saver.settled();
  assert.equal(saver.saveState('s0', JOB)?.notFound?.[savedKey(GONE)], NOT_FOUND_PASSES);
  assert.equal(saver.saveState('s0', JOB)?.gaveUp, undefined, 'not given up on a timer');
  assert.equal(saver.retryPlanned('s0', JOB), false);

  saver.retryPending('s0');
  await saver.settled();
  assert.equal(asks, NOT_FOUND_PASSES + 2);
  assert.equal(saver.saveState('s0', JOB)?.gaveUp, true);
});

test('a record from before the first 404 was timed: the wait starts at the next 404', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const [folder, dataDir] = [await tempDir(t), await tempDir(t)];
  let now = Date.UTC(2026, 2, 4, 12);
  const { saver, journal } = await directSaver(t, sim.url, { dataDir, outputs: { folder, template: '{filename}', giveUpAfterMs: 60_000, now: () => now } });
  await journal.recordFinished('s0', { serverId: 's0', id: JOB, status: 'completed', submittedBy: 'other', outputs: [GONE] });
  await journal.markHandled('s0', JOB, SAVED_STAGE, { state: 'failed', files: {}, publishing: {}, notFound: { [savedKey(GONE)]: NOT_FOUND_PASSES } });
  saver.retryPending('s0');
  await saver.settled();
  assert.equal(saver.saveState('s0', JOB)?.gaveUp, undefined);
  assert.equal(saver.saveState('s0', JOB)?.notFoundSince?.[savedKey(GONE)], now);
  now += 60_000;
  saver.retryPending('s0');
  await saver.settled();
  assert.equal(saver.saveState('s0', JOB)?.gaveUp, true);
});

test('a name the server refuses (HTTP 400) is given up at once with its own reason; the saved files are reported', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  sim.outputs.set('output//kept.png', BYTES);
  const [folder, dataDir] = [await tempDir(t), await tempDir(t)];
  // ComfyUI's /view answers 400 for a name holding `..`: no pass can ever fetch it.
  const refused = outputRef('a..b.png', { index: 1 });
  const { saver, finish } = await directSaver(t, sim.url, { dataDir, outputs: { folder, template: '{filename}' } });
  const failed = recorded(saver, 'save-failed');
  const gaveUp = nextEvent(saver.events, 'save-given-up', (e) => e.jobId === JOB);
  await finish(JOB, [KEPT, refused]);
  const event = await gaveUp;
  await saver.settled();
  assert.equal(event.missing, 1);
  assert.match(event.reason, /a\.\.b\.png cannot be downloaded: the server refuses its name/);
  assert.doesNotMatch(event.reason, /no longer on the server/);
  assert.deepEqual(event.files.map((f) => [f.filename, f.size]), [['kept.png', BYTES.length]]);
  assert.deepEqual(failed.map((e) => [e.code, e.reason]), [[event.code, event.reason]], 'reported once, with the same reason');
  assert.equal(saver.saveState('s0', JOB)?.gaveUp, true);

  const asked = sim.requestCount('/api/view');
  saver.retryPending('s0');
  await saver.settled();
  assert.equal(sim.requestCount('/api/view'), asked, 'not asked for again');
});

// Without the timer the sibling waits for a reconnect that never comes here: the time limit ends the test.
test('a file missing on the server does not hold up the timer for a sibling that failed otherwise', { timeout: 20_000 }, async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  sim.outputs.set('output//kept.png', BYTES);
  const [folder, dataDir] = [await tempDir(t), await tempDir(t)];
  const asks = new Map<string, number>();
  const { promise: keptAgain, resolve } = deferred<void>();
  const { saver, finish } = await directSaver(t, sim.url, {
    dataDir,
    // One try per pass: the sibling's 503 ends the pass, and only the timer (no reconnect here) tries it again.
    outputs: { folder, template: '{filename}', attempts: 1, retryLaterMs: 1, retryMaxMs: 1 },
    wrap: (backend) =>
      withFetchOutput(backend, async (ref, real, range, signal) => {
        const n = (asks.get(ref.filename) ?? 0) + 1;
        asks.set(ref.filename, n);
        if (ref.filename === 'kept.png' && n === 1) throw new HttpStatusError(503, 'gpu box api/view', 'busy');
        if (ref.filename === 'kept.png') resolve();
        return real(ref, range, signal);
      }),
  });
  await finish(JOB, [KEPT, GONE]);
  await keptAgain;
  await saver.settled();
  assert.deepEqual(await filesUnder(folder), ['kept.png']);
  assert.equal(asks.get('gone.png'), 1, 'the timer pass did not ask for the missing file again');
  assert.equal(saver.saveState('s0', JOB)?.notFound?.[savedKey(GONE)], 1, 'nor counted it');
  assert.equal(saver.retryPlanned('s0', JOB), false, 'only a reconnect asks again for what is missing');
  assert.equal(saver.saveState('s0', JOB)?.state, 'failed');
});
