// Child process for bench/journal.ts: a journal already holding HISTORY finished jobs (1,000 per server, the app's
// bound, each with one saved output), then JOBS more jobs finishing on the first server and saved as the app does it:
//   tracker  recordFinished (awaited; the outputs accepted for saving in the same line, as the engine's journal
//            does), setWitness, setFinishedMark (written with the next write)
//   saver    markHandled twice, each awaited: the file's final name claimed, done; and the file recorded in between
//            with noteHandled (not waited for: the claim covers a crash)
// CPU time is process.cpuUsage() (every thread: the file system work runs on libuv's pool); bytes and write calls
// are what the process handed to the kernel (/proc/self/io `wchar`, `syscw`: Linux only; elsewhere they read 0).
// Then one compaction of the same journal is measured on its own: a run long enough to reach one with the default
// policy would take thousands of jobs, so its cost is spread over the jobs between two compactions by arithmetic.
// It leaves the journal just compacted, for bench/clients/journal-open.ts.
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Journal, type FinishedRecord } from '../../electron/core/jobs/journal.js';
import { acceptedStage } from '../../electron/core/outputs/output-saver.js';
import { SAVED_STAGE, savedKey, savingUnfinished } from '../../electron/core/outputs/saved-stage.js';
import type { JobView, OutputRef, TerminalJobStatus } from '../../electron/shared/app-state.js';
import { jobId, serverIdOf } from '../support/comfy-data.js';
import { parentChannel } from '../support/channel.js';

export interface JournalResult {
  readonly type: 'result';
  readonly history: number;
  /** Servers the history is spread over (serverIdOf(0), serverIdOf(1)…). */
  readonly servers: number;
  readonly jobs: number;
  readonly populateMs: number;
  /** Per finished job. */
  readonly cpuMs: number;
  /** Of which in user space (the rest is the kernel's: writes, fsyncs). */
  readonly userMs: number;
  readonly bytes: number;
  readonly writeCalls: number;
  readonly wallMs: number;
  /** The measured jobs included a compaction (the file was replaced): the per-job figures then include one. */
  readonly compacted: boolean;
  /** One compaction of the journal after the run: CPU, bytes written, and the snapshot it wrote. */
  readonly compactionCpuMs: number;
  readonly compactionBytes: number;
  readonly snapshotBytes: number;
  /** The journal's file after the run. */
  readonly fileBytes: number;
}

const [dir, historyArg, jobsArg] = process.argv.slice(2) as [string, string, string];
const HISTORY = Number(historyArg);
const JOBS = Number(jobsArg);
const PER_SERVER = 1_000;
const ANCHORS = 20;
const channel = parentChannel<never, JournalResult>();

const FOLDER = '/home/someone/Pictures/ComfyUI/gpu-box/2026-03-04';

function output(n: number): OutputRef {
  return { nodeId: '9', kind: 'images', index: 0, filename: `ComfyUI_${String(n).padStart(5, '0')}_.png`, subfolder: '', type: 'output' };
}

function view(server: string, n: number): JobView & { status: TerminalJobStatus } {
  const ended = 1_795_384_764_000 + n * 1_000;
  return {
    serverId: server,
    id: jobId(n),
    status: 'completed',
    submittedBy: 'other',
    workflowName: 'portrait-sdxl.json',
    createdAt: ended - 60_000,
    startedAt: ended - 9_000,
    endedAt: ended,
    durationMs: 9_000,
    outputs: [output(n)],
  };
}

/** The saved stage as the output saver writes it, step by step. */
function stages(n: number): unknown[] {
  const key = savedKey(output(n));
  const path = `${FOLDER}/ComfyUI_${String(n).padStart(5, '0')}_.png`;
  const file = { path, size: 1_534_123 };
  const claim = { ...file, ino: String(9_000_000 + n), mtimeNs: String(1_772_600_767_123_456_789n + BigInt(n)) };
  return [
    { state: 'pending', files: {}, publishing: {}, owner: 'app' },
    { state: 'pending', files: {}, publishing: { [key]: claim }, owner: 'app' },
    { state: 'pending', files: { [key]: file }, publishing: {}, owner: 'app' },
    { state: 'done', files: { [key]: file }, publishing: {}, owner: 'app' },
  ];
}

function io(): { bytes: number; calls: number } {
  try {
    const text = readFileSync('/proc/self/io', 'utf8');
    const field = (name: string): number => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    return { bytes: field('wchar'), calls: field('syscw') };
  } catch {
    return { bytes: 0, calls: 0 };
  }
}

async function main(): Promise<void> {
  const options = {
    maxJobsPerServer: PER_SERVER,
    unfinished: (record: { handled: Record<string, unknown> }) => savingUnfinished(record.handled[SAVED_STAGE]),
    initialHandled: (serverId: string, record: FinishedRecord) => {
      const stage = acceptedStage({ folder: FOLDER }, serverId, record);
      return stage && { [SAVED_STAGE]: stage };
    },
  };
  const t0 = performance.now();
  {
    const { journal } = await Journal.openIn(dir, options);
    for (let n = 0; n < HISTORY; n++) {
      const server = serverIdOf(Math.floor(n / PER_SERVER));
      void journal.recordFinished(server, view(server, n));
      void journal.markHandled(server, jobId(n), SAVED_STAGE, stages(n).at(-1));
    }
    await journal.flush();
  }
  const populateMs = performance.now() - t0;
  const { journal } = await Journal.openIn(dir, options);
  const inode = (await stat(journal.path)).ino;

  const server = serverIdOf(0);
  const anchors: string[] = [];
  const cpu0 = process.cpuUsage();
  const io0 = io();
  const w0 = performance.now();
  for (let i = 0; i < JOBS; i++) {
    const n = HISTORY + i;
    await journal.recordFinished(server, view(server, n));
    journal.setWitness(server, jobId(n));
    anchors.unshift(jobId(n));
    if (anchors.length > ANCHORS) anchors.pop();
    journal.setFinishedMark(server, { anchors, horizon: view(server, n).endedAt! });
    const [, claimed, saved, done] = stages(n);
    await journal.markHandled(server, jobId(n), SAVED_STAGE, claimed);
    journal.noteHandled(server, jobId(n), SAVED_STAGE, saved);
    await journal.markHandled(server, jobId(n), SAVED_STAGE, done);
  }
  await journal.flush();
  const wallMs = performance.now() - w0;
  const cpu = process.cpuUsage(cpu0);
  const io1 = io();
  const after = await stat(journal.path);

  // One compaction, forced: reopened with a policy that compacts at the first write.
  const { journal: again } = await Journal.openIn(dir, { ...options, compaction: { minBytes: 0, factor: 0 } });
  again.setWitness(server, 'compaction');
  const cpu2 = process.cpuUsage();
  const io2 = io();
  await again.flush();
  const compactionCpu = process.cpuUsage(cpu2);
  const compactionBytes = io().bytes - io2.bytes;
  const snapshot = JSON.parse(readFileSync(again.path, 'utf8').split('\n', 1)[0]!) as { snapshotBytes: number };

  channel.finish({
    type: 'result',
    history: HISTORY,
    servers: Math.ceil(HISTORY / PER_SERVER),
    jobs: JOBS,
    populateMs,
    cpuMs: (cpu.user + cpu.system) / 1000 / JOBS,
    userMs: cpu.user / 1000 / JOBS,
    bytes: (io1.bytes - io0.bytes) / JOBS,
    writeCalls: (io1.calls - io0.calls) / JOBS,
    wallMs: wallMs / JOBS,
    compacted: after.ino !== inode,
    compactionCpuMs: (compactionCpu.user + compactionCpu.system) / 1000,
    compactionBytes,
    snapshotBytes: snapshot.snapshotBytes,
    fileBytes: after.size,
  });
}

void main();
