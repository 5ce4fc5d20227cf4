// Measure 2: memory of the Engine tracking 10,000 jobs over 20 servers (heap used and RSS after full GCs), each
// run in a fresh child process started with --expose-gc. See bench/clients/memory-engine.ts for the variants.
// Usage: node --import tsx bench/memory.ts [--runs=5] [--servers=20] [--jobs=10000] [--finished=1000]
//        [--variants=lean,rich,live,finished,http]
import type { MemoryResult, Variant } from './clients/memory-engine.js';
import { Child } from './support/child.js';
import { jobId, realisticPrompt } from './support/comfy-data.js';
import { FakeComfy, LEGACY } from './support/fake-comfy.js';
import { fmt, machine, mb, median, numberOption, saveResult, table } from './support/report.js';

const RUNS = numberOption('runs', 'BENCH_RUNS', 5);
const SERVERS = numberOption('servers', 'BENCH_SERVERS', 20);
const JOBS = numberOption('jobs', 'BENCH_JOBS', 10_000);
const PER_SERVER = Math.ceil(JOBS / SERVERS);
/** Finished jobs per server in the `finished` variant: as many as the tracker keeps in memory (and the journal). */
const FINISHED = numberOption('finished', 'BENCH_FINISHED', 1_000);
const FILE = new URL('./clients/memory-engine.ts', import.meta.url).pathname;
const ONLY = process.argv.find((a) => a.startsWith('--variants='))?.slice('--variants='.length).split(',');
const ALL_VARIANTS: readonly { name: Variant; label: string }[] = [
  { name: 'lean', label: 'pending, as /api/jobs lists them (reconciliation)' },
  { name: 'rich', label: 'pending, as /queue lists them: node types and titles (reconciliation)' },
  { name: 'live', label: 'as /queue, plus progress, progress_state and an output each (live events)' },
  { name: 'finished', label: `as /queue, plus ${FINISHED} finished jobs per server (an output each), in memory and journal` },
  { name: 'http', label: 'pending, listed over HTTP by legacy servers (/queue with full prompts), real backends; no fake server in the process' },
];

/** For the `http` variant: legacy servers listing their share of the pending jobs, each item with its full prompt. */
async function legacyServers(): Promise<FakeComfy[]> {
  return Promise.all(
    Array.from({ length: SERVERS }, (_, s) => {
      const pending = Array.from({ length: PER_SERVER }, (_, i) => {
        const n = s * PER_SERVER + i;
        return [n + 1, jobId(n), realisticPrompt(n), { client_id: `client-${s}-${i % 7}`, create_time: 1_795_384_764_000 + n }, ['9']];
      });
      const body = JSON.stringify({ queue_running: [], queue_pending: pending });
      return FakeComfy.start({ ...LEGACY, queue: () => ({ status: 200, body }) });
    }),
  );
}
const VARIANTS = ALL_VARIANTS.filter((v) => ONLY === undefined || ONLY.includes(v.name));
const servers = VARIANTS.some((v) => v.name === 'http') ? await legacyServers() : [];

function expectedJobs(variant: Variant): number {
  return SERVERS * PER_SERVER + (variant === 'finished' ? SERVERS * FINISHED : 0);
}

const runs = new Map<Variant, MemoryResult[]>();
for (let run = 1; run <= RUNS; run++) {
  for (const { name } of VARIANTS) {
    const child = await Child.start<never, MemoryResult>(FILE, [name, String(SERVERS), String(PER_SERVER), String(FINISHED), ...(name === 'http' ? servers.map((s) => s.url) : [])]);
    const result = await child.next();
    await child.stop();
    if (result.jobs !== expectedJobs(name)) throw new Error(`${name}: engine tracks ${result.jobs} jobs, expected ${expectedJobs(name)}`);
    runs.set(name, [...(runs.get(name) ?? []), result]);
    const heap = result.after.heapUsed - result.before.heapUsed;
    process.stderr.write(`run ${run}/${RUNS} ${name.padEnd(5)} heap +${mb(heap)} (${fmt(heap / result.jobs)} B/job)  RSS ${mb(result.before.rss)} → ${mb(result.after.rss)} (V8 heap ${mb(result.after.heapTotal)}, external ${mb(result.after.external)}), idle ${mb(result.idle.rss)} (each second: ${result.idleRssBytes.map((b) => mb(b, 0)).join(', ')})  setup ${fmt(result.setupMs)} ms\n`);
  }
}

await Promise.all(servers.map((s) => s.close()));

const data = VARIANTS.map(({ name, label }) => {
  const r = runs.get(name) ?? [];
  const jobs = expectedJobs(name);
  return {
    name,
    label,
    heapDeltaBytes: median(r.map((x) => x.after.heapUsed - x.before.heapUsed)),
    heapUsedBytes: median(r.map((x) => x.after.heapUsed)),
    rssBytes: median(r.map((x) => x.after.rss)),
    idleRssBytes: median(r.map((x) => x.idle.rss)),
    quietRssBytes: [1, 2, 4].map((second) => median(r.map((x) => x.idleRssBytes[second - 1] ?? x.idle.rss))),
    rssDeltaBytes: median(r.map((x) => x.after.rss - x.before.rss)),
    bytesPerJob: median(r.map((x) => (x.after.heapUsed - x.before.heapUsed) / jobs)),
    journalBytes: median(r.map((x) => x.journalBytes)),
    setupMs: median(r.map((x) => x.setupMs)),
  };
});

const markdown = [
  `Median of ${RUNS} runs; ${fmt(SERVERS * PER_SERVER)} queued jobs over ${SERVERS} servers (FakeBackend answering with freshly cloned lists, like parsed HTTP bodies); ` +
    `the last row adds ${fmt(SERVERS * FINISHED)} finished ones (“per job” divides by all of them). ` +
    "“Engine heap” = heap used after GC minus the same process before the engine existed (the fake servers' own lists are in both, except in the HTTP row, whose servers run in the bench's process). " +
      '“Process RSS” is right after the engine tracks every job; “1 s / 2 s / 4 s later” as the process then sits quiet (no forced collection); “after 8 s idle” once V8 has given back the heap it grew for the first looks (full collections each time).',
  '',
  table(
    ['jobs fed as', 'engine heap', 'per job', 'process heap used', 'process RSS', 'RSS 1 s / 2 s / 4 s later', 'process RSS after 8 s idle', 'journal on disk', 'time to track all'],
    data.map((d) => [d.label, mb(d.heapDeltaBytes), `${fmt(d.bytesPerJob)} B`, mb(d.heapUsedBytes), mb(d.rssBytes), d.quietRssBytes.map((b) => mb(b, 0)).join(' / '), mb(d.idleRssBytes), mb(d.journalBytes, 2), `${fmt(d.setupMs)} ms`]),
  ),
].join('\n');

console.log(`\n## Memory (${machine().cpus} cores, Node ${machine().node})\n\n${markdown}`);
saveResult('memory', { markdown, data: { runs: RUNS, servers: SERVERS, jobs: SERVERS * PER_SERVER, finishedPerServer: FINISHED, variants: data } });
