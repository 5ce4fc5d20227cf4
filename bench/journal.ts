// Measure 7: what one finished job costs the journal (bytes handed to the kernel, CPU time) when it already holds
// 1,000 / 5,000 / 20,000 finished jobs, recorded and saved as the app does it (see bench/clients/journal-client.ts).
// Each history size runs in a fresh child process, in a fresh folder on the temporary disk; medians of the runs.
// Usage: node --import tsx bench/journal.ts [--runs=3] [--jobs=200] [--histories=1000,5000,20000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JournalResult } from './clients/journal-client.js';
import { Child } from './support/child.js';
import { fmt, machine, median, numberOption, saveResult, table } from './support/report.js';

const RUNS = numberOption('runs', 'BENCH_RUNS', 3);
const JOBS = numberOption('jobs', 'BENCH_JOBS', 200);
const HISTORIES = (process.argv.find((a) => a.startsWith('--histories='))?.slice('--histories='.length) ?? '1000,5000,20000').split(',').map(Number);
const FILE = new URL('./clients/journal-client.ts', import.meta.url).pathname;

const runs = new Map<number, JournalResult[]>();
for (let run = 1; run <= RUNS; run++) {
  for (const history of HISTORIES) {
    const dir = mkdtempSync(join(tmpdir(), 'comfy-tray-bench-journal-'));
    try {
      const child = await Child.start<never, JournalResult>(FILE, [dir, String(history), String(JOBS)]);
      const result = await child.next(600_000);
      await child.stop();
      runs.set(history, [...(runs.get(history) ?? []), result]);
      process.stderr.write(
        `run ${run}/${RUNS} ${fmt(history).padStart(6)} jobs: ${fmt(result.bytes)} B and ${fmt(result.cpuMs, 3)} ms CPU per finished job, ` +
          `${fmt(result.writeCalls, 1)} write calls, ${fmt(result.wallMs, 1)} ms wall; file ${fmt(result.fileBytes)} B\n`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

const data = HISTORIES.map((history) => {
  const r = runs.get(history) ?? [];
  const pick = (f: (x: JournalResult) => number): number => median(r.map(f));
  return {
    history,
    bytes: pick((x) => x.bytes),
    cpuMs: pick((x) => x.cpuMs),
    writeCalls: pick((x) => x.writeCalls),
    wallMs: pick((x) => x.wallMs),
    fileBytes: pick((x) => x.fileBytes),
  };
});

const markdown = [
  `Median of ${RUNS} runs, ${fmt(JOBS)} jobs finishing and saved (one output each) per run; per finished job.`,
  '',
  table(
    ['finished jobs already in the journal', 'bytes written', 'CPU', 'write calls', 'wall (fsync included)', 'journal on disk after'],
    data.map((d) => [fmt(d.history), `${fmt(d.bytes)} B`, `${fmt(d.cpuMs, 3)} ms`, fmt(d.writeCalls, 1), `${fmt(d.wallMs, 1)} ms`, `${fmt(d.fileBytes / 1_048_576, 2)} MB`]),
  ),
].join('\n');

console.log(`\n## Journal (${machine().cpus} cores, Node ${machine().node})\n\n${markdown}`);
saveResult('journal', { markdown, data: { runs: RUNS, jobs: JOBS, histories: data } });
