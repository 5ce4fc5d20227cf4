// Child process for bench/finish-latency.ts: the Engine as the app runs it (journal on disk, outputs saved to a
// folder) submits JOBS prompts one after the other to the simulated server and times, for each, the moment its
// `job-finished` event came (with outputs) against the moment its `execution_success` frame arrived, and against the
// timestamp the server put in that frame. Every job's file must be saved exactly once.
// First, as in the app's entry points: V8's young generation keeps the size it starts with.
import '../../electron/core/runtime/hold-young-generation-at-start.js';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../electron/core/engine.js';
import { parentChannel } from '../support/channel.js';

export interface FinishLatencyResult {
  readonly type: 'result';
  /** ms from the `execution_success` frame's arrival (before any listener of ours ran) to `job-finished`. */
  readonly fromFrame: number[];
  /** ms from the server's own `timestamp` in `execution_success` (1 ms resolution, same machine clock). */
  readonly fromServer: number[];
  /** Outputs each announcement carried. */
  readonly outputs: number[];
  /** ms the journal took to record each finished job on disk (the announcement waits for it: exactly once). */
  readonly journalWrites: number[];
  readonly savedFiles: number;
}

const [url, jobsArg, pauseArg] = process.argv.slice(2) as [string, string, string | undefined];
const JOBS = Number(jobsArg);
const PAUSE_MS = Number(pauseArg ?? 250);
const channel = parentChannel<never, FinishLatencyResult>();
const now = (): number => performance.timeOrigin + performance.now();

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'comfy-tray-bench-finish-'));
  const folder = mkdtempSync(join(tmpdir(), 'comfy-tray-bench-finish-out-'));
  process.once('exit', () => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(folder, { recursive: true, force: true });
  });
  const engine = await Engine.create({ dataDir, servers: [{ id: 'bench', name: 'bench', url }], outputs: { folder, template: '{filename}' } });
  // Timed from outside: how much of each announcement is the journal's durable write.
  const journalWrites: number[] = [];
  const journal = engine.journal;
  const recordFinished = journal.recordFinished.bind(journal);
  journal.recordFinished = async (...args) => {
    const start = now();
    await recordFinished(...args);
    journalWrites.push(now() - start);
  };
  const frames = new Map<string, { at: number; serverAt?: number }>();
  // Registered before the engine starts, so it runs before the tracker's own listener: the frame's arrival.
  engine.backend('bench').events.on('message', (message) => {
    if (message.type === 'execution_success') frames.set(message.promptId, { at: now(), ...(message.timestamp !== undefined && { serverAt: message.timestamp }) });
  });
  const finished = new Map<string, { at: number; outputs: number }>();
  let waiting: { id: string; resolve: () => void } | undefined;
  engine.events.on('job-finished', (job) => {
    finished.set(job.id, { at: now(), outputs: job.outputs.length });
    if (waiting?.id === job.id) waiting.resolve();
  });
  const connected = new Promise<void>((resolve) => engine.events.on('server', (s) => s.state === 'connected' && resolve()));
  engine.start();
  await connected;
  await engine.settled();

  const fromFrame: number[] = [];
  const fromServer: number[] = [];
  const outputs: number[] = [];
  for (let i = 0; i < JOBS; i++) {
    // A new file name each time: an identical prompt would be served from the server's cache. Twenty sampler-like
    // steps first, so that the job runs for a while after it was queued, as real ones do.
    const prompt = {
      '1': { class_type: 'SimSteps', inputs: { steps: 20 } },
      '2': { class_type: 'SimOutput', inputs: { filename: `latency_${String(i).padStart(4, '0')}.png` } },
    };
    let done = (): void => undefined;
    const announced = new Promise<void>((resolve) => (done = resolve));
    const { promptId } = await engine.submit('bench', { prompt });
    waiting = { id: promptId, resolve: done };
    if (finished.has(promptId)) done();
    await announced;
    const frame = frames.get(promptId);
    const end = finished.get(promptId)!;
    if (!frame) throw new Error(`no execution_success heard for ${promptId}`);
    fromFrame.push(end.at - frame.at);
    if (frame.serverAt !== undefined) fromServer.push(end.at - frame.serverAt);
    outputs.push(end.outputs);
    // Saving (and the server's own record) settle before the next job, so each one is measured on a quiet engine.
    await engine.settled();
    await engine.outputs?.settled();
    // The disk settles too (the file system commits what saving wrote), as between jobs that take seconds.
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  }
  await engine.stop();
  channel.finish({ type: 'result', fromFrame, fromServer, outputs, journalWrites, savedFiles: readdirSync(folder).length });
}

void main();
