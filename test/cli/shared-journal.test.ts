// The app and the headless mode keep one journal: a server the app has configured is the same server (same id, same
// records) whichever of them watches it, so what one announced the other does not repeat, and what finished while
// neither watched is caught up once.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Engine } from '../../electron/core/engine.js';
import { ComfySimulator } from '../support/comfy-simulator.js';
import { nextEvent, tempDir } from '../support/events.js';
import { startWatch } from './watch-harness.js';

const prompt = (color: number): Record<string, unknown> => ({
  '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color } },
  '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'shared' } },
});

/** The app's settings file as electron-store writes it (`settings` key), in the data folder. */
async function writeAppSettings(dataDir: string, servers: readonly Record<string, unknown>[]): Promise<string> {
  const text = JSON.stringify({ settings: { version: 2, servers } }, null, 2);
  await writeFile(join(dataDir, 'settings.json'), text);
  return text;
}

async function finishedOnServer(sim: ComfySimulator, color: number): Promise<string> {
  const { promptId } = sim.enqueue(prompt(color));
  for (;;) {
    const [event] = (await once(sim.events, 'finished')) as [{ promptId: string }];
    if (event.promptId === promptId) return promptId;
  }
}

test('a --server URL the app has configured runs under the app\'s id: what the app announced is not repeated, what finished meanwhile is caught up', { timeout: 30_000 }, async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const dataDir = await tempDir(t);
  const port = new URL(sim.url).port;
  const settingsText = await writeAppSettings(dataDir, [{ id: 'local', name: 'Local ComfyUI', url: `http://127.0.0.1:${port}`, auth: { kind: 'none' }, enabled: true }]);

  // The app, as the core runs it in the app: server id 'local', the same data folder.
  const app = await Engine.create({ dataDir, servers: [{ id: 'local', name: 'Local ComfyUI', url: `http://127.0.0.1:${port}` }] });
  const connected = nextEvent(app.events, 'server', (s) => s.state === 'connected');
  app.start();
  await connected;
  await app.settled();
  const seenByApp = sim.enqueue(prompt(1)).promptId;
  await nextEvent(app.events, 'job-finished', (job) => job.id === seenByApp);
  await app.stop();

  const whileAway = await finishedOnServer(sim, 2);

  // The same server spelled another way on the command line (scheme case, trailing slash).
  const cliUrl = `HTTP://127.0.0.1:${port}/`;
  const headless = startWatch({ servers: [cliUrl], dataDir });
  t.after(() => headless.stop());
  const caughtUp = await headless.until((l) => l.event === 'job' && l.final === true);
  assert.equal(caughtUp.id, whileAway, 'the job the app announced is not announced again; the one that finished meanwhile is');
  assert.equal(caughtUp.caughtUp, true);
  assert.equal(caughtUp.serverId, 'local');
  assert.equal(caughtUp.server, `http://127.0.0.1:${port}`);
  const digest = await headless.until((l) => l.event === 'digest');
  assert.deepEqual(digest.ids, [whileAway]);

  const live = sim.enqueue(prompt(3)).promptId;
  const final = await headless.until((l) => l.event === 'job' && l.final === true && l.id === live);
  assert.equal(final.caughtUp, undefined);
  assert.equal(await headless.stop(), 0);
  assert.ok(!headless.seen.some((l) => l.id === seenByApp));
  assert.equal(await readFile(join(dataDir, 'settings.json'), 'utf8'), settingsText, 'the app\'s settings are read, never written');

  // And back: the app does not announce what the headless run announced.
  const app2 = await Engine.create({ dataDir, servers: [{ id: 'local', name: 'Local ComfyUI', url: `http://127.0.0.1:${port}` }] });
  const announced: string[] = [];
  app2.events.on('job-finished', (job) => announced.push(job.id));
  const reconnected = nextEvent(app2.events, 'server', (s) => s.state === 'connected');
  app2.start();
  await reconnected;
  await app2.settled();
  const next = sim.enqueue(prompt(4)).promptId;
  await nextEvent(app2.events, 'job-finished', (job) => job.id === next);
  await app2.stop();
  assert.deepEqual(announced, [next]);
});

test('without --server, watch follows the servers the app has switched on, under their ids', { timeout: 20_000 }, async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const dataDir = await tempDir(t);
  await writeAppSettings(dataDir, [
    { id: 'gpu-box', name: 'GPU box', url: sim.url, enabled: true },
    { id: 'off', name: 'Switched off', url: 'http://127.0.0.1:9/', enabled: false },
  ]);
  const headless = startWatch({ servers: [], dataDir });
  t.after(() => headless.stop());
  const connected = await headless.until((l) => l.event === 'connection' && l.state === 'connected');
  assert.equal(connected.serverId, 'gpu-box');
  const id = sim.enqueue(prompt(5)).promptId;
  const final = await headless.until((l) => l.event === 'job' && l.final === true && l.id === id);
  assert.equal(final.serverId, 'gpu-box');
  assert.equal(await headless.stop(), 0);
  assert.deepEqual([...new Set(headless.seen.map((l) => l.serverId))], ['gpu-box']);
});
