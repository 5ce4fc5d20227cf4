// A headless run without --output-dir saves nothing itself, but the jobs it records are ones the app never sees as
// new: on servers whose outputs the app saves, they are left marked as to be saved, and the app saves them at its
// next start (a script ran `submit --wait` while the app was closed; the user still gets the file).
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { submit } from '../../electron/cli/submit-commands.js';
import { Engine } from '../../electron/core/engine.js';
import { Journal } from '../../electron/core/jobs/journal.js';
import { parseSavedStage, SAVED_STAGE } from '../../electron/core/outputs/saved-stage.js';
import { settingsSchema } from '../../electron/core/store/settings-schema.js';
import { outputOptionsFor } from '../../electron/shell/output-settings.js';
import { ComfySimulator } from '../support/comfy-simulator.js';
import { nextEvent, tempDir } from '../support/events.js';
import { captureIo, parseLines, startWatch } from './watch-harness.js';

const output = (filename: string): Record<string, unknown> => ({ '1': { class_type: 'SimOutput', inputs: { filename } } });

/** The app's settings file as electron-store writes it, with the output folder the app saves into. */
async function writeAppSettings(dataDir: string, settings: Record<string, unknown>): Promise<void> {
  await writeFile(join(dataDir, 'settings.json'), JSON.stringify({ settings: { version: 2, ...settings } }));
}

/** The app starting over the same data folder: the engine with the saver its settings make. */
async function startApp(dataDir: string, servers: readonly { id: string; name: string; url: string }[]): Promise<Engine> {
  const { settings } = JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8')) as { settings: unknown };
  const outputs = outputOptionsFor(settingsSchema.parse(settings), join(dataDir, 'unused-default'));
  assert.ok(outputs, 'the app saves outputs');
  const app = await Engine.create({ dataDir, servers, outputs });
  app.start();
  return app;
}

async function savedStages(dataDir: string, serverId: string): Promise<Map<string, string | undefined>> {
  const { journal } = await Journal.openIn(dataDir);
  return new Map(journal.finishedJobs(serverId).map((record) => [record.id, parseSavedStage(record.handled[SAVED_STAGE])?.state]));
}

test('a job `submit --wait` finished while the app was closed is saved by the app at its next start', { timeout: 30_000 }, async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const dataDir = await tempDir(t);
  const outputDir = await tempDir(t);
  await writeAppSettings(dataDir, {
    servers: [{ id: 'gpu', name: 'GPU', url: sim.url, enabled: true }],
    outputs: { enabled: true, folder: outputDir, template: '{filename}' },
  });
  const file = join(await tempDir(t), 'api.json');
  await writeFile(file, JSON.stringify(output('scripted.png')));

  const captured = captureIo();
  const code = await submit(
    { file, server: sim.url, dataDir, wait: true, repeat: 1, randomizeSeeds: false, front: false, upload: false, force: false },
    captured.io,
  );
  assert.equal(code, 0, captured.stderrText());
  const id = parseLines(captured.stdoutText()).find((line) => line.event === 'submitted')?.id as string;
  assert.equal((await savedStages(dataDir, 'gpu')).get(id), 'pending', 'left for the app to save');

  const app = await startApp(dataDir, [{ id: 'gpu', name: 'GPU', url: sim.url }]);
  t.after(() => app.stop());
  const saved = await nextEvent(app.events, 'saved', (event) => event.jobId === id);
  assert.equal(saved.files.length, 1);
  assert.equal(saved.files[0]!.path, join(outputDir, 'scripted.png'));
  assert.ok((await readFile(saved.files[0]!.path)).equals(sim.outputs.get('output//scripted.png')!));
  await app.stop();
  assert.equal((await savedStages(dataDir, 'gpu')).get(id), 'done');
});

test('watch without --output-dir leaves finished jobs for the app to save, only on servers the app saves', { timeout: 30_000 }, async (t) => {
  const [saving, notSaving, globallyOff] = await Promise.all([ComfySimulator.start(), ComfySimulator.start(), ComfySimulator.start()]);
  t.after(() => Promise.all([saving.stop(), notSaving.stop(), globallyOff.stop()]).then(() => undefined));
  const dataDir = await tempDir(t);
  const outputDir = await tempDir(t);
  // Saving is off globally; one server says Always, one Never, one follows the global switch.
  await writeAppSettings(dataDir, {
    servers: [
      { id: 'always', name: 'Always', url: saving.url, enabled: true, saveOutputs: true },
      { id: 'never', name: 'Never', url: notSaving.url, enabled: true, saveOutputs: false },
      { id: 'global', name: 'Global', url: globallyOff.url, enabled: true },
    ],
    outputs: { enabled: false, folder: outputDir, template: '{filename}' },
  });

  const headless = startWatch({ servers: [], dataDir });
  t.after(() => headless.stop());
  for (const serverId of ['always', 'never', 'global']) await headless.until((l) => l.event === 'connection' && l.state === 'connected' && l.serverId === serverId);
  const ids = {
    always: saving.enqueue(output('kept.png')).promptId,
    never: notSaving.enqueue(output('never.png')).promptId,
    global: globallyOff.enqueue(output('off.png')).promptId,
  };
  for (const id of Object.values(ids)) await headless.until((l) => l.event === 'job' && l.final === true && l.id === id);
  assert.equal(await headless.stop(), 0);
  assert.equal((await savedStages(dataDir, 'always')).get(ids.always), 'pending');
  assert.equal((await savedStages(dataDir, 'never')).get(ids.never), undefined);
  assert.equal((await savedStages(dataDir, 'global')).get(ids.global), undefined);

  const app = await startApp(dataDir, [{ id: 'always', name: 'Always', url: saving.url }]);
  t.after(() => app.stop());
  const saved = await nextEvent(app.events, 'saved', (event) => event.jobId === ids.always);
  assert.ok((await readFile(saved.files[0]!.path)).equals(saving.outputs.get('output//kept.png')!));
});

test('jobs on a server the app has switched off are not left for it to save, whatever its "Save outputs" says', { timeout: 30_000 }, async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const dataDir = await tempDir(t);
  await writeAppSettings(dataDir, {
    servers: [{ id: 'off', name: 'Off', url: sim.url, enabled: false, saveOutputs: true }],
    outputs: { enabled: true, folder: await tempDir(t), template: '{filename}' },
  });
  // Watched by URL: the app's id, but the app itself never watches it, so never saves what is left for it.
  const headless = startWatch({ servers: [sim.url], dataDir });
  t.after(() => headless.stop());
  await headless.until((l) => l.event === 'connection' && l.state === 'connected' && l.serverId === 'off');
  const { promptId } = sim.enqueue(output('unwatched.png'));
  await headless.until((l) => l.event === 'job' && l.final === true && l.id === promptId);
  assert.equal(await headless.stop(), 0);
  const stages = await savedStages(dataDir, 'off');
  assert.ok(stages.has(promptId), 'the job is in the journal');
  assert.equal(stages.get(promptId), undefined, 'and not marked as to be saved');
});

test('a later watch --output-dir leaves the jobs an earlier run left for the app to the app, into the app\'s folder', { timeout: 30_000 }, async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const dataDir = await tempDir(t);
  const [appFolder, cliFolder] = [await tempDir(t), await tempDir(t)];
  await writeAppSettings(dataDir, {
    servers: [{ id: 'gpu', name: 'GPU', url: sim.url, enabled: true }],
    outputs: { enabled: true, folder: appFolder, template: '{filename}' },
  });
  const quiet = startWatch({ servers: [], dataDir });
  t.after(() => quiet.stop());
  await quiet.until((l) => l.event === 'connection' && l.state === 'connected');
  const { promptId } = sim.enqueue(output('apps.png'));
  await quiet.until((l) => l.event === 'job' && l.final === true && l.id === promptId);
  assert.equal(await quiet.stop(), 0);
  assert.equal((await savedStages(dataDir, 'gpu')).get(promptId), 'pending', 'left for the app');

  // Saving into its own folder: on connecting it looks at every unfinished save, and must not take this one.
  const saving = startWatch({ servers: [], dataDir, outputDir: cliFolder, outputTemplate: '{filename}' });
  t.after(() => saving.stop());
  await saving.until((l) => l.event === 'connection' && l.state === 'connected');
  assert.equal(await saving.stop(), 0);
  assert.deepEqual(await readdir(cliFolder), []);
  const { journal } = await Journal.openIn(dataDir);
  const stage = parseSavedStage(journal.finishedRecord('gpu', promptId)?.handled[SAVED_STAGE]);
  assert.equal(stage?.state, 'pending');
  assert.equal(stage?.owner, 'app', 'still marked as the app\'s');

  const app = await startApp(dataDir, [{ id: 'gpu', name: 'GPU', url: sim.url }]);
  t.after(() => app.stop());
  const saved = await nextEvent(app.events, 'saved', (event) => event.jobId === promptId);
  assert.equal(saved.files[0]!.path, join(appFolder, 'apps.png'));
});
