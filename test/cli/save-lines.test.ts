// What `watch --output-dir` prints about saving: when saving a job ends without every file (the server no longer has
// some, or refuses their names), one "save-given-up" line says what was saved and how many files were not.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { serverIdForUrl } from '../../electron/core/comfy/server-config.js';
import { ComfySimulator } from '../support/comfy-simulator.js';
import { tempDir } from '../support/events.js';
import { watch } from '../../electron/cli/commands.js';
import { captureIo, startWatch } from './watch-harness.js';

test('a job whose saving is given up gets a save-given-up line with the files that were saved and the missing count', { timeout: 30_000 }, async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const outputDir = await tempDir(t);
  const headless = startWatch({ servers: [sim.url], dataDir: await tempDir(t), outputDir, outputTemplate: '{filename}' });
  t.after(() => headless.stop());
  await headless.until((l) => l.event === 'connection' && l.state === 'connected');
  // ComfyUI's /view refuses a name with `..` (HTTP 400): that file can never be downloaded, so it is given up at
  // once, in the job's first pass, while the other file is saved.
  const { promptId } = sim.enqueue({
    '1': { class_type: 'SimOutput', inputs: { filename: 'kept.png' } },
    '2': { class_type: 'SimOutput', inputs: { filename: 'never..png' } },
  });
  const line = await headless.until((l) => l.event === 'save-given-up' && l.id === promptId);
  const server = serverIdForUrl(sim.url);
  const kept = join(outputDir, 'kept.png');
  assert.deepEqual(line, {
    event: 'save-given-up',
    server,
    serverId: server,
    id: promptId,
    code: 'OUTPUT_NOT_FOUND',
    reason: line.reason,
    missing: 1,
    files: [{ nodeId: '1', kind: 'images', index: 0, type: 'output', subfolder: '', filename: 'kept.png', path: kept, size: sim.outputs.get('output//kept.png')!.length }],
  });
  assert.match(String(line.reason), /never\.\.png .*refuses/);
  assert.ok((await readFile(kept)).equals(sim.outputs.get('output//kept.png')!));
  assert.equal(await headless.stop(), 0);
  const about = headless.seen.filter((l) => l.id === promptId && String(l.event).startsWith('save'));
  assert.deepEqual(about.map((l) => l.event), ['save-failed', 'save-given-up'], 'reported as failed once, then given up; never "saved"');
});

// Regression: a server's file name holding U+202E (right-to-left override) was echoed raw in the saved line, where a
// terminal shows `cat\u202Egnp.exe` as `catexe.png`.
test('saved and save-failed lines name files as saved, and nothing printed carries a raw bidi override from the server', { timeout: 30_000 }, async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const outputDir = await tempDir(t);
  const headless = startWatch({ servers: [sim.url], dataDir: await tempDir(t), outputDir, outputTemplate: '{subfolder}/{filename}' });
  t.after(() => headless.stop());
  await headless.until((l) => l.event === 'connection' && l.state === 'connected');
  // The second file's name is one the server refuses (`..`): the reason given names it, made safe too.
  const { promptId } = sim.enqueue({
    '1': { class_type: 'SimOutput', inputs: { filename: 'cat\u202Egnp.exe', subfolder: 'in\u202Eside' } },
    '2': { class_type: 'SimOutput', inputs: { filename: 'bad..\u202Egnp.exe' } },
  });
  const failed = await headless.until((l) => l.event === 'save-failed' && l.id === promptId);
  assert.match(String(failed.reason), /bad\.\._gnp\.exe/);
  assert.doesNotMatch(String(failed.reason), /\u202E/);
  const line = await headless.until((l) => l.event === 'save-given-up' && l.id === promptId);
  const files = line.files as Record<string, unknown>[];
  assert.equal(files.length, 1);
  assert.equal(files[0]?.filename, 'cat_gnp.exe');
  assert.equal(files[0]?.subfolder, 'in_side');
  assert.equal(files[0]?.path, join(outputDir, 'in_side', 'cat_gnp.exe'));
  assert.equal(await headless.stop(), 0);
  // The job's own line keeps the server's name (a reader fetches by it), escaped: the same string once parsed.
  assert.ok(headless.seen.some((l) => l.event === 'job' && JSON.stringify(l.outputs).includes('cat\u202Egnp.exe')));
  assert.ok(!headless.stdoutText().includes('\u202E'), 'no raw U+202E on stdout');
});

test('watch --output-dir refuses a system folder (here the data folder, and the home folder) with CLI_USAGE', async (t) => {
  const dataDir = await tempDir(t);
  for (const outputDir of [join(dataDir, 'outputs'), homedir()]) {
    await assert.rejects(watch({ servers: ['http://127.0.0.1:9'], dataDir, outputDir }, captureIo().io, Promise.resolve()), { code: 'CLI_USAGE' });
  }
  assert.deepEqual(await readdir(dataDir), [], 'nothing created, the data folder not even locked any more');
});
