// Measure 1: socket messages parsed (and applied) per second over a real WebSocket on loopback.
// The fake server blasts three streams at each client in turn, each client in a fresh child process:
//   text    200k text frames of a sampler run (status, progress_state, executing, progress, executed)
//   binary  20k 16 KiB PREVIEW_IMAGE_WITH_METADATA (type 4) frames
//   mixed   200k frames: the text stream with one preview per sampler step, as a server with previews on sends
// The job the frames are about is listed as running by /api/jobs, so our tracker applies every frame to it.
// Usage: node --import tsx bench/messages.ts [--runs=5] [--text=200000] [--binary=20000] [--mixed=200000]
//        [--clients=bare,connection,core,sdk]
import type { ClientKind, FromClient, ToClient } from './clients/messages-client.js';
import { Child } from './support/child.js';
import { chunks, describeCycle, jobId, previewFrame, realisticPrompt, samplerCycle, type Frame } from './support/comfy-data.js';
import { FakeComfy, jsonAnswer } from './support/fake-comfy.js';
import { fmt, kilo, machine, mb, median, numberOption, saveResult, table } from './support/report.js';

const RUNS = numberOption('runs', 'BENCH_RUNS', 5);
const PROMPT_ID = jobId(42);
const CLIENT_FILE = new URL('./clients/messages-client.ts', import.meta.url).pathname;
const ALL_CLIENTS: readonly ClientKind[] = ['bare', 'connection', 'core', 'sdk'];
const clientsArg = process.argv.find((a) => a.startsWith('--clients='))?.slice('--clients='.length);
const CLIENTS = clientsArg ? (clientsArg.split(',') as ClientKind[]).filter((c) => ALL_CLIENTS.includes(c)) : ALL_CLIENTS;

const LABELS: Record<ClientKind, string> = {
  bare: 'bare `ws` + JSON.parse (limit)',
  connection: 'our ComfyConnection (decode + dispatch)',
  core: 'our Engine (decode + apply to job model)',
  sdk: '@saintno/comfyui-sdk 0.3.1',
};

interface Stream {
  readonly name: 'text' | 'binary' | 'mixed';
  readonly cycle: readonly Frame[];
  readonly count: number;
}

const STREAMS: readonly Stream[] = [
  { name: 'text', cycle: samplerCycle(PROMPT_ID, { previews: false }), count: numberOption('text', 'BENCH_TEXT_FRAMES', 200_000) },
  { name: 'binary', cycle: [previewFrame(PROMPT_ID, '3')], count: numberOption('binary', 'BENCH_BINARY_FRAMES', 20_000) },
  { name: 'mixed', cycle: samplerCycle(PROMPT_ID, { previews: true }), count: numberOption('mixed', 'BENCH_MIXED_FRAMES', 200_000) },
];

interface Run {
  readonly wallMs: number;
  readonly cpuUs: number;
  readonly maxRssBytes: number;
  readonly readyRssBytes: number;
  readonly receivingRssBytes: number;
  /** HTTP requests the client made while receiving (our tracker reconciles on `status`). */
  readonly requests: number;
  /** Progress frames and previews ours dropped, superseded in the same read. */
  readonly superseded: number;
  /** Of `superseded`, the previews. */
  readonly supersededPreviews: number;
}

// A running job with a realistic prompt: the tracker keeps it active and applies progress to it.
const runningItem = { id: PROMPT_ID, status: 'in_progress', priority: 7, create_time: Date.now(), outputs_count: 0 };
const fake = await FakeComfy.start({
  jobs: (url) => {
    if (url.pathname.endsWith(`/${PROMPT_ID}`)) {
      return jsonAnswer({ ...runningItem, workflow: { prompt: realisticPrompt(42), extra_data: { client_id: 'someone-else', create_time: runningItem.create_time } } });
    }
    const active = url.searchParams.get('status')?.includes('in_progress') === true;
    const jobs = active ? [runningItem] : [];
    return jsonAnswer({ jobs, pagination: { offset: 0, limit: null, total: jobs.length, has_more: false } });
  },
});

async function measure(kind: ClientKind, stream: Stream): Promise<Run> {
  const child = await Child.start<ToClient, FromClient>(CLIENT_FILE, [kind, fake.url]);
  try {
    const ready = await child.next(30_000);
    if (ready.type !== 'ready') throw new Error(`unexpected ${ready.type}`);
    const socket = await fake.socket();
    fake.resetCounters();
    await fake.blast(socket, chunks(stream.cycle, stream.count));
    const result = await child.next();
    if (result.type !== 'result') throw new Error(`unexpected ${result.type}`);
    // The sentinel is one frame more than the stream.
    if (result.frames !== undefined && result.frames !== stream.count + 1) {
      throw new Error(`${kind} counted ${result.frames} frames, expected ${stream.count + 1}`);
    }
    // Every frame of the stream is one our decoder knows: anything else means the bench measures the wrong path.
    if ((result.malformed ?? 0) + (result.unknown ?? 0) > 0) throw new Error(`${kind}: ${result.malformed} malformed, ${result.unknown} unknown frames`);
    return { wallMs: result.wallMs, cpuUs: result.cpuUs, maxRssBytes: result.maxRssBytes, readyRssBytes: result.readyRssBytes, receivingRssBytes: result.receivingRssBytes, requests: fake.requestCount(), superseded: result.superseded ?? 0, supersededPreviews: result.supersededPreviews ?? 0 };
  } finally {
    await child.stop();
  }
}

const results = new Map<string, Run[]>();
for (let run = 1; run <= RUNS; run++) {
  for (const stream of STREAMS) {
    // Interleaved, so slow drift of the machine (thermal, other load) spreads over every client alike.
    for (const kind of CLIENTS) {
      const r = await measure(kind, stream);
      const key = `${kind}/${stream.name}`;
      results.set(key, [...(results.get(key) ?? []), r]);
      process.stderr.write(
        `run ${run}/${RUNS} ${key.padEnd(18)} ${fmt((stream.count / r.wallMs) * 1000).padStart(9)} frames/s  ${fmt(r.cpuUs / stream.count, 2).padStart(7)} µs CPU/frame  ` +
          `RSS ${mb(r.readyRssBytes, 0)} → ${mb(r.receivingRssBytes, 0)} (max ${mb(r.maxRssBytes, 0)})  ${r.requests} requests  ${r.superseded} superseded (${r.supersededPreviews} previews)\n`,
      );
    }
  }
}
await fake.close();

interface Summary {
  readonly framesPerSecond: number;
  readonly cpuUsPerFrame: number;
  readonly peakRssBytes: number;
  readonly readyRssBytes: number;
  readonly receivingRssBytes: number;
  readonly requests: number;
  readonly superseded: number;
  readonly supersededPreviews: number;
}
const summary = (kind: ClientKind, stream: Stream): Summary => {
  const runs = results.get(`${kind}/${stream.name}`) ?? [];
  return {
    framesPerSecond: median(runs.map((r) => (stream.count / r.wallMs) * 1000)),
    cpuUsPerFrame: median(runs.map((r) => r.cpuUs / stream.count)),
    peakRssBytes: median(runs.map((r) => r.maxRssBytes)),
    readyRssBytes: median(runs.map((r) => r.readyRssBytes)),
    receivingRssBytes: median(runs.map((r) => r.receivingRssBytes)),
    requests: median(runs.map((r) => r.requests)),
    superseded: median(runs.map((r) => r.superseded)),
    supersededPreviews: median(runs.map((r) => r.supersededPreviews)),
  };
};

const data: Record<string, Record<string, Summary>> = {};
for (const kind of CLIENTS) {
  data[kind] = {};
  for (const stream of STREAMS) data[kind][stream.name] = summary(kind, stream);
}

const [text, binary, mixed] = STREAMS as [Stream, Stream, Stream];
const textShape = describeCycle(text.cycle);
const mixedShape = describeCycle(mixed.cycle);
const row = (kind: ClientKind): string[] => {
  const d = data[kind]!;
  return [
    LABELS[kind],
    `${kilo(d.text!.framesPerSecond)} (${fmt(d.text!.cpuUsPerFrame, 2)})`,
    `${kilo(d.binary!.framesPerSecond)} (${fmt(d.binary!.cpuUsPerFrame, 1)})`,
    `${kilo(d.mixed!.framesPerSecond)} (${fmt(d.mixed!.cpuUsPerFrame, 2)})`,
    mb(d.text!.readyRssBytes, 0),
    mb(d.text!.receivingRssBytes, 0),
    mb(d.mixed!.receivingRssBytes, 0),
    mb(Math.max(d.text!.peakRssBytes, d.mixed!.peakRssBytes), 0),
  ];
};
const markdown = [
  `Median of ${RUNS} runs, each client in a fresh process. text: ${fmt(text.count)} text frames (average ${fmt(textShape.avgTextBytes)} bytes); ` +
    `binary: ${fmt(binary.count)} × 16 KiB type-4 previews; mixed: ${fmt(mixed.count)} frames, ${mixedShape.binaryFrames} of every ${mixedShape.textFrames + mixedShape.binaryFrames} a preview.`,
  '',
  table(
    [
      'client',
      'text frames/s (CPU µs/frame)',
      '16 KiB previews/s (CPU µs/frame)',
      'mixed frames/s (CPU µs/frame)',
      'RSS when connected',
      `peak RSS receiving ${kilo(text.count)} text`,
      `peak RSS receiving ${kilo(mixed.count)} mixed`,
      'process maxRSS (start-up included)',
    ],
    CLIENTS.map(row),
  ),
  '',
  CLIENTS.includes('core')
    ? `HTTP requests our Engine made while receiving (reconciliations triggered by \`status\` frames, coalesced): text ${fmt(data.core!.text!.requests)}, mixed ${fmt(data.core!.mixed!.requests)}. ` +
      `Frames it dropped, superseded by a newer one of the same kind and prompt in the same read (progress frames unread): text ${fmt(data.core!.text!.superseded)}, ` +
      `previews ${fmt(data.core!.binary!.superseded)}, mixed ${fmt(data.core!.mixed!.superseded)} (of which previews ${fmt(data.core!.mixed!.supersededPreviews)}).`
    : '',
].join('\n');

console.log(`\n## Messages (${machine().cpus} cores, Node ${machine().node})\n\n${markdown}`);
saveResult('messages', { markdown, data: { runs: RUNS, streams: STREAMS.map((s) => ({ name: s.name, count: s.count, ...describeCycle(s.cycle) })), clients: data } });
