// Measure 3: the cost of one reconciliation against a 10,000-item queue served over real HTTP on loopback:
//   modern  /api/jobs?status=in_progress,pending lists 10,000 pending items (as ComfyUI 0.28 lists them)
//   legacy  no /api/jobs; /api/queue carries 10,000 items, each with its full prompt (~3 KB): tens of MB
// Each client runs in a fresh child process; medians of 5 runs.
// Usage: node --import tsx bench/reconcile.ts [--runs=5] [--jobs=10000] [--modes=modern,legacy] [--clients=core,bare,sdk]
//        [--again=5]
import type { FromReconcileClient, ReconcileKind, Timing, ToReconcileClient } from './clients/reconcile-client.js';
import { Child } from './support/child.js';
import { jobId, realisticPrompt } from './support/comfy-data.js';
import { FakeComfy, LEGACY, type Routes } from './support/fake-comfy.js';
import { fmt, machine, mb, median, numberOption, saveResult, table } from './support/report.js';

const RUNS = numberOption('runs', 'BENCH_RUNS', 5);
const JOBS = numberOption('jobs', 'BENCH_JOBS', 10_000);
/** Looks after the first, per client process: "again" is their median. */
const AGAIN = numberOption('again', 'BENCH_AGAIN', 5);
const FILE = new URL('./clients/reconcile-client.ts', import.meta.url).pathname;
const only = (name: string): string[] | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3).split(',');
const ONLY_CLIENTS = only('clients');
const ONLY_MODES = only('modes');
const CREATED = 1_795_384_764_000;

function modernBody(): string {
  const jobs = Array.from({ length: JOBS }, (_, i) => ({ id: jobId(i), status: 'pending', priority: i + 1, create_time: CREATED + i, outputs_count: 0 }));
  return JSON.stringify({ jobs, pagination: { offset: 0, limit: null, total: JOBS, has_more: false } });
}

function legacyBody(): string {
  const pending = Array.from({ length: JOBS }, (_, i) => [i + 1, jobId(i), realisticPrompt(i), { client_id: `client-${i % 7}`, create_time: CREATED + i }, ['9']]);
  return JSON.stringify({ queue_running: [], queue_pending: pending });
}

interface Mode {
  readonly name: 'modern' | 'legacy';
  readonly label: string;
  readonly body: string;
  readonly routes: Routes;
  /** What the bare client and the SDK read. */
  readonly route: string;
  readonly clients: readonly ReconcileKind[];
}

const modern = modernBody();
const legacy = legacyBody();
const emptyJobs = JSON.stringify({ jobs: [], pagination: { offset: 0, limit: null, total: 0, has_more: false } });
const MODES: readonly Mode[] = [
  {
    name: 'modern',
    label: '/api/jobs (modern)',
    body: modern,
    routes: { jobs: (u) => ({ status: 200, body: u.searchParams.get('status')?.includes('pending') === true ? modern : emptyJobs }) },
    route: 'api/jobs?status=in_progress,pending',
    clients: ['core', 'bare'],
  },
  {
    name: 'legacy',
    label: '/api/queue with prompts (legacy)',
    body: legacy,
    routes: { ...LEGACY, queue: () => ({ status: 200, body: legacy }) },
    route: 'api/queue',
    clients: ['core', 'bare', 'sdk'],
  },
];

const LABELS: Record<ReconcileKind, string> = {
  core: 'our Engine (reconcile into the job model)',
  bare: 'undici + JSON.parse (limit)',
  sdk: '@saintno/comfyui-sdk getQueue()',
};

type Result = Extract<FromReconcileClient, { type: 'result' }>;
const results = new Map<string, Result[]>();
for (let run = 1; run <= RUNS; run++) {
  for (const mode of MODES) {
    if (ONLY_MODES && !ONLY_MODES.includes(mode.name)) continue;
    const fake = await FakeComfy.start(mode.routes);
    for (const kind of mode.clients) {
      if (ONLY_CLIENTS && !ONLY_CLIENTS.includes(kind)) continue;
      const child = await Child.start<ToReconcileClient, FromReconcileClient>(FILE, [kind, fake.url, mode.route, String(AGAIN)]);
      let message = await child.next();
      while (message.type === 'send-status') {
        fake.resetCounters();
        (await fake.socket()).send(JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: JOBS } } } }));
        message = await child.next();
      }
      await child.stop();
      if (message.type !== 'result') throw new Error('no result');
      if (message.jobs !== undefined && message.jobs !== JOBS) throw new Error(`${kind}/${mode.name}: tracks ${message.jobs} jobs, expected ${JOBS}`);
      const key = `${kind}/${mode.name}`;
      results.set(key, [...(results.get(key) ?? []), message]);
      process.stderr.write(
        `run ${run}/${RUNS} ${key.padEnd(13)} first ${fmt(message.first.wallMs)} ms (CPU ${fmt(message.first.cpuMs)})  next ${fmt(message.next.wallMs)} ms (CPU ${fmt(message.next.cpuMs)})  ` +
          `second ${fmt(message.second.wallMs)} ms (CPU ${fmt(message.second.cpuMs)})  peak RSS ${mb(message.maxRssBytes, 0)}` +
          (kind === 'core' ? `  requests in second: ${fake.requestCount()}  reconciled on connect: ${message.connectReconciled}` : '') +
          '\n',
      );
    }
    await fake.close();
  }
}

const med = (rs: readonly Result[], pick: (r: Result) => Timing | undefined): Timing => ({
  wallMs: median(rs.flatMap((r) => pick(r)?.wallMs ?? [])),
  cpuMs: median(rs.flatMap((r) => pick(r)?.cpuMs ?? [])),
});
const cell = (t: Timing): string => (Number.isFinite(t.wallMs) ? `${fmt(t.wallMs)} ms (${fmt(t.cpuMs)} ms)` : '—');

const data = MODES.map((mode) => ({
  mode: mode.name,
  bodyBytes: Buffer.byteLength(mode.body),
  clients: Object.fromEntries(
    mode.clients.flatMap((kind) => {
      const rs = results.get(`${kind}/${mode.name}`) ?? [];
      if (rs.length === 0) return [];
      const connectReconciled = rs.every((r) => r.connectReconciled !== false);
      return [[kind, { first: med(rs, (r) => r.first), journal: med(rs, (r) => r.journal), next: med(rs, (r) => r.next), second: med(rs, (r) => r.second), peakRssBytes: median(rs.map((r) => r.maxRssBytes)), connectReconciled }]];
    }),
  ),
}));

const markdown = [
  `Median of ${RUNS} runs, ${fmt(JOBS)} pending items, wall time (CPU time in brackets). “First” for our Engine is the reconciliation right after ` +
    `connecting, when every job is new to the tracker; “the next” is the one after it and “again” the median of the ${AGAIN} next ones (each triggered by a \`status\` frame), when every job is known. ` +
    `For the bare client and the SDK, “first” is a first read of the same route, then ${AGAIN} more.`,
  '',
  table(
    ['route (body size)', 'client', 'first', 'the next', `again (median of ${AGAIN})`, 'journal write after first', 'peak RSS'],
    data.flatMap((d) =>
      Object.entries(d.clients).map(([kind, c]) => [
        `${MODES.find((m) => m.name === d.mode)!.label} (${mb(d.bodyBytes)})`,
        LABELS[kind as ReconcileKind],
        cell(c.first),
        cell(c.next),
        cell(c.second),
        cell(c.journal),
        mb(c.peakRssBytes, 0),
      ]),
    ),
  ),
  '',
  data.some((d) => Object.values(d.clients).some((c) => !c.connectReconciled))
    ? '**Our Engine did not reconcile after connecting** in some runs: its “first” is then the reconciliation the next `status` frame started.'
    : 'Our Engine reconciled right after connecting in every run.',
].join('\n');

console.log(`\n## Reconciliation (${machine().cpus} cores, Node ${machine().node})\n\n${markdown}`);
saveResult('reconcile', { markdown, data: { runs: RUNS, jobs: JOBS, modes: data } });
