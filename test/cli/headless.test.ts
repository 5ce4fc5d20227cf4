// The headless entry point as a user runs it: a real process, real sockets, JSON lines on stdout, Ctrl-C.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { DataDirLock } from '../../electron/core/store/data-dir-lock.js';
import { ComfySimulator } from '../support/comfy-simulator.js';
import { tempDir } from '../support/events.js';

const ENTRY = ['--import', 'tsx', 'electron/headless.ts'];

function run(args: readonly string[]): { child: ChildProcessWithoutNullStreams; lines: AsyncIterator<Record<string, unknown>>; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [...ENTRY, ...args], { stdio: 'pipe' });
  const reader = createInterface({ input: child.stdout });
  const lines = (async function* () {
    for await (const line of reader) yield JSON.parse(line) as Record<string, unknown>;
  })();
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, exit };
}

async function until(lines: AsyncIterator<Record<string, unknown>>, predicate: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  for (;;) {
    const next = await lines.next();
    if (next.done) throw new Error('output ended');
    if (predicate(next.value)) return next.value;
  }
}

test('watch prints connection and job lines, one final line per job, and exits cleanly on SIGINT', { timeout: 20_000 }, async (t) => {
  const sim = await ComfySimulator.start({ stepDelayMs: 5 });
  t.after(() => sim.stop());
  const dataDir = await tempDir(t);
  const server = sim.url.replace(/\/$/, '');
  const { child, lines, exit } = run(['--server', sim.url, '--data-dir', dataDir]);
  t.after(() => child.kill('SIGKILL'));
  const connected = await until(lines, (l) => l.event === 'connection' && l.state === 'connected');
  assert.equal(connected.server, server);
  assert.equal(connected.version, '0.28.0');

  const { promptId } = sim.enqueue(
    { '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 7 } }, '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'cli' } } },
    { clientId: 'browser' },
  );
  const final = await until(lines, (l) => l.event === 'job' && l.id === promptId && l.final === true);
  assert.equal(final.status, 'completed');
  assert.equal(final.submittedBy, 'other');
  assert.equal(final.server, server);
  assert.equal((final.outputs as unknown[]).length, 1);

  child.kill('SIGINT');
  assert.equal(await exit, 0);

  // Run again on the same data folder: the finished job is not announced a second time.
  const again = run(['--server', sim.url, '--data-dir', dataDir]);
  t.after(() => again.child.kill('SIGKILL'));
  await until(again.lines, (l) => l.event === 'connection' && l.state === 'connected');
  const { promptId: next } = sim.enqueue({ '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 8 } }, '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'cli' } } });
  const line = await until(again.lines, (l) => l.event === 'job' && l.final === true);
  assert.equal(line.id, next, 'the first job is not repeated');
  again.child.kill('SIGINT');
  assert.equal(await again.exit, 0);
});

test('status prints one job as JSON, and exits 1 for an unknown id', { timeout: 20_000 }, async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const dataDir = await tempDir(t);
  sim.hold();
  const { promptId } = sim.enqueue({ '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 9 } }, '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 's' } } });
  sim.enqueue({ '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 10 } }, '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 's' } } });
  const found = run(['status', promptId, '--server', sim.url, '--data-dir', dataDir]);
  const line = await until(found.lines, () => true);
  assert.equal(await found.exit, 0);
  assert.equal(line.id, promptId);
  assert.equal(line.status, 'pending');
  assert.equal(line.queuePosition, 1);

  const missing = run(['status', '00000000-0000-4000-8000-000000000000', '--server', sim.url, '--data-dir', dataDir]);
  assert.equal((await until(missing.lines, () => true)).event, 'not-found');
  assert.equal(await missing.exit, 1);
});

test('--help documents the commands; bad usage exits 2 with one sentence', { timeout: 20_000 }, async () => {
  const help = spawn(process.execPath, [...ENTRY, '--help']);
  let text = '';
  help.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  assert.equal(await new Promise((resolve) => help.on('exit', resolve)), 0);
  assert.match(text, /watch/);
  assert.match(text, /status JOB_ID/);
  assert.match(text, /Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*\n {2}3 .*\n {2}4 .*DATA_DIR_LOCKED/);
  const bad = spawn(process.execPath, [...ENTRY, '--frobnicate']);
  let err = '';
  bad.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  assert.equal(await new Promise((resolve) => bad.on('exit', resolve)), 2);
  assert.equal(err.trim().split('\n').length, 1);
});

test('watch exits 4 with one line on stderr while another process (here: this one, as the app) holds the data folder', { timeout: 20_000 }, async (t) => {
  const dataDir = await tempDir(t);
  const app = await DataDirLock.acquire(dataDir, 'app');
  t.after(() => app.release());
  const { child, exit } = run(['--server', 'http://127.0.0.1:9/', '--data-dir', dataDir]);
  t.after(() => child.kill('SIGKILL'));
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  assert.equal(await exit, 4);
  assert.equal(err.trim().split('\n').length, 1);
  assert.match(err, new RegExp(`The Comfy Tray app \\(pid ${process.pid}, .*\\[DATA_DIR_LOCKED\\]`));
});
