// The headless contract for the hosted services, exactly: `watch --cloud [URL]` (key from COMFY_CLOUD_API_KEY),
// `watch --comfycontrol URL --run ID…` (token from COMFYCONTROL_TOKEN), mixed with --server and --output-dir, job lines
// with "kind", `status ID --cloud URL` / `--comfycontrol URL`; secrets never on the command line, never printed,
// never in the journal.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { parseCli } from '../../electron/cli/args.js';
import { status } from '../../electron/cli/commands.js';
import { hostedSecret } from '../../electron/cli/secrets.js';
import { COMFY_CLOUD_URL } from '../../electron/core/backends/comfy-cloud/cloud-backend.js';
import { ComfySimulator } from '../support/comfy-simulator.js';
import { nextNodeEvent, tempDir } from '../support/events.js';
import { API_KEY, cloudAccount, SAVE } from '../core/backends/comfy-cloud/support.js';
import { comfyControl, PNG, TOKEN } from '../core/backends/comfycontrol/support.js';
import { captureIo, parseLines, startWatch } from './watch-harness.js';

const ENV = { COMFY_CLOUD_API_KEY: API_KEY, COMFYCONTROL_TOKEN: TOKEN };

test('the command line: --cloud takes an optional URL, --comfycontrol needs --run, each mixes with --server', () => {
  assert.deepEqual(parseCli(['watch', '--cloud']), { command: 'watch', servers: [], cloud: COMFY_CLOUD_URL, verbose: false });
  assert.deepEqual(parseCli(['--cloud', '--output-dir', 'out']), { command: 'watch', servers: [], cloud: COMFY_CLOUD_URL, verbose: false, outputDir: 'out' });
  assert.deepEqual(parseCli(['watch', '--cloud', 'https://eu.cloud.example', '--server', 'http://box:8188', '--comfycontrol', 'https://api.comfycontrol.app', '--run', 'r-1', '--run', 'r-2']), {
    command: 'watch',
    servers: ['http://box:8188'],
    cloud: 'https://eu.cloud.example',
    comfyControl: { url: 'https://api.comfycontrol.app', runs: ['r-1', 'r-2'] },
    verbose: false,
  });
  assert.deepEqual(parseCli(['status', 'abc', '--cloud']), { command: 'status', jobId: 'abc', server: COMFY_CLOUD_URL, kind: 'comfy-cloud', verbose: false });
  assert.deepEqual(parseCli(['status', 'abc', '--comfycontrol', 'https://api.comfycontrol.app']), { command: 'status', jobId: 'abc', server: 'https://api.comfycontrol.app', kind: 'comfycontrol', verbose: false });
  assert.equal((parseCli(['submit', 'w.json', '--cloud']) as { kind?: string }).kind, 'comfy-cloud');
  for (const bad of [
    ['watch', '--comfycontrol', 'https://api.comfycontrol.app'],
    ['watch', '--run', 'r-1'],
    ['watch', '--cloud', '--run', 'r-1'],
    ['status', 'abc', '--cloud', '--server', 'http://box'],
    ['submit', 'w.json', '--cloud', '--front'],
    ['submit', 'w.json', '--comfycontrol', 'https://api.comfycontrol.app'],
    ['convert', 'w.json', '--cloud'],
    ['watch', '--comfycontrol', 'https://api.comfycontrol.app', '--run', '../../etc'],
  ]) {
    assert.throws(() => parseCli(bad), { code: 'CLI_USAGE' }, bad.join(' '));
  }
});

test('secrets come from the environment only; a missing one names the variable, never a value', () => {
  assert.equal(hostedSecret('comfy-cloud', ENV), API_KEY);
  assert.equal(hostedSecret('comfycontrol', { COMFYCONTROL_TOKEN: `  ${TOKEN}\n` }), TOKEN);
  assert.throws(() => hostedSecret('comfy-cloud', {}), (e: Error & { code?: string }) => e.code === 'CLI_USAGE' && e.message.includes('COMFY_CLOUD_API_KEY'));
  assert.throws(() => hostedSecret('comfycontrol', { COMFYCONTROL_TOKEN: '   ' }), /COMFYCONTROL_TOKEN/);
  assert.throws(() => hostedSecret('comfycontrol', { COMFYCONTROL_TOKEN: 'two words-secret' }), (e: Error) => !e.message.includes('words-secret'));
});

test('watch --cloud, --comfycontrol --run and --server together: job lines carry their kind, outputs saved; no secret anywhere', { timeout: 40_000 }, async (t) => {
  const { cloud } = await cloudAccount(t);
  const { cc } = await comfyControl(t);
  const sim = await ComfySimulator.start({ stepDelayMs: 2 });
  t.after(() => sim.stop());
  const dataDir = await tempDir(t);
  const outputDir = await tempDir(t);
  const run = cc.addRun({ name: 'Poster' });
  const watch = startWatch({ servers: [sim.url], cloud: cloud.url, comfyControl: { url: cc.url, runs: [run] }, dataDir, outputDir, env: ENV });
  for (const kind of ['comfyui', 'comfy-cloud', 'comfycontrol']) await watch.until((l) => l.event === 'connection' && l.kind === kind && l.state === 'connected');

  const cloudJob = cloud.enqueue({ '1': SAVE });
  const comfyJob = sim.enqueue({ '1': { class_type: 'SimOutput', inputs: { filename: 'local.png' } } }, { clientId: 'browser' }).promptId;
  await nextNodeEvent(cc.events, 'stream-opened', (id: string) => id === run);
  cc.start(run);
  cc.complete(run, [{ name: 'poster.png', bytes: PNG }]);
  const finals = await Promise.all(
    [cloudJob, comfyJob, run].map((id) => watch.until((l) => l.event === 'job' && l.id === id && l.final === true, { timeoutMs: 20_000 })),
  );
  assert.deepEqual(
    finals.map((l) => [l.kind, l.status]),
    [
      ['comfy-cloud', 'completed'],
      ['comfyui', 'completed'],
      ['comfycontrol', 'completed'],
    ],
  );
  for (const id of [cloudJob, comfyJob, run]) await watch.until((l) => l.event === 'saved' && l.id === id, { timeoutMs: 20_000 });
  assert.equal(await watch.stop(), 0);

  const printed = JSON.stringify(watch.seen) + watch.stderr();
  const stored = await Promise.all((await readdir(dataDir)).map((name) => readFile(join(dataDir, name), 'utf8').catch(() => '')));
  for (const secret of [API_KEY, TOKEN]) {
    assert.ok(!printed.includes(secret), 'never printed');
    assert.ok(!stored.join('\n').includes(secret), 'never in the journal or anything else in the data folder');
  }
});

test('status ID --cloud URL and --comfycontrol URL print one job as for ComfyUI; an unknown id exits 1', { timeout: 20_000 }, async (t) => {
  const { cloud } = await cloudAccount(t);
  const { cc } = await comfyControl(t);
  const dataDir = await tempDir(t);
  const done = cloud.addFinished('completed', Date.now(), { outputs: { '9': { images: [{ filename: 'a.png', subfolder: '', type: 'output' }] } } }).id;
  const run = cc.addRun({ name: 'Waiting', queueNumber: 2 });
  const ask = async (options: Omit<Parameters<typeof status>[0], 'dataDir' | 'env'>): Promise<{ code: number; lines: Record<string, unknown>[] }> => {
    const captured = captureIo();
    const code = await status({ ...options, dataDir, env: ENV }, captured.io);
    return { code, lines: parseLines(captured.stdoutText()) };
  };
  const cloudAnswer = await ask({ server: cloud.url, kind: 'comfy-cloud', jobId: done });
  assert.equal(cloudAnswer.code, 0);
  assert.deepEqual([cloudAnswer.lines[0]?.kind, cloudAnswer.lines[0]?.status, cloudAnswer.lines[0]?.source], ['comfy-cloud', 'completed', 'server']);
  const runAnswer = await ask({ server: cc.url, kind: 'comfycontrol', jobId: run });
  assert.equal(runAnswer.code, 0);
  assert.deepEqual([runAnswer.lines[0]?.kind, runAnswer.lines[0]?.status, runAnswer.lines[0]?.workflowName], ['comfycontrol', 'pending', 'Waiting']);
  const unknown = await ask({ server: cc.url, kind: 'comfycontrol', jobId: '6f1c0000-dead-4000-8000-000000000000' });
  assert.equal(unknown.code, 1);
  assert.equal(unknown.lines[0]?.event, 'not-found');
});

test('the real process: the key comes from the environment, and neither the key nor a missing one is ever printed', { timeout: 20_000 }, async (t) => {
  const { cloud } = await cloudAccount(t);
  const dataDir = await tempDir(t);
  const child = spawn(process.execPath, ['--import', 'tsx', 'electron/headless.ts', '--cloud', cloud.url, '--data-dir', dataDir], {
    stdio: 'pipe',
    env: { ...process.env, COMFY_CLOUD_API_KEY: API_KEY },
  });
  t.after(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines: string[] = [];
  const reader = createInterface({ input: child.stdout });
  const connected = new Promise<void>((resolve) =>
    reader.on('line', (line) => {
      lines.push(line);
      if (line.includes('"state":"connected"')) resolve();
    }),
  );
  await connected;
  const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
  child.kill('SIGINT');
  assert.equal(await exit, 0);
  assert.ok(!lines.join('\n').includes(API_KEY) && !stderr.includes(API_KEY));

  const missing = spawn(process.execPath, ['--import', 'tsx', 'electron/headless.ts', '--cloud', cloud.url, '--data-dir', dataDir], {
    stdio: 'pipe',
    env: { ...process.env, COMFY_CLOUD_API_KEY: '' },
  });
  let said = '';
  missing.stderr.on('data', (chunk: Buffer) => (said += chunk.toString()));
  assert.equal(await new Promise<number | null>((resolve) => missing.on('exit', resolve)), 2);
  assert.match(said, /COMFY_CLOUD_API_KEY/);
});
