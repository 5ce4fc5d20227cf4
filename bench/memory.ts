// Measure 2: memory of the Engine tracking 10,000 jobs over 20 servers (heap used and RSS after full GCs), each
// run in a fresh child process started with --expose-gc. See bench/clients/memory-engine.ts for the variants.
// Usage: node --import tsx bench/memory.ts [--runs=5] [--servers=20] [--jobs=10000] [--finished=1000]
import type { MemoryResult, Variant } from './clients/memory-engine.js';
import { Child } from './support/child.js';
import { fmt, machine, mb, median, numberOption, saveResult, table } from './support/report.js';

const RUNS = numberOption('runs', 'BENCH_RUNS', 5);
const SERVERS = numberOption('servers', 'BENCH_SERVERS', 20);
const JOBS = numberOption('jobs', 'BENCH_JOBS', 10_000);
const PER_SERVER = Math.ceil(JOBS / SERVERS);
/** Finished jobs per server in the `finished` variant: as many as the tracker keeps in memory (and the journal). */
const FINISHED = numberOption('finished', 'BENCH_FINISHED', 1_000);
const FILE = new URL('./clients/memory-engine.ts', import.meta.url).pathname;
const VARIANTS: readonly { name: Variant; label: string }[] = [
  { name: 'lean', label: 'pending, as /api/jobs lists them (reconciliation)' },
  { name: 'rich', label: 'pending, as /queue lists them: node types and titles (reconciliation)' },
  { name: 'live', label: 'as /queue, plus progress, progress_state and an output each (live events)' },
  { name: 'finished', label: `as /queue, plus ${FINISHED} finished jobs per server (an output each), in memory and journal` },
];

function expectedJobs(variant: Variant): number {
  return SERVERS * PER_SERVER + (variant === 'finished' ? SERVERS * FINISHED : 0);
}

const runs = new Map<Variant, MemoryResult[]>();
for (let run = 1; run <= RUNS; run++) {
  for (const { name } of VARIANTS) {
    const child = await Child.start<never, MemoryResult>(FILE, [name, String(SERVERS), String(PER_SERVER), String(FINISHED)]);
    const result = await child.next();
    await child.stop();
    if (result.jobs !== expectedJobs(name)) throw new Error(`${name}: engine tracks ${result.jobs} jobs, expected ${expectedJobs(name)}`);
    runs.set(name, [...(runs.get(name) ?? []), result]);
    const heap = result.after.heapUsed - result.before.heapUsed;
    process.stderr.write(`run ${run}/${RUNS} ${name.padEnd(5)} heap +${mb(heap)} (${fmt(heap / result.jobs)} B/job)  RSS ${mb(result.after.rss)}  setup ${fmt(result.setupMs)} ms\n`);
  }
}

const data = VARIANTS.map(({ name, label }) => {
  const r = runs.get(name) ?? [];
  const jobs = expectedJobs(name);
  return {
    name,
    label,
    heapDeltaBytes: median(r.map((x) => x.after.heapUsed - x.before.heapUsed)),
    heapUsedBytes: median(r.map((x) => x.after.heapUsed)),
    rssBytes: median(r.map((x) => x.after.rss)),
    rssDeltaBytes: median(r.map((x) => x.after.rss - x.before.rss)),
    bytesPerJob: median(r.map((x) => (x.after.heapUsed - x.before.heapUsed) / jobs)),
    journalBytes: median(r.map((x) => x.journalBytes)),
    setupMs: median(r.map((x) => x.setupMs)),
  };
});

const markdown = [
  `Median of ${RUNS} runs; ${fmt(SERVERS * PER_SERVER)} queued jobs over ${SERVERS} servers (FakeBackend answering with freshly cloned lists, like parsed HTTP bodies); ` +
    `the last row adds ${fmt(SERVERS * FINISHED)} finished ones (“per job” divides by all of them). ` +
    "“Engine heap” = heap used after GC minus the same process before the engine existed (the fake servers' own lists are in both).",
  '',
  table(
    ['jobs fed as', 'engine heap', 'per job', 'process heap used', 'process RSS', 'journal on disk', 'time to track all'],
    data.map((d) => [d.label, mb(d.heapDeltaBytes), `${fmt(d.bytesPerJob)} B`, mb(d.heapUsedBytes), mb(d.rssBytes), mb(d.journalBytes, 2), `${fmt(d.setupMs)} ms`]),
  ),
].join('\n');

console.log(`\n## Memory (${machine().cpus} cores, Node ${machine().node})\n\n${markdown}`);
saveResult('memory', { markdown, data: { runs: RUNS, servers: SERVERS, jobs: SERVERS * PER_SERVER, finishedPerServer: FINISHED, variants: data } });
