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

// ---- the viewer: any output in full ----

const WAV = (() => {
  const data = Buffer.alloc(800, 0x80);
  const head = Buffer.alloc(44);
  head.write('RIFF', 0);
  head.writeUInt32LE(36 + data.length, 4);
  head.write('WAVEfmt ', 8);
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(1, 20);
  head.writeUInt16LE(1, 22);
  head.writeUInt32LE(8000, 24);
  head.writeUInt32LE(8000, 28);
  head.writeUInt16LE(1, 32);
  head.writeUInt16LE(8, 34);
  head.write('data', 36);
  head.writeUInt32LE(data.length, 40);
  return Buffer.concat([head, data]);
})();
const MP4 = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypisom'), Buffer.alloc(40, 0)]);
const FLAC = Buffer.concat([Buffer.from('fLaC'), Buffer.alloc(40, 0)]);

test('the viewer gets images, videos and audio in full, typed by their bytes; the rest is refused with a reason', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const engine = await plainEngine(t, sim.url);
  const job = await finishedJob(engine, sim, MEDIA);
  sim.outputs.set('output/video/clip.mp4', MP4);
  sim.outputs.set('output/audio/voice.flac', FLAC);
  sim.outputs.set('output//anim.gif', GIF);
  sim.outputs.set('output//fake.png', Buffer.from('<html>not a picture</html>'));
  const media = (name: string) => engine.outputMedia('s0', job.id, indexOf(job, name), 1024 * 1024);
  const still = await media('still.png');
  assert.ok(still && 'kind' in still && still.kind === 'image' && still.mime === 'image/png' && still.from === 'server');
  assert.ok(still.bytes.equals(sim.outputs.get('output//still.png')!), 'full size, byte for byte');
  assert.equal(still.savedPath, undefined, 'saving is off: no path');
  assert.deepEqual(await media('clip.mp4'), { kind: 'video', mime: 'video/mp4', bytes: MP4, from: 'server' });
  assert.deepEqual(await media('voice.flac'), { kind: 'audio', mime: 'audio/flac', bytes: FLAC, from: 'server' });
  assert.deepEqual(await media('anim.gif'), { kind: 'image', mime: 'image/gif', bytes: GIF, from: 'server' });
  assert.deepEqual(await media('state.latent'), { unavailable: 'not-media' });
  assert.deepEqual(await media('fake.png'), { unavailable: 'not-media' });
  sim.outputs.set('output//photo.jpg', Buffer.concat([JPEG, Buffer.alloc(2 * 1024 * 1024)]));
  assert.deepEqual(await media('photo.jpg'), { unavailable: 'too-large' });
  sim.outputs.delete('output//loop.webp');
  assert.deepEqual(await media('loop.webp'), { unavailable: 'gone' });
  assert.equal(await engine.outputMedia('s0', job.id, 99, 1024), undefined);
  assert.equal(await engine.outputMedia('s0', 'no-such-job', 0, 1024), undefined);
});

test('a saved output is shown from disk with its path; once moved away, from the server without one', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const folder = await tempDir(t);
  const engine = await savingEngine(t, sim.url, { dataDir: await tempDir(t), outputs: { folder } });
  await serverConnected(engine);
  const { promptId } = sim.enqueue({ '1': out('audio', 'take.wav') }, { clientId: 'browser' });
  const saved = await nextEvent(engine.events, 'saved', (e) => e.jobId === promptId, 20_000);
  const path = saved.files[0]!.path;
  // The simulator writes placeholder text; real WAV bytes on both sides.
  await writeFile(path, WAV);
  sim.outputs.set('output//take.wav', WAV);
  const before = views(sim);
  const fromDisk = await engine.outputMedia('s0', promptId, 0, 1024 * 1024);
  assert.deepEqual(fromDisk, { kind: 'audio', mime: 'audio/wav', bytes: WAV, from: 'saved', savedPath: path });
  assert.equal(views(sim), before, 'the server was not asked');
  await rm(path);
  const fromServer = await engine.outputMedia('s0', promptId, 0, 1024 * 1024);
  assert.ok(fromServer && 'from' in fromServer && fromServer.from === 'server' && fromServer.savedPath === undefined);
});
