// Output pictures for thumbnails, end to end: the saved copy when there is one (the server is not asked), the
// server's otherwise; what a file is comes from its bytes; non-images, oversized files and bad indexes give nothing.
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { Engine, type EngineOptions } from '../../../electron/core/engine.js';
import type { JobView } from '../../../electron/shared/app-state.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { serverConnected } from '../../support/connect.js';
import { nextEvent, tempDir } from '../../support/events.js';
import { FAST_TIMINGS } from '../../support/timings.js';
import { savingEngine } from './support.js';

type TestContext = Parameters<typeof tempDir>[0];

const out = (key: string, filename: string, extra: Record<string, unknown> = {}) => ({ class_type: 'SimOutput', inputs: { key, filename, ...extra } });
const MEDIA = {
  '1': out('images', 'still.png'),
  '2': out('images', 'photo.jpg'),
  '3': out('images', 'loop.webp'),
  '4': out('gifs', 'anim.gif'),
  '5': out('gifs', 'clip.mp4', { subfolder: 'video' }),
  '6': out('audio', 'voice.flac', { subfolder: 'audio' }),
  '7': out('latents', 'state.latent'),
  '8': out('3d', 'mesh.glb'),
  '9': out('images', 'fake.png'),
};

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(60, 1)]);
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([60, 0, 0, 0]), Buffer.from('WEBPVP8 '), Buffer.alloc(52, 2)]);
const GIF = Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(30, 3)]);

async function plainEngine(t: TestContext, url: string, extra: Partial<EngineOptions> = {}): Promise<Engine> {
  const engine = await Engine.create({
    dataDir: await tempDir(t),
    servers: [{ id: 's0', name: 'sim', url }],
    timings: FAST_TIMINGS,
    tracker: { recheckDelayMs: 50 },
    ...extra,
  });
  t.after(() => engine.stop());
  engine.start();
  await serverConnected(engine);
  return engine;
}

async function finishedJob(engine: Engine, sim: ComfySimulator, prompt: Record<string, unknown>): Promise<JobView> {
  const { promptId } = sim.enqueue(prompt, { clientId: 'browser' });
  const job = await nextEvent(engine.events, 'job-finished', (j) => j.id === promptId, 20_000);
  assert.equal(job.status, 'completed');
  return job;
}

function indexOf(job: JobView, filename: string): number {
  const index = job.outputs.findIndex((o) => o.filename === filename);
  assert.ok(index >= 0, filename);
  return index;
}

const views = (sim: ComfySimulator): number => sim.requestCount('/api/view') + sim.requestCount('/view');

test('unsaved outputs come from the server, typed by their bytes; non-images are never downloaded', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const engine = await plainEngine(t, sim.url);
  const job = await finishedJob(engine, sim, MEDIA);
  sim.outputs.set('output//photo.jpg', JPEG);
  sim.outputs.set('output//loop.webp', WEBP);
  sim.outputs.set('output//anim.gif', GIF);
  sim.outputs.set('output//fake.png', Buffer.from('<html>not a picture</html>'));

  let before = views(sim);
  const still = await engine.outputImage('s0', job.id, indexOf(job, 'still.png'));
  assert.equal(still?.mime, 'image/png');
  assert.ok(still.bytes.equals(sim.outputs.get('output//still.png')!));
  assert.equal(views(sim), before + 1, 'one download');
  assert.deepEqual(await engine.outputImage('s0', job.id, indexOf(job, 'photo.jpg')), { mime: 'image/jpeg', bytes: JPEG });
  assert.deepEqual(await engine.outputImage('s0', job.id, indexOf(job, 'loop.webp')), { mime: 'image/webp', bytes: WEBP });
  assert.deepEqual(await engine.outputImage('s0', job.id, indexOf(job, 'anim.gif')), { mime: 'image/gif', bytes: GIF });
  // Named .png, but its bytes are text: not an image whatever the name (or the server's headers) say.
  assert.equal(await engine.outputImage('s0', job.id, indexOf(job, 'fake.png')), undefined);
  // A PNG named .jpg is a PNG.
  sim.outputs.set('output//photo.jpg', sim.outputs.get('output//still.png')!);
  assert.equal((await engine.outputImage('s0', job.id, indexOf(job, 'photo.jpg')))?.mime, 'image/png');

  before = views(sim);
  for (const name of ['clip.mp4', 'voice.flac', 'state.latent', 'mesh.glb']) {
    assert.equal(await engine.outputImage('s0', job.id, indexOf(job, name)), undefined, name);
  }
  for (const index of [-1, job.outputs.length, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.equal(await engine.outputImage('s0', job.id, index), undefined, String(index));
  }
  assert.equal(await engine.outputImage('s0', 'no-such-job', 0), undefined);
  assert.equal(views(sim), before, 'no request for any of these');
});

test('a saved output is read from disk: the file as it is now, not the server copy', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const folder = await tempDir(t);
  const engine = await savingEngine(t, sim.url, { dataDir: await tempDir(t), outputs: { folder } });
  await serverConnected(engine);
  const { promptId } = sim.enqueue({ '1': out('images', 'kept.png') }, { clientId: 'browser' });
  const saved = await nextEvent(engine.events, 'saved', (e) => e.jobId === promptId, 20_000);
  const path = saved.files[0]!.path;

  await writeFile(path, GIF);
  const before = views(sim);
  assert.deepEqual(await engine.outputImage('s0', promptId, 0), { mime: 'image/gif', bytes: GIF });
  assert.equal(views(sim), before, 'the server was not asked');

  // Deleted since: the server still has it.
  await rm(path);
  const fallback = await engine.outputImage('s0', promptId, 0);
  assert.equal(fallback?.mime, 'image/png');
  assert.ok(fallback.bytes.equals(sim.outputs.get('output//kept.png')!));
  assert.equal(views(sim), before + 1);
});

test('files above the size cap give nothing, saved or not', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const engine = await plainEngine(t, sim.url, { outputImages: { maxBytes: 1024 } });
  const job = await finishedJob(engine, sim, { '1': out('images', 'small.png'), '2': out('images', 'big.png'), '3': out('images', 'edge.jpg') });
  const png = sim.outputs.get('output//small.png')!;
  assert.ok(png.length <= 1024);
  sim.outputs.set('output//big.png', Buffer.concat([png, Buffer.alloc(2000)]));
  sim.outputs.set('output//edge.jpg', Buffer.concat([JPEG, Buffer.alloc(1024 - JPEG.length)]));
  assert.equal((await engine.outputImage('s0', job.id, indexOf(job, 'small.png')))?.mime, 'image/png');
  assert.equal(await engine.outputImage('s0', job.id, indexOf(job, 'big.png')), undefined);
  assert.equal((await engine.outputImage('s0', job.id, indexOf(job, 'edge.jpg')))?.bytes.length, 1024, 'exactly the cap is fine');
  // Gone from the server: nothing to show, not an error.
  sim.outputs.delete('output//small.png');
  assert.equal(await engine.outputImage('s0', job.id, indexOf(job, 'small.png')), undefined);
});
