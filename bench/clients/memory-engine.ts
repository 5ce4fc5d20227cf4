// Child process for bench/memory.ts: one Engine following 20 in-memory servers (FakeBackend) until it tracks
// 10,000 jobs, then the heap and RSS after full collections. The servers' own lists live in the same heap, so
// they are built first and measured as the baseline; the figure that matters is the engine's delta.
//   lean    pending items as /api/jobs lists them (id, status, priority, create time)
//   rich    pending items as /queue lists them: client id, output nodes, and node types and titles of the prompt
//   live    rich, then each job also gets progress, progress_state and an `executed` output over the socket
//   finished  rich, plus FINISHED jobs per server that ended while watched (an output each, server times): what the
//             tracker keeps in memory (up to 1,000 finished per server) and the journal keeps on disk
//   http    the real thing for a legacy server: 20 ComfyBackends over HTTP and WebSocket, each server (in the parent
//           process) listing its pending jobs through /queue with their full prompts; nothing but the engine lives
//           in this process, so its RSS is the app's
// First, as in the app's entry points: V8's young generation keeps the size it starts with.
import '../../electron/core/runtime/hold-young-generation-at-start.js';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActiveJobs, RemoteJob } from '../../electron/core/comfy/remote-jobs.js';
import { nodeInfoOf } from '../../electron/core/comfy/remote-jobs.js';
import { Engine } from '../../electron/core/engine.js';
import { FakeBackend } from '../../test/support/fake-backend.js';
import { jobId, realisticPrompt } from '../support/comfy-data.js';
import { parentChannel } from '../support/channel.js';

export type Variant = 'lean' | 'rich' | 'live' | 'finished' | 'http';
export interface MemoryResult {
  readonly type: 'result';
  readonly jobs: number;
  readonly before: NodeJS.MemoryUsage;
  readonly after: NodeJS.MemoryUsage;
  /**
   * The same after IDLE_MS without work: V8 shrinks a heap that grew for a burst (the first looks parse every
   * listing) only once the process has been quiet a while, as the app mostly is.
   */
  readonly idle: NodeJS.MemoryUsage;
  /** RSS each second of that quiet spell (no forced collection): how soon the app is back to its resting size. */
  readonly idleRssBytes: readonly number[];
  readonly journalBytes: number;
  readonly setupMs: number;
}

const [variant, serversArg, perServerArg, finishedArg, ...urls] = process.argv.slice(2) as [Variant, string, string, string | undefined, ...string[]];
const SERVERS = Number(serversArg);
const PER_SERVER = Number(perServerArg);
const FINISHED = Number(finishedArg ?? 0);
const channel = parentChannel<never, MemoryResult>();
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 8_000);

async function afterIdle(): Promise<{ idle: NodeJS.MemoryUsage; idleRssBytes: number[] }> {
  const idleRssBytes: number[] = [];
  for (let waited = 0; waited < IDLE_MS; waited += 1_000) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, IDLE_MS - waited)));
    idleRssBytes.push(process.memoryUsage.rss());
  }
  return { idle: await settle(), idleRssBytes };
}

/** Answers like a server over HTTP would: fresh objects on every call, never shared with the tracker. */
class ParsedFakeBackend extends FakeBackend {
  /** Finished records made before the baseline measurement; they end (enter `history`) once the engine watches. */
  toFinish: RemoteJob[] = [];

  override async listActive(): Promise<ActiveJobs> {
    return structuredClone(await super.listActive());
  }

  override async lookup(id: string): Promise<RemoteJob | undefined> {
    return structuredClone(await super.lookup(id));
  }

  override async *finishedPages(firstPageSize: number): AsyncGenerator<RemoteJob[]> {
    for await (const page of super.finishedPages(firstPageSize)) yield structuredClone(page);
  }
}

function finishedJob(server: number, i: number): RemoteJob {
  const n = (SERVERS + server) * PER_SERVER + i;
  const ended = 1_795_384_764_000 + n * 1_000;
  return {
    id: jobId(n),
    status: 'completed',
    clientId: `client-${server}-${i % 7}`,
    createdAt: ended - 60_000,
    startedAt: ended - 30_000,
    endedAt: ended,
    ...nodeInfoOf(realisticPrompt(n)),
    outputs: [{ nodeId: '9', kind: 'images', index: 0, filename: `ComfyUI_${String(n).padStart(5, '0')}_.png`, subfolder: `batch/${n % 50}`, type: 'output' }],
  };
}

function pendingJob(server: number, i: number): RemoteJob {
  const n = server * PER_SERVER + i;
  const lean: RemoteJob = { id: jobId(n), status: 'pending', priority: n, createdAt: 1_795_384_764_000 + n };
  if (variant === 'lean') return lean;
  return { ...lean, clientId: `client-${server}-${i % 7}`, outputNodeIds: ['9'], ...nodeInfoOf(realisticPrompt(n)) };
}

async function settle(): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 4; i++) {
    gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage();
}

/** The `http` variant: real backends to the servers the parent runs. */
async function overHttp(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'comfy-tray-bench-mem-'));
  const before = await settle();
  const start = performance.now();
  const engine = await Engine.create({ dataDir, servers: urls.map((url, i) => ({ id: `server-${i}`, name: `server ${i}`, url })) });
  const connected = new Set<string>();
  const all = new Promise<void>((resolve) =>
    engine.events.on('server', (view) => {
      if (view.state === 'connected') connected.add(view.id);
      if (connected.size === urls.length) resolve();
    }),
  );
  engine.start();
  await all;
  await engine.settled();
  await finish(engine, dataDir, start, before);
}

async function main(): Promise<void> {
  if (variant === 'http') return overHttp();
  const dataDir = mkdtempSync(join(tmpdir(), 'comfy-tray-bench-mem-'));
  const backends = new Map<string, ParsedFakeBackend>();
  for (let s = 0; s < SERVERS; s++) {
    const backend = new ParsedFakeBackend(`server-${s}`);
    backend.pending = Array.from({ length: PER_SERVER }, (_, i) => pendingJob(s, i));
    if (variant === 'finished') backend.toFinish = Array.from({ length: FINISHED }, (_, i) => finishedJob(s, i));
    backends.set(backend.serverId, backend);
  }
  const before = await settle();

  const start = performance.now();
  const engine = await Engine.create({
    dataDir,
    servers: [...backends.keys()].map((id) => ({ id, name: id, url: `http://${id}.invalid/` })),
    createBackend: (config) => backends.get(config.id)!,
  });
  engine.start();
  for (const backend of backends.values()) backend.connect(`own-${backend.serverId}`);
  await engine.settled();
  if (variant === 'live') {
    for (const backend of backends.values()) {
      for (const job of backend.pending) {
        backend.send({ type: 'progress', promptId: job.id, node: '3', value: 12, max: 30 });
        backend.send({
          type: 'progress_state',
          promptId: job.id,
          nodes: { '4': { value: 1, max: 1, state: 'finished', displayNodeId: '4' }, '3': { value: 12, max: 30, state: 'running', displayNodeId: '3' } },
        });
        backend.send({
          type: 'executed',
          promptId: job.id,
          node: '9',
          displayNode: '9',
          output: { images: [{ filename: `ComfyUI_${job.id.slice(-5)}_.png`, subfolder: 'batch', type: 'output' }] },
        });
      }
    }
    await engine.settled();
  }
  if (variant === 'finished') {
    // Other clients' jobs that end while the engine watches: announced, kept in memory and in the journal.
    for (const backend of backends.values()) {
      backend.history.push(...backend.toFinish);
      backend.status(PER_SERVER);
    }
    await engine.settled();
  }
  await finish(engine, dataDir, start, before);
}

/** Measures the engine once it tracks every job, sends the result, and removes the data folder. */
async function finish(engine: Engine, dataDir: string, start: number, before: NodeJS.MemoryUsage): Promise<void> {
  await engine.journal.flush();
  const setupMs = performance.now() - start;
  const after = await settle();
  const { idle, idleRssBytes } = await afterIdle();
  const jobs = engine.jobs().length;
  const journalBytes = statSync(engine.journal.path).size;
  rmSync(dataDir, { recursive: true, force: true });
  channel.finish({ type: 'result', jobs, before, after, idle, idleRssBytes, journalBytes, setupMs });
}

void main();
