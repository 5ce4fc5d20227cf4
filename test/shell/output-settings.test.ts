// "Save outputs" per server over the global switch: a server's own Always/Never wins, the global switch is the
// default. Decided in output-settings.ts; the last test runs a real engine on two simulated servers with its answer.
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Engine } from '../../electron/core/engine.js';
import { settingsSchema, type Settings } from '../../electron/core/store/settings-schema.js';
import { outputFolderFor, outputOptionsFor, prepareOutputOptions } from '../../electron/shell/output-settings.js';
import { ComfySimulator } from '../support/comfy-simulator.js';
import { nextEvent, tempDir } from '../support/events.js';
import { FAST_TIMINGS } from '../support/timings.js';

const DEFAULT_FOLDER = join('pictures', 'Comfy Tray');

function settings(input: { globalSave: boolean; servers: { id: string; saveOutputs?: boolean; outputFolder?: string; enabled?: boolean; url?: string }[]; folder?: string }): Settings {
  return settingsSchema.parse({
    servers: input.servers.map((s) => ({ name: s.id, url: s.url ?? `http://${s.id}.lan:8188`, ...s })),
    outputs: { enabled: input.globalSave, ...(input.folder !== undefined && { folder: input.folder }) },
  });
}

test('saving off globally, one server set to Always: a saver exists, for that server only', () => {
  const options = outputOptionsFor(settings({ globalSave: false, servers: [{ id: 'always', saveOutputs: true }, { id: 'default' }, { id: 'never', saveOutputs: false }] }), DEFAULT_FOLDER);
  assert.ok(options, 'the saver is built');
  assert.equal(options.folder, DEFAULT_FOLDER);
  assert.deepEqual(options.perServer, { always: { enabled: true }, default: { enabled: false }, never: { enabled: false } }, 'the global "off" is written out for the server without its own choice');
});

test('the saver gets the download limits: 20 GiB per output and 1 GiB left free by default, as set otherwise', () => {
  const gib = 1024 ** 3;
  const defaults = outputOptionsFor(settings({ globalSave: true, servers: [{ id: 'a' }] }), DEFAULT_FOLDER);
  assert.deepEqual([defaults?.maxFileBytes, defaults?.minFreeBytes], [20 * gib, gib]);
  const set = outputOptionsFor(settingsSchema.parse({ outputs: { maxFileGiB: 0.5, minFreeGiB: 0 } }), DEFAULT_FOLDER);
  assert.deepEqual([set?.maxFileBytes, set?.minFreeBytes], [gib / 2, 0]);
  assert.equal(settingsSchema.safeParse({ outputs: { maxFileGiB: 0 } }).success, false, 'no output may be capped at nothing');
});

test('no saver when no enabled server saves; a disabled server set to Always does not count', () => {
  assert.equal(outputOptionsFor(settings({ globalSave: false, servers: [{ id: 'a' }, { id: 'b', saveOutputs: false }] }), DEFAULT_FOLDER), undefined);
  assert.equal(outputOptionsFor(settings({ globalSave: false, servers: [{ id: 'a', saveOutputs: true, enabled: false }] }), DEFAULT_FOLDER), undefined);
  assert.equal(outputOptionsFor(settings({ globalSave: true, servers: [{ id: 'a', saveOutputs: false }] }), DEFAULT_FOLDER), undefined);
});

test('saving on globally: every server saves unless set to Never; folders per server and the chosen global one', () => {
  const options = outputOptionsFor(
    settings({ globalSave: true, folder: 'chosen', servers: [{ id: 'a' }, { id: 'b', saveOutputs: false }, { id: 'c', outputFolder: 'c-folder' }] }),
    DEFAULT_FOLDER,
  );
  assert.equal(options?.folder, 'chosen');
  assert.deepEqual(options?.perServer, { a: { enabled: true }, b: { enabled: false }, c: { enabled: true, folder: 'c-folder' } });
});

test('"Open output folder" follows the same rule: Always opens even with saving off globally; Never and unknown servers do not', () => {
  const off = settings({ globalSave: false, servers: [{ id: 'always', saveOutputs: true }, { id: 'own', saveOutputs: true, outputFolder: 'own-folder' }, { id: 'default' }] });
  assert.equal(outputFolderFor(off, 'always', DEFAULT_FOLDER), DEFAULT_FOLDER);
  assert.equal(outputFolderFor(off, 'own', DEFAULT_FOLDER), 'own-folder');
  assert.equal(outputFolderFor(off, 'default', DEFAULT_FOLDER), undefined);
  assert.equal(outputFolderFor(off, 'missing', DEFAULT_FOLDER), undefined);
  const on = settings({ globalSave: true, folder: 'chosen', servers: [{ id: 'default' }, { id: 'never', saveOutputs: false }] });
  assert.equal(outputFolderFor(on, 'default', DEFAULT_FOLDER), 'chosen');
  assert.equal(outputFolderFor(on, 'never', DEFAULT_FOLDER), undefined);
});

test('the default folder is created only when it is used', async (t) => {
  const root = await tempDir(t);
  const unused = join(root, 'unused');
  await prepareOutputOptions(settings({ globalSave: false, servers: [{ id: 'a' }] }), unused);
  await assert.rejects(stat(unused), { code: 'ENOENT' });
  const used = join(root, 'used');
  await prepareOutputOptions(settings({ globalSave: false, servers: [{ id: 'a', saveOutputs: true }] }), used);
  assert.ok((await stat(used)).isDirectory());
});

test('a real engine with these options: the Always server saves its output, the default one (global off) saves nothing', async (t) => {
  const [always, other] = await Promise.all([ComfySimulator.start(), ComfySimulator.start()]);
  t.after(() => Promise.all([always.stop(), other.stop()]).then(() => undefined));
  const folder = join(await tempDir(t), 'outputs');
  const current = settings({ globalSave: false, servers: [{ id: 'always', saveOutputs: true, url: always.url }, { id: 'default', url: other.url }] });
  const outputs = await prepareOutputOptions(current, folder);
  assert.ok(outputs);
  const engine = await Engine.create({
    dataDir: await tempDir(t),
    servers: current.servers,
    timings: FAST_TIMINGS,
    tracker: { recheckDelayMs: 50 },
    outputs: { ...outputs, template: '{server}/{filename}' },
  });
  t.after(() => engine.stop());
  engine.start();
  await Promise.all(
    ['always', 'default'].map((id) => nextEvent(engine.events, 'server', (s) => s.id === id && s.state === 'connected')),
  );
  const prompt = (filename: string) => ({ '1': { class_type: 'SimOutput', inputs: { filename } } });
  const defaultDone = nextEvent(engine.events, 'job-finished', (job) => job.serverId === 'default');
  const saved = nextEvent(engine.events, 'saved', (event) => event.serverId === 'always');
  other.enqueue(prompt('default.png'));
  const { promptId } = always.enqueue(prompt('always.png'));
  const savedEvent = await saved;
  assert.equal(savedEvent.jobId, promptId);
  assert.ok((await readFile(join(folder, 'always', 'always.png'))).equals(always.outputs.get('output//always.png')!));
  const finished = await defaultDone;
  await engine.outputs?.settled();
  assert.equal(engine.outputs?.saveState('default', finished.id), undefined, 'nothing recorded as saved for the default server');
  assert.deepEqual(await readdir(folder), ['always']);
});
