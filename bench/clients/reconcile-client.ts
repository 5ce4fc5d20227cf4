// Child process for bench/reconcile.ts. Measures wall and CPU time of reading a 10,000-item queue:
//   core  our Engine with one ComfyBackend: the reconciliation after connecting (every job new to the tracker),
//         the journal write it schedules, then a steady-state reconciliation triggered by a `status` frame
//   bare  undici request + JSON.parse of the same route, twice (the floor for any client)
//   sdk   @saintno/comfyui-sdk's getQueue() (fetch + response.json()), twice; it has no jobs-API call
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComfyApi } from '@saintno/comfyui-sdk';
import { request } from 'undici';
import { Engine } from '../../electron/core/engine.js';
import { parentChannel } from '../support/channel.js';
import { holdYoungGeneration } from '../../electron/core/runtime/young-generation.js';

export type ReconcileKind = 'core' | 'bare' | 'sdk';
export interface Timing {
  readonly wallMs: number;
  readonly cpuMs: number;
}
export type ToReconcileClient = { type: 'status-sent' };
export type FromReconcileClient =
  | { type: 'send-status' }
  | { type: 'result'; first: Timing; journal?: Timing; next: Timing; second: Timing; maxRssBytes: number; jobs?: number; connectReconciled?: boolean };

const [kind, url, route, againArg] = process.argv.slice(2) as [ReconcileKind, string, string, string | undefined];
// Ours runs as the app's entry points start it; the other clients with Node's defaults.
if (kind === 'core') holdYoungGeneration();
/** Looks measured after the first; the median is reported (one look is one sample of a noisy machine). */
const AGAIN = Math.max(1, Number(againArg ?? 1));

/** The run with the median CPU time. */
function medianTiming(timings: readonly Timing[]): Timing {
  return [...timings].sort((a, b) => a.cpuMs - b.cpuMs)[Math.floor(timings.length / 2)]!;
}
const channel = parentChannel<ToReconcileClient, FromReconcileClient>();

async function timed(fn: () => Promise<unknown>): Promise<Timing> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await fn();
  const usage = process.cpuUsage(cpu);
  return { wallMs: performance.now() - start, cpuMs: (usage.user + usage.system) / 1000 };
}

async function core(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'comfy-tray-bench-rec-'));
  process.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  const engine = await Engine.create({ dataDir, servers: [{ id: 'bench', name: 'bench', url }] });
  engine.start();
  const backend = engine.backend('bench');
  // Registered after the tracker's own listeners: when ours runs, a reconciliation it starts is already in flight.
  const afterStatus = (): Promise<Timing> => {
    const timing = new Promise<Timing>((resolve) => {
      const off = backend.events.on('message', (message) => {
        if (message.type !== 'status') return;
        off();
        void timed(() => engine.settled()).then(resolve);
      });
    });
    channel.send({ type: 'send-status' });
    return timing;
  };
  const onConnect = await new Promise<Timing>((resolve) => {
    const off = backend.events.on('connected', () => {
      off();
      void timed(() => engine.settled()).then(resolve);
    });
  });
  // The reconciliation a (re)connect should start; if none ran, the next `status` broadcast does the same work.
  const connectReconciled = engine.jobs().length > 0;
  const first = connectReconciled ? onConnect : await afterStatus();
  const journal = await timed(() => engine.journal.flush());
  const jobs = engine.jobs().length;
  const seconds: Timing[] = [];
  for (let i = 0; i < AGAIN; i++) seconds.push(await afterStatus());
  const second = medianTiming(seconds);
  channel.finish({ type: 'result', first, journal, next: seconds[0]!, second, maxRssBytes: process.resourceUsage().maxRSS * 1024, jobs, connectReconciled });
}

async function bare(): Promise<void> {
  const read = async (): Promise<void> => {
    const response = await request(`${url}/${route}`);
    JSON.parse(await response.body.text());
  };
  const first = await timed(read);
  const seconds: Timing[] = [];
  for (let i = 0; i < AGAIN; i++) seconds.push(await timed(read));
  channel.finish({ type: 'result', first, next: seconds[0]!, second: medianTiming(seconds), maxRssBytes: process.resourceUsage().maxRSS * 1024 });
}

async function sdk(): Promise<void> {
  const api = new ComfyApi(url, 'bench-sdk');
  const first = await timed(() => api.getQueue());
  const seconds: Timing[] = [];
  for (let i = 0; i < AGAIN; i++) seconds.push(await timed(() => api.getQueue()));
  const second = medianTiming(seconds);
  channel.finish({ type: 'result', first, next: seconds[0]!, second, maxRssBytes: process.resourceUsage().maxRSS * 1024 });
}

void { core, bare, sdk }[kind]();
