// Measure: how soon the app announces its OWN job as finished, with its outputs, after the server said it succeeded.
// The server is the test simulator (real HTTP and WebSocket on loopback), in this process; the Engine runs in a child
// process as the app runs it (journal on disk, outputs saved), submitting one quick prompt after the other. Two
// references: the arrival of the `execution_success` frame in the child (before any listener of ours runs), and the
// timestamp the server wrote into that frame (1 ms resolution; both processes read this machine's clock).
// Usage: node --import tsx bench/finish-latency.ts [--runs=3] [--jobs=30] [--pause=250]
import type { FinishLatencyResult } from './clients/finish-latency-client.js';
import { ComfySimulator } from '../test/support/comfy-simulator.js';
import { Child } from './support/child.js';
import { fmt, machine, median, numberOption, saveResult, table } from './support/report.js';

const RUNS = numberOption('runs', 'BENCH_RUNS', 3);
const JOBS = numberOption('jobs', 'BENCH_JOBS', 30);
/** Between two jobs, once the first is saved: the next job is measured on a quiet engine and disk. */
const PAUSE_MS = numberOption('pause', 'BENCH_PAUSE_MS', 250);
const FILE = new URL('./clients/finish-latency-client.ts', import.meta.url).pathname;

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))] ?? Number.NaN;
}

const fromFrame: number[] = [];
const fromServer: number[] = [];
const outputs: number[] = [];
const journalWrites: number[] = [];
for (let run = 1; run <= RUNS; run++) {
  const sim = await ComfySimulator.start({ stepDelayMs: 10 });
  try {
    const child = await Child.start<never, FinishLatencyResult>(FILE, [sim.url, String(JOBS), String(PAUSE_MS)]);
    const result = await child.next(10 * 60_000);
    await child.stop();
    if (result.savedFiles !== JOBS) throw new Error(`saved ${result.savedFiles} files for ${JOBS} jobs`);
    fromFrame.push(...result.fromFrame);
    fromServer.push(...result.fromServer);
    outputs.push(...result.outputs);
    journalWrites.push(...result.journalWrites);
    process.stderr.write(
      `run ${run}/${RUNS}: from the frame median ${fmt(median(result.fromFrame), 2)} ms (p95 ${fmt(percentile(result.fromFrame, 0.95), 2)}), ` +
        `from the server's timestamp median ${fmt(median(result.fromServer), 2)} ms; ${result.savedFiles} files saved\n`,
    );
  } finally {
    await sim.stop();
  }
}
if (outputs.some((n) => n !== 1)) throw new Error('an announcement came without its output');

const row = (label: string, values: readonly number[]): string[] => [label, fmt(median(values), 2), fmt(percentile(values, 0.95), 2), fmt(Math.max(...values), 2)];
const markdown = [
  `${RUNS} runs × ${JOBS} own jobs (20 steps 10 ms apart, then one \`SimOutput\` file, saved), ms until \`job-finished\` with the job's output:`,
  '',
  table(['from', 'median', 'p95', 'max'], [row('the `execution_success` frame arriving', fromFrame), row("the server's `execution_success` timestamp", fromServer)]),
  '',
  `Of which the journal's durable write of the finished job (the announcement waits for it, so that a crash never announces a job twice): median ${fmt(median(journalWrites), 2)} ms, p95 ${fmt(percentile(journalWrites, 0.95), 2)} ms over ${journalWrites.length} writes.`,
].join('\n');
console.log(`\n## Own job finished (${machine().cpus} cores, Node ${machine().node})\n\n${markdown}`);
saveResult('finish-latency', { markdown, data: { runs: RUNS, jobs: JOBS, fromFrame, fromServer, journalWrites } });
