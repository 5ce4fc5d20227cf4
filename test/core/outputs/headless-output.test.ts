// The headless entry's --output-dir and --output-template: parsed and validated, and `watch` saves outputs and
// prints one "saved" line per job.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { HELP, parseCli } from '../../../electron/cli/args.js';
import { watch } from '../../../electron/cli/commands.js';
import { errorCode } from '../../../electron/core/errors.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { tempDir } from '../../support/events.js';
import { deferred } from './support.js';

test('--output-dir and --output-template are parsed, validated and documented', () => {
  assert.deepEqual(parseCli(['--server', 'http://a:1', '--output-dir', 'out', '--output-template', '{job}/{filename}']), {
    command: 'watch',
    servers: ['http://a:1'],
    verbose: false,
    outputDir: 'out',
    outputTemplate: '{job}/{filename}',
  });
  assert.equal(parseCli(['--output-dir', 'out']).command, 'watch');
  assert.throws(() => parseCli(['--output-template', '{filename}']), (e: unknown) => errorCode(e) === 'CLI_USAGE');
  assert.throws(() => parseCli(['--output-dir', 'o', '--output-template', '{nope}/{filename}']), (e: unknown) => errorCode(e) === 'CLI_USAGE');
  assert.match(HELP, /--output-dir DIR/);
  assert.match(HELP, /--output-template/);
  assert.match(HELP, /"event":"saved"/);
});

test('watch --output-dir saves every output and prints a saved line', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const outputDir = join(await tempDir(t), 'created by watch');
  const stdout = new PassThrough();
  const stop = deferred<void>();
  const lines = createInterface({ input: stdout });
  const running = watch({ servers: [sim.url], dataDir: await tempDir(t), outputDir, outputTemplate: '{job}_{filename}' }, { stdout, stderr: new PassThrough() }, stop.promise);
  t.after(async () => {
    stop.resolve();
    await running;
  });
  let promptId = '';
  for await (const text of lines) {
    const line = JSON.parse(text) as { event: string; state?: string; id?: string; files?: { path: string; size: number; filename: string }[] };
    if (line.event === 'connection' && line.state === 'connected' && !promptId) promptId = sim.enqueue({ '1': { class_type: 'SimOutput', inputs: { filename: 'cli.png' } } }).promptId;
    if (line.event !== 'saved') continue;
    assert.equal(line.id, promptId);
    const [file] = line.files!;
    assert.equal(file!.path, join(outputDir, `${promptId}_cli.png`));
    assert.ok((await readFile(file!.path)).equals(sim.outputs.get('output//cli.png')!));
    break;
  }
  stop.resolve();
  assert.equal(await running, 0);
});
