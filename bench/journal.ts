// Measure 7: what one finished job costs the journal (bytes handed to the kernel, CPU time) when it already holds
// 1,000 / 5,000 / 20,000 finished jobs, recorded and saved as the app does it (see bench/clients/journal-client.ts),
// and what reading it costs at start (bench/clients/journal-open.ts). Each history size runs in fresh child
// processes, in a fresh folder on the temporary disk; medians of the runs. The log's compactions are measured apart
// and spread over the jobs between two of them (default policy).
// Usage: node --import tsx bench/journal.ts [--runs=3] [--saved-jobs=200] [--histories=1000,5000,20000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_COMPACTION } from '../electron/core/store/append-log.js';
import type { JournalResult } from './clients/journal-client.js';
import type { JournalOpenResult } from './clients/journal-open.js';
import { Child } from './support/child.js';
import { fmt, machine, median, numberOption, saveResult, table } from './support/report.js';

const RUNS = numberOption('runs', 'BENCH_RUNS', 3);
const JOBS = numberOption('saved-jobs', 'BENCH_SAVED_JOBS', 200);
const HISTORIES = (process.argv.find((a) => a.startsWith('--histories='))?.slice('--histories='.length) ?? '1000,5000,20000').split(',').map(Number);
const FILE = new URL('./clients/journal-client.ts', import.meta.url).pathname;
const OPEN_FILE = new URL('./clients/journal-open.ts', import.meta.url).pathname;

interface Run extends JournalResult {
  /** Opening the journal in a fresh process: just compacted, and grown to the largest file the policy allows. */
  readonly open: JournalOpenResult;
  readonly openLargest: JournalOpenResult;
}

/** Jobs between two compactions, and what each job then carries of one. */
function amortised(r: JournalResult): { every: number; bytes: number; cpuMs: number } {
  const limit = Math.max(DEFAULT_COMPACTION.minBytes, DEFAULT_COMPACTION.factor * r.snapshotBytes);
  const every = limit / r.bytes;
  return { every, bytes: r.bytes + r.compactionBytes / every, cpuMs: r.cpuMs + r.compactionCpuMs / every };
}

async function child<T>(file: string, args: readonly string[]): Promise<T> {
  const process = await Child.start<never, T>(file, args);
  const result = await process.next(600_000);
  await process.stop();
  return result;
}

const runs = new Map<number, Run[]>();
for (let run = 1; run <= RUNS; run++) {
  for (const history of HISTORIES) {
    const dir = mkdtempSync(join(tmpdir(), 'comfy-tray-bench-journal-'));
    try {
      const result = await child<JournalResult>(FILE, [dir, String(history), String(JOBS)]);
      const open = await child<JournalOpenResult>(OPEN_FILE, ['open', dir, String(result.servers)]);
      await child<JournalOpenResult>(OPEN_FILE, ['grow', dir, String(result.servers)]);
      const openLargest = await child<JournalOpenResult>(OPEN_FILE, ['open', dir, String(result.servers)]);
      runs.set(history, [...(runs.get(history) ?? []), { ...result, open, openLargest }]);
      const a = amortised(result);
      process.stderr.write(
        `run ${run}/${RUNS} ${fmt(history).padStart(6)} jobs: ${fmt(result.bytes)} B and ${fmt(result.cpuMs, 3)} ms CPU (user ${fmt(result.userMs, 3)}) per finished job, ` +
          `${fmt(result.writeCalls, 1)} write calls, ${fmt(result.wallMs, 1)} ms wall${result.compacted ? ' (a compaction among them)' : ''}; ` +
          `compaction ${fmt(result.compactionBytes)} B, ${fmt(result.compactionCpuMs, 1)} ms CPU, every ${fmt(a.every)} jobs; ` +
          `open ${fmt(open.ms)} ms (${fmt(open.bytes / 1_048_576, 1)} MB), at its largest ${fmt(openLargest.ms)} ms (${fmt(openLargest.bytes / 1_048_576, 1)} MB)\n`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

const data = HISTORIES.map((history) => {
  const r = runs.get(history) ?? [];
  const pick = (f: (x: Run) => number): number => median(r.map(f));
  return {
    history,
    bytes: pick((x) => x.bytes),
    cpuMs: pick((x) => x.cpuMs),
    userMs: pick((x) => x.userMs),
    writeCalls: pick((x) => x.writeCalls),
    wallMs: pick((x) => x.wallMs),
    compactedInRun: r.some((x) => x.compacted),
    compactionBytes: pick((x) => x.compactionBytes),
    compactionCpuMs: pick((x) => x.compactionCpuMs),
    compactionEvery: pick((x) => amortised(x).every),
    amortisedBytes: pick((x) => amortised(x).bytes),
    amortisedCpuMs: pick((x) => amortised(x).cpuMs),
    openMs: pick((x) => x.open.ms),
    openBytes: pick((x) => x.open.bytes),
    openLargestMs: pick((x) => x.openLargest.ms),
    largestBytes: pick((x) => x.openLargest.bytes),
  };
});

const markdown = [
  `Median of ${RUNS} runs, ${fmt(JOBS)} jobs finishing and saved (one output each) per run; figures per finished job. ` +
    `A compaction (the whole state rewritten) is measured once per run and spread over the jobs between two ` +
    `(compacting when the appended bytes exceed ${DEFAULT_COMPACTION.factor}× the snapshot, at least ${fmt(DEFAULT_COMPACTION.minBytes / 1_048_576)} MB). ` +
    'Opening is timed in a fresh process, just after a compaction and at the largest file the policy allows.',
  '',
  table(
    ['finished jobs already in the journal', 'bytes written', 'CPU', 'write calls', 'wall (fsync included)', 'one compaction (CPU)', 'compaction every', 'with compactions: bytes', 'with compactions: CPU', 'open: compacted', 'open: largest file'],
    data.map((d) => [
      fmt(d.history),
      `${fmt(d.bytes)} B${d.compactedInRun ? ' *' : ''}`,
      `${fmt(d.cpuMs, 3)} ms`,
      fmt(d.writeCalls, 1),
      `${fmt(d.wallMs, 1)} ms`,
      `${fmt(d.compactionBytes / 1_048_576, 2)} MB (${fmt(d.compactionCpuMs)} ms)`,
      `${fmt(d.compactionEvery)} jobs`,
      `${fmt(d.amortisedBytes)} B`,
      `${fmt(d.amortisedCpuMs, 3)} ms`,
      `${fmt(d.openMs)} ms (${fmt(d.openBytes / 1_048_576, 1)} MB)`,
      `${fmt(d.openLargestMs)} ms (${fmt(d.largestBytes / 1_048_576, 1)} MB)`,
    ]),
  ),
  ...(data.some((d) => d.compactedInRun) ? ['', '\\* a compaction happened among the measured jobs in some run; it is in those figures.'] : []),
].join('\n');

console.log(`\n## Journal (${machine().cpus} cores, Node ${machine().node})\n\n${markdown}`);
saveResult('journal', { markdown, data: { runs: RUNS, jobs: JOBS, histories: data } });
