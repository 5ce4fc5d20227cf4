// End to end on the hosted services: a Comfy Cloud job and a ComfyControl run each go from queued to completed
// through a dropped connection and an app restart in between, and their outputs are saved exactly once (on disk and
// in the events), however many times the app starts again afterwards.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Engine } from '../../electron/core/engine.js';
import { nextEvent, nextNodeEvent, record } from '../support/events.js';
import { cloudAccount, cloudEngine, SAVE, serverState as cloudState, STEPS } from './backends/comfy-cloud/support.js';
import { comfyControl, comfyControlEngine, PNG, serverState as ccState } from './backends/comfycontrol/support.js';

async function filesIn(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

function savedCount(engine: Engine): { count: number } {
  const counter = { count: 0 };
  engine.events.on('saved', () => counter.count++);
  return counter;
}

test('a Comfy Cloud job: queued, socket dropped, running, app quits, it ends meanwhile; the next start announces and saves it once', async (t) => {
  const { cloud, storage } = await cloudAccount(t, { stepDelayMs: 10 });
  const first = await cloudEngine(t, cloud.url);
  await cloudState(first.engine, (s) => s.state === 'connected');
  cloud.hold();
  const id = cloud.enqueue({ '1': STEPS(30), '2': SAVE });
  await nextEvent(first.engine.events, 'job', (job) => job.id === id && job.status === 'pending');

  // A dropped connection: the job stays followed and the socket comes back.
  cloud.dropSockets();
  await cloudState(first.engine, (s) => s.state !== 'connected');
  await cloudState(first.engine, (s) => s.state === 'connected');
  cloud.release();
  await nextEvent(first.engine.events, 'job', (job) => job.id === id && job.status === 'running');

  // The app quits while the job runs; the job ends on Cloud meanwhile.
  const ended = nextNodeEvent(cloud.events, 'finished', (e: { id: string }) => e.id === id);
  await first.engine.stop();
  await ended;

  const second = await cloudEngine(t, cloud.url, { dataDir: first.dataDir, start: false });
  const seen = record(second.engine.events);
  const saves = savedCount(second.engine);
  second.engine.start();
  const finished = await nextEvent(second.engine.events, 'job-finished', (job) => job.id === id);
  assert.equal(finished.status, 'completed');
  assert.equal(finished.caughtUp, true, 'ended while the app was closed');
  await nextEvent(second.engine.events, 'saved', (e) => e.jobId === id);
  await second.engine.stop();

  // Once more: nothing is announced or saved again.
  const third = await cloudEngine(t, cloud.url, { dataDir: first.dataDir, start: false });
  const again = record(third.engine.events);
  const moreSaves = savedCount(third.engine);
  third.engine.start();
  await cloudState(third.engine, (s) => s.state === 'connected');
  await third.engine.settled();
  await third.engine.stop();

  assert.deepEqual(seen.finishedIds(), [id]);
  assert.deepEqual(again.finishedIds(), []);
  assert.equal(saves.count + moreSaves.count, 1);
  const files = [...(await filesIn(first.folder)), ...(await filesIn(second.folder)), ...(await filesIn(third.folder))];
  assert.equal(files.length, 1, `one file on disk: ${files.join(', ')}`);
  assert.equal(storage.requests.length, 1, 'downloaded once');
});

test('a ComfyControl run: queued, the service drops, running, app quits, it ends meanwhile; the next start announces and saves it once', async (t) => {
  const { cc, storage } = await comfyControl(t);
  const first = await comfyControlEngine(t, cc.url);
  await ccState(first.engine, (s) => s.state === 'connected');
  const id = cc.addRun({ name: 'Landscape' });
  await first.engine.follow('cc', id);
  await nextNodeEvent(cc.events, 'stream-opened', (runId: string) => runId === id);

  // The service goes away and comes back: the run is read again and its stream reopened.
  await cc.stop();
  await ccState(first.engine, (s) => s.state !== 'connected');
  const reopened = nextNodeEvent(cc.events, 'stream-opened', (runId: string) => runId === id);
  await cc.listen();
  await ccState(first.engine, (s) => s.state === 'connected');
  await reopened;
  cc.start(id);
  await nextEvent(first.engine.events, 'job', (job) => job.id === id && job.status === 'running');

  await first.engine.stop();
  cc.complete(id, [{ name: 'landscape.png', bytes: PNG }, { name: 'landscape-depth.png', bytes: PNG }]);

  const second = await comfyControlEngine(t, cc.url, { dataDir: first.dataDir });
  const finished = await nextEvent(second.engine.events, 'job-finished', (job) => job.id === id);
  assert.equal(finished.status, 'completed');
  assert.equal(finished.outputs.length, 2);
  const saved = await nextEvent(second.engine.events, 'saved', (e) => e.jobId === id);
  assert.equal(saved.files.length, 2);
  await second.engine.stop();

  const third = await comfyControlEngine(t, cc.url, { dataDir: first.dataDir });
  const again = record(third.engine.events);
  await ccState(third.engine, (s) => s.state === 'connected');
  await third.engine.settled();
  await third.engine.stop();
  assert.deepEqual(again.finishedIds(), []);
  assert.equal(cc.openStreams(), 0);
  const files = [...(await filesIn(first.folder)), ...(await filesIn(second.folder)), ...(await filesIn(third.folder))];
  assert.equal(files.length, 2, `each output once on disk: ${files.join(', ')}`);
  assert.equal(storage.requests.length, 2, 'each signed URL fetched once');
});
