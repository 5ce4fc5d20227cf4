// Saving outputs end to end: the simulated server, the real engine, real folders. Every media kind, byte for byte
// (animated ones too); outputs the live events missed; exactly once through duplicate events, restarts and a deleted
// file; per-server settings; hostile names and paths; the sidecar.
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Engine } from '../../../electron/core/engine.js';
import { dateTokens } from '../../../electron/core/outputs/file-template.js';
import type { JobView } from '../../../electron/shared/app-state.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { serverConnected } from '../../support/connect.js';
import { nextEvent, tempDir } from '../../support/events.js';
import { MAX_SUBFOLDER_DEPTH } from '../../../electron/core/outputs/path-safety.js';
import { output as fakeOutput } from '../../support/fake-backend.js';
import { connectedEngine } from '../../support/fake-engine.js';
import { directSaver, filesUnder, outputRef, savingEngine, SERVER_NAME } from './support.js';

const IMAGE = { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 5 } };
const out = (key: string, filename: string, extra: Record<string, unknown> = {}) => ({ class_type: 'SimOutput', inputs: { key, filename, ...extra } });

const MEDIA = {
  '1': IMAGE,
  '2': { ...out('images', 'still.png', { count: 2, image: ['1', 0] }), _meta: { title: 'Stills' } },
  '3': out('images', 'loop.webp'),
  '4': out('gifs', 'clip.mp4', { subfolder: 'video/2026' }),
  '5': out('audio', 'voice.flac', { subfolder: 'audio' }),
  '6': out('3d', 'mesh.glb', { subfolder: '3d' }),
  '7': out('latents', 'state.latent', { subfolder: 'latents' }),
  '8': out('video', 'movie.webm'),
  '9': out('images', 'preview.png', { type: 'temp' }),
};
const SAVED_NAMES = ['clip.mp4', 'loop.webp', 'mesh.glb', 'movie.webm', 'state.latent', 'still_1.png', 'still_2.png', 'voice.flac'];
/** The UI workflow the browser sent along (`extra_pnginfo`), which the job file carries as the server stored it. */
const WORKFLOW = { id: 'b1d5e0c2-0000-4000-8000-00000000000f', last_node_id: 9, nodes: [{ id: 2, type: 'SimOutput', title: 'Stills' }], extra: { name: 'Media check' } };

async function finish(engine: Engine, sim: ComfySimulator, prompt: Record<string, unknown>): Promise<JobView> {
  await serverConnected(engine);
  const { promptId } = sim.enqueue(prompt, { clientId: 'browser' });
  return nextEvent(engine.events, 'job-finished', (job) => job.id === promptId, 20_000);
}

function savedOf(engine: Engine, jobId: string) {
  return nextEvent(engine.events, 'saved', (e) => e.jobId === jobId, 20_000);
}

function simBytes(sim: ComfySimulator, type: string, subfolder: string, filename: string): Buffer {
  const bytes = sim.outputs.get(`${type}/${subfolder}/${filename}`);
  assert.ok(bytes, `${filename} on the server`);
  return bytes;
}

test('every media kind is saved byte for byte under {server}/{date}/{filename}; temp previews are skipped', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const folder = await tempDir(t);
  const engine = await savingEngine(t, sim.url, { dataDir: await tempDir(t), outputs: { folder, sidecar: true } });
  await serverConnected(engine);
  const { promptId } = sim.enqueue(MEDIA, { clientId: 'browser', extraData: { extra_pnginfo: { workflow: WORKFLOW } } });
  const saved = await savedOf(engine, promptId);
  const job = engine.job('s0', promptId)!;
  const date = dateTokens(job.endedAt!).date;

  assert.deepEqual(saved.files.map((f) => f.filename).sort(), SAVED_NAMES);
  assert.deepEqual(
    [...new Set(saved.files.map((f) => f.kind))].sort(),
    ['3d', 'audio', 'gifs', 'images', 'latents', 'video'],
  );
  for (const file of saved.files) {
    assert.equal(file.path, join(folder, SERVER_NAME, date, file.filename));
    const bytes = await readFile(file.path);
    assert.ok(bytes.equals(simBytes(sim, file.type, file.subfolder, file.filename)), `${file.filename} untouched`);
    assert.equal(file.size, bytes.length);
  }
  // The PNG keeps the workflow metadata the server embedded.
  assert.ok((await readFile(join(folder, SERVER_NAME, date, 'still_1.png'))).includes('tEXtprompt'));

  assert.ok(saved.sidecar);
  const sidecar = JSON.parse(await readFile(saved.sidecar, 'utf8')) as {
    job: { id: string; workflowName?: string };
    server: { name: string };
    outputs: { nodeTitle?: string; filename: string }[];
    prompt?: Record<string, unknown>;
    workflow?: unknown;
  };
  assert.deepEqual(Object.keys(sidecar.prompt ?? {}).sort(), Object.keys(MEDIA).sort(), 'the prompt as the server stored it');
  assert.deepEqual(sidecar.workflow, WORKFLOW, 'the UI workflow as the server stored it');
  assert.equal(sidecar.job.workflowName, 'Media check');
  assert.equal(sidecar.job.id, promptId);
  assert.equal(sidecar.server.name, SERVER_NAME);
  assert.equal(sidecar.outputs.length, SAVED_NAMES.length);
  assert.equal(sidecar.outputs.find((o) => o.filename === 'still_1.png')?.nodeTitle, 'Stills');

  assert.deepEqual(await filesUnder(folder), [...SAVED_NAMES, `${promptId}.job.json`].map((n) => join(SERVER_NAME, date, n)).sort());
  const state = engine.outputs!.saveState('s0', promptId);
  assert.equal(state?.state, 'done');
  assert.equal(Object.keys(state?.files ?? {}).length, SAVED_NAMES.length);
});

test('temp previews are saved when asked for; {subfolder} in the template keeps the server nesting', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const folder = await tempDir(t);
  const engine = await savingEngine(t, sim.url, { dataDir: await tempDir(t), outputs: { folder, saveTemp: true, template: '{subfolder}/{node}-{index}-{filename}' } });
  await serverConnected(engine);
  const { promptId } = sim.enqueue({ '1': out('images', 'p.png', { type: 'temp', subfolder: 'a/b' }), '2': out('gifs', 'g.gif', { subfolder: 'c' }) });
  const saved = await savedOf(engine, promptId);
  assert.deepEqual(saved.files.map((f) => f.path.slice(folder.length + 1)).sort(), [join('a', 'b', '1-0-p.png'), join('c', '2-0-g.gif')].sort());
});

test('hostile file names from the server are saved under safe names, inside the folder', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const folder = await tempDir(t);
  const engine = await savingEngine(t, sim.url, { dataDir: await tempDir(t), outputs: { folder, template: '{server}/{subfolder}/{filename}' } });
  await serverConnected(engine);
  // Names the simulated /view serves (like ComfyUI it refuses `..` and leading `/` itself).
  const names = ['CON.png', 'nul', 'a<b>:c?*|".png', 'trailing. . ', `${'x'.repeat(300)}.png`, 'evil\u202Egnp.exe', '.hidden.png', 'tab\tname.png', 'C:\\x.png'];
  const prompt = Object.fromEntries(names.map((name, i) => [String(i + 1), out('images', name, { subfolder: i % 2 ? 'AUX' : 'x:y' })]));
  const saved = await savedOf(engine, sim.enqueue(prompt).promptId);
  assert.equal(saved.files.length, names.length);
  const relative = saved.files.map((f) => f.path.slice(folder.length + 1).split(/[/\\]/));
  for (const [i, file] of saved.files.entries()) {
    assert.ok(file.path.startsWith(join(folder, SERVER_NAME)));
    for (const part of relative[i]!) assert.doesNotMatch(part, /^(con|nul|aux)(\.|$)|[<>:"|?*\u0000-\u001f\u202e]|[. ]$|^\./i, part);
    assert.ok((await readFile(file.path)).equals(simBytes(sim, file.type, file.subfolder, file.filename)));
  }
  assert.equal(new Set(saved.files.map((f) => f.path)).size, names.length);
});

test('a failed job keeps what it produced before failing', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const folder = await tempDir(t);
  const engine = await savingEngine(t, sim.url, { dataDir: await tempDir(t), outputs: { folder } });
  const saved = nextEvent(engine.events, 'saved');
  // The simulator runs later prompt keys first: the output node, then the failing one.
  const job = await finish(engine, sim, { '1': { class_type: 'SimRaise', inputs: { message: 'boom' } }, '2': out('images', 'partial.png') });
  assert.equal(job.status, 'failed');
  assert.equal((await saved).jobId, job.id);
  assert.deepEqual((await saved).files.map((f) => f.filename), ['partial.png']);
});

test('duplicate events, a reconnect and a restart never save a file twice; a deleted file is not fetched again', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const folder = await tempDir(t);
  const dataDir = await tempDir(t);
  const engine = await savingEngine(t, sim.url, { dataDir, outputs: { folder } });
  await serverConnected(engine);
  const { promptId } = sim.enqueue({ '1': out('images', 'once.png', { count: 3 }) });
  const saved = await savedOf(engine, promptId);
  const job = engine.job('s0', promptId)!;
  const views = sim.requestCount('/view');
  let savedEvents = 0;
  engine.events.on('saved', () => savedEvents++);

  await rm(saved.files[0]!.path);
  engine.events.emit('job-finished', job);
  engine.events.emit('job-finished', job);
  engine.reconnectNow();
  await serverConnected(engine);
  await engine.settled();
  await engine.outputs!.settled();
  await engine.stop();

  const again = await savingEngine(t, sim.url, { dataDir, outputs: { folder } });
  await serverConnected(again);
  again.events.emit('job-finished', job);
  await again.settled();
  await again.outputs!.settled();

  assert.equal(savedEvents, 0);
  assert.equal(sim.requestCount('/view'), views, 'nothing downloaded again');
  assert.equal((await filesUnder(folder)).length, 2, 'the deleted file stays deleted, no copies');
});

test('per server: saving off for one, its own folder for another', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const [shared, own] = [await tempDir(t), await tempDir(t)];
  const engine = await savingEngine(t, sim.url, {
    dataDir: await tempDir(t),
    outputs: { folder: shared, perServer: { off: { enabled: false }, mine: { folder: own } } },
    servers: [
      { id: 'off', name: 'off', url: sim.url },
      { id: 'mine', name: 'mine', url: sim.url },
    ],
  });
  await Promise.all([serverConnected(engine, 'off'), serverConnected(engine, 'mine')]);
  await engine.settled();
  const { promptId } = sim.enqueue({ '1': out('images', 'where.png') });
  const finishedOff = nextEvent(engine.events, 'job-finished', (j) => j.id === promptId && j.serverId === 'off');
  const saved = await nextEvent(engine.events, 'saved', (e) => e.jobId === promptId);
  await finishedOff;
  await engine.outputs!.settled();
  assert.equal(saved.serverId, 'mine');
  assert.ok(saved.files[0]!.path.startsWith(own));
  assert.deepEqual(await filesUnder(shared), []);
  assert.equal(engine.outputs!.saveState('off', promptId), undefined);
});

test('an existing file is never overwritten', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const folder = await tempDir(t);
  const engine = await savingEngine(t, sim.url, { dataDir: await tempDir(t), outputs: { folder, template: '{filename}' } });
  await serverConnected(engine);
  const first = await savedOf(engine, sim.enqueue({ '1': out('images', 'same.png') }).promptId);
  const second = await savedOf(engine, sim.enqueue({ '1': out('images', 'same.png', { image: ['2', 0] }), '2': IMAGE }).promptId);
  assert.equal(first.files[0]!.path, join(folder, 'same.png'));
  assert.equal(second.files[0]!.path, join(folder, 'same (1).png'));
});

test('animated outputs: an animated WebP listed under images with animated: [true], videos under images, gifs and video', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const folder = await tempDir(t);
  const engine = await savingEngine(t, sim.url, { dataDir: await tempDir(t), outputs: { folder, sidecar: true, template: '{filename}' } });
  await serverConnected(engine);
  const { promptId } = sim.enqueue({
    '1': out('images', 'loop.webp', { animated: true }),
    '2': out('images', 'core-video.mp4', { animated: true }),
    '3': out('gifs', 'vhs.gif'),
    '4': out('video', 'clip.webm'),
  });
  const job = await nextEvent(engine.events, 'job-finished', (j) => j.id === promptId, 20_000);
  const saved = await savedOf(engine, promptId);
  assert.deepEqual(
    job.outputs.filter((ref) => ref.animated === true).map((ref) => ref.filename).sort(),
    ['core-video.mp4', 'loop.webp'],
    'the simulator flags them as a real server does',
  );
  assert.deepEqual(saved.files.map((f) => f.filename).sort(), ['clip.webm', 'core-video.mp4', 'loop.webp', 'vhs.gif']);
  for (const file of saved.files) assert.ok((await readFile(file.path)).equals(simBytes(sim, file.type, file.subfolder, file.filename)), file.filename);
  const webp = await readFile(join(folder, 'loop.webp'));
  assert.equal(webp.toString('latin1', 8, 16), 'WEBPVP8X');
  assert.equal(webp[20]! & 0x02, 0x02, 'still an animated WebP on disk');
  const sidecar = JSON.parse(await readFile(saved.sidecar!, 'utf8')) as { outputs: { filename: string; kind: string; animated?: boolean }[] };
  assert.deepEqual(
    sidecar.outputs.map((o) => [o.filename, o.kind, o.animated ?? false]).sort(),
    [
      ['clip.webm', 'video', false],
      ['core-video.mp4', 'images', true],
      ['loop.webp', 'images', true],
      ['vhs.gif', 'gifs', false],
    ],
  );
});

test("an output in the server's own record of the job but missing from the live events is saved too", async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const folder = await tempDir(t);
  const { promptId } = sim.enqueue({ '1': out('images', 'seen.png'), '2': out('audio', 'missed.flac') });
  await new Promise<void>((resolve) => sim.events.on('finished', (e: { promptId: string }) => e.promptId === promptId && resolve()));
  const { saver, finish } = await directSaver(t, sim.url, { dataDir: await tempDir(t), outputs: { folder, template: '{filename}' } });
  const saved = nextEvent(saver.events, 'saved', (e) => e.jobId === promptId);
  // The live events told of one output only (a socket that dropped mid-job, say).
  await finish(promptId, [outputRef('seen.png', { nodeId: '1' })]);
  const files = (await saved).files;
  assert.deepEqual(files.map((f) => f.filename).sort(), ['missed.flac', 'seen.png']);
  for (const file of files) assert.ok((await readFile(file.path)).equals(simBytes(sim, file.type, file.subfolder, file.filename)), file.filename);
});

test('a job announced before its server record was written is saved once that record was checked, with what it adds', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const folder = await tempDir(t);
  const { promptId } = sim.enqueue({ '1': out('images', 'seen.png'), '2': out('audio', 'missed.flac') });
  await new Promise<void>((resolve) => sim.events.on('finished', (e: { promptId: string }) => e.promptId === promptId && resolve()));
  let reached = (): void => undefined;
  const waiting = new Promise<void>((resolve) => (reached = resolve));
  let release = (): void => undefined;
  const checked = new Promise<void>((resolve) => (release = resolve));
  let lookups = 0;
  const { saver, journal, finish } = await directSaver(t, sim.url, {
    dataDir: await tempDir(t),
    outputs: { folder, template: '{filename}' },
    wrap: (backend) =>
      new Proxy(backend, {
        get(target, property) {
          const value: unknown = Reflect.get(target, property, target);
          if (property === 'lookup') lookups++;
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
      }),
    recordChecked: (id) => {
      if (id === promptId) reached();
      return checked;
    },
  });
  const saved = nextEvent(saver.events, 'saved', (e) => e.jobId === promptId);
  const job = await finish(promptId, [outputRef('seen.png', { nodeId: '1' })]);
  await waiting;
  // Accepted (a crash now resumes it at the next start), and nothing asked of the server before the check is over.
  assert.equal(saver.saveState('s0', promptId)?.state, 'pending');
  assert.equal(lookups, 0);
  // The check completed the journal's record with the output the live events missed.
  await journal.recordFinished('s0', { ...job, status: 'completed', outputs: [...job.outputs, outputRef('missed.flac', { nodeId: '2', kind: 'audio' })] });
  release();
  assert.deepEqual((await saved).files.map((f) => f.filename).sort(), ['missed.flac', 'seen.png']);
});

test('an own job announced from its live events: outputs its record adds once written are saved in the same pass, once', async (t) => {
  const folder = await tempDir(t);
  const { backend, engine } = await connectedEngine(t, { outputs: { folder, template: '{filename}' } });
  const { promptId } = await engine.submit('fake', { prompt: { '9': { class_type: 'SaveImage', inputs: {} } } });
  backend.start_(promptId);
  backend.send({ type: 'execution_start', promptId, timestamp: 1000 });
  backend.send({ type: 'executed', promptId, node: '9', displayNode: '9', output: { images: [{ filename: 'a.png', subfolder: '', type: 'output' }] } });
  const finished = nextEvent(engine.events, 'job-finished', (job) => job.id === promptId);
  const saved: string[][] = [];
  engine.events.on('saved', (e) => saved.push(e.files.map((f) => f.filename).sort()));
  backend.send({ type: 'execution_success', promptId, timestamp: 2000 });
  assert.deepEqual((await finished).outputs.map((o) => o.filename), ['a.png']);
  // Written after execution_success, as ComfyUI does (its answer until then lists the job as running).
  backend.complete(promptId, { outputs: [fakeOutput('9', 'a.png'), fakeOutput('9', 'b.png')] });
  const done = nextEvent(engine.events, 'saved', (e) => e.jobId === promptId);
  backend.send({ type: 'executing', promptId, node: null, displayNode: null });
  await done;
  await engine.outputs?.settled();
  assert.deepEqual(saved, [['a.png', 'b.png']]);
  assert.deepEqual(await filesUnder(folder), ['a.png', 'b.png']);
});

test('a subfolder nested 2,000 levels deep is saved inside the folder at a bounded depth, not retried forever', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const folder = await tempDir(t);
  const engine = await savingEngine(t, sim.url, { dataDir: await tempDir(t), outputs: { folder, template: '{server}/{subfolder}/{filename}' } });
  await serverConnected(engine);
  const failed: string[] = [];
  engine.events.on('save-failed', (e) => failed.push(e.code));
  // 6,000 characters: beyond Linux's PATH_MAX (4,096) as it stands.
  const { promptId } = sim.enqueue({ '1': out('images', 'deep.png', { subfolder: 'ab/'.repeat(2000) }) });
  const [file] = (await savedOf(engine, promptId)).files;
  const levels = file!.path.slice(folder.length + 1).split(/[/\\]/);
  assert.ok(levels.length <= 1 + MAX_SUBFOLDER_DEPTH + 1, `${levels.length} levels`);
  assert.equal(levels[0], SERVER_NAME);
  assert.equal(levels.at(-1), 'deep.png');
  assert.ok((await readFile(file!.path)).equals(simBytes(sim, file!.type, file!.subfolder, file!.filename)));
  assert.deepEqual(failed, []);
});
