// How soon a job queued by ANOTHER client (a browser tab) is reported finished, with its outputs, after a REAL
// ComfyUI server finished it: the engine against @saintno/comfyui-sdk doing what a user of it would write (it has
// no tracking of other clients' jobs: on every `status` broadcast, read the newest history entries).
//
//   node --import tsx bench/real-latency.ts [--jobs=20] [--version=0.8.0|0.3.54]
//
// Needs the real server sources (COMFYUI_SERVERS_DIR, as the conformance suite). "Finished" is the timestamp the
// server puts in `execution_success` (server and watchers share this machine's clock); "reported" is when the
// watcher's own code first held the job as completed with its outputs. Rounds alternate the watchers (one at a time,
// never both), so both see the same machine state.
import { ComfyApi } from '@saintno/comfyui-sdk';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../electron/core/engine.js';
import { OtherClient } from '../test/conformance/support/other-client.js';
import { RealComfyUI, type RealVersion } from '../test/conformance/support/real-comfyui.js';
import { quickPrompt } from '../test/conformance/support/workflows.js';
import { fmt, median, numberOption, saveResult, table } from './support/report.js';

type Kind = 'core' | 'sdk';
interface Watcher {
  /** Resolves with the moment (epoch ms) the watcher held `id` as completed with outputs. */
  reported(id: string): Promise<number>;
  stop(): Promise<void>;
}

const jobs = numberOption('jobs', 'BENCH_JOBS', 20);
const versionArg = process.argv.find((a) => a.startsWith('--version='))?.slice('--version='.length);
const version: RealVersion = versionArg === '0.3.54' ? '0.3.54' : '0.8.0';
const ROUND = 5;

async function coreWatcher(url: string): Promise<Watcher> {
  const dataDir = mkdtempSync(join(tmpdir(), 'comfy-tray-bench-latency-'));
  const engine = await Engine.create({ dataDir, servers: [{ id: 'real', name: 'real', url }] });
  const seen = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  engine.events.on('job-finished', (job) => {
    if (job.status !== 'completed' || job.outputs.length === 0) return;
    const at = Date.now();
    seen.set(job.id, at);
    waiting.get(job.id)?.(at);
  });
  const connected = new Promise<void>((resolve) => engine.events.on('server', (s) => s.state === 'connected' && resolve()));
  engine.start();
  await connected;
  await engine.settled();
  return {
    reported: (id) => new Promise((resolve) => (seen.has(id) ? resolve(seen.get(id)!) : waiting.set(id, resolve))),
    async stop() {
      await engine.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function sdkWatcher(url: string): Promise<Watcher> {
  const api = new ComfyApi(url.replace(/\/$/, ''));
  const seen = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  let reading = false;
  let again = false;
  const read = async (): Promise<void> => {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    do {
      again = false;
      const history = await api.getHistories(5);
      const at = Date.now();
      for (const [id, entry] of Object.entries(history)) {
        if (seen.has(id) || entry.status?.completed !== true || Object.keys(entry.outputs ?? {}).length === 0) continue;
        seen.set(id, at);
        waiting.get(id)?.(at);
      }
    } while (again);
    reading = false;
  };
  await api.init().waitForReady();
  await read();
  api.on('status', () => void read());
  return {
    reported: (id) => new Promise((resolve) => (seen.has(id) ? resolve(seen.get(id)!) : waiting.set(id, resolve))),
    async stop() {
      api.destroy();
    },
  };
}

async function round(kind: Kind, server: RealComfyUI, count: number): Promise<number[]> {
  const watcher = kind === 'core' ? await coreWatcher(server.url) : await sdkWatcher(server.url);
  const browser = await OtherClient.connect(server.url, { withSocket: true });
  const latencies: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const id = await browser.submit(quickPrompt('latency'));
      const [terminal, reportedAt] = await Promise.all([browser.terminal(id), watcher.reported(id)]);
      const finishedAt = terminal.data.timestamp;
      if (terminal.type !== 'execution_success' || typeof finishedAt !== 'number') throw new Error(`job ${id} ended with ${terminal.type}`);
      latencies.push(reportedAt - finishedAt);
    }
  } finally {
    await browser.close();
    await watcher.stop();
  }
  return latencies;
}

function p95(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const server = await RealComfyUI.start(version);
  const results: Record<Kind, number[]> = { core: [], sdk: [] };
  try {
    for (let done = 0; done < jobs; done += ROUND) {
      const count = Math.min(ROUND, jobs - done);
      for (const kind of ['core', 'sdk'] as const) results[kind].push(...(await round(kind, server, count)));
    }
  } finally {
    await server.stop();
  }
  const rows = (['core', 'sdk'] as const).map((kind) => [
    kind === 'core' ? 'Comfy Tray engine' : '@saintno/comfyui-sdk (status → history)',
    fmt(median(results[kind])),
    fmt(p95(results[kind])),
    fmt(Math.max(...results[kind])),
  ]);
  const markdown = `Real ComfyUI ${version}, ${jobs} jobs per watcher, ms from the server's execution_success to completed-with-outputs:\n\n${table(['watcher', 'median', 'p95', 'max'], rows)}`;
  console.log(markdown);
  saveResult(`real-latency-${version}`, { markdown, data: { version, jobs, latenciesMs: results } });
}

await main();
