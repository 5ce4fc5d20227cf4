// Child process for bench/messages.ts: connects one kind of client to the fake server, says "ready", then
// measures wall and CPU time until the sentinel `status` frame (the last frame of the blast) has been handled.
// Frames arrive in order and every client handles them synchronously, so the sentinel means "all done".
//   bare        `ws` + JSON.parse of each text frame: the practical limit
//   connection  our ComfyConnection alone: decode + dispatch, no job model
//   core        the full Engine with one ComfyBackend: decode, dispatch and apply to the job model
//   sdk         @saintno/comfyui-sdk's ComfyApi
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComfyApi } from '@saintno/comfyui-sdk';
import WebSocket from 'ws';
import { ComfyBackend } from '../../electron/core/backends/comfyui/comfy-backend.js';
import { ComfyConnection, type ClientIdStore, type ConnectionStats } from '../../electron/core/comfy/comfy-connection.js';
import { ComfyHttp } from '../../electron/core/comfy/http-client.js';
import { resolveServer } from '../../electron/core/comfy/server-config.js';
import { Engine } from '../../electron/core/engine.js';
import { SENTINEL_QUEUE } from '../support/comfy-data.js';
import { parentChannel } from '../support/channel.js';
import { holdYoungGeneration } from '../../electron/core/runtime/young-generation.js';

export type ClientKind = 'bare' | 'connection' | 'core' | 'sdk';

export type ToClient = never;
export type FromClient =
  | { type: 'ready' }
  | {
      type: 'result';
      wallMs: number;
      cpuUs: number;
      /** Process lifetime peak (getrusage), start-up included. */
      maxRssBytes: number;
      /** Highest RSS sampled every 5 ms while receiving. */
      receivingRssBytes: number;
      /** RSS once connected, before the blast: what the client costs before any traffic. */
      readyRssBytes: number;
      /** Frames the client itself counted, when it can (the SDK cannot tell). */
      frames?: number;
      malformed?: number;
      unknown?: number;
      /** Progress frames and previews dropped, superseded by a newer one in the same read (ours only). */
      superseded?: number;
      /** Of `superseded`, the previews. */
      supersededPreviews?: number;
    };

/** What a client can count itself, read once the blast is over. */
type Counters = Pick<Extract<FromClient, { type: 'result' }>, 'frames' | 'malformed' | 'unknown' | 'superseded' | 'supersededPreviews'>;

const [kind, url] = process.argv.slice(2) as [ClientKind, string];
// Ours run as the app's entry points start them; the other clients with Node's defaults.
if (kind !== 'bare' && kind !== 'sdk') holdYoungGeneration();
const channel = parentChannel<ToClient, FromClient>();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let done: () => void = () => undefined;
const finished = new Promise<void>((resolve) => {
  done = resolve;
});

async function connectBare(): Promise<() => Counters> {
  let frames = 0;
  const socket = new WebSocket(`${url.replace('http', 'ws')}/ws?clientId=bench-bare`, { perMessageDeflate: false });
  socket.on('message', (data: Buffer, isBinary: boolean) => {
    frames++;
    if (isBinary) return;
    const msg = JSON.parse(data.toString()) as { type?: string; data?: { status?: { exec_info?: { queue_remaining?: number } } } };
    if (msg.type === 'status' && msg.data?.status?.exec_info?.queue_remaining === SENTINEL_QUEUE) done();
  });
  await new Promise((resolve) => socket.once('message', resolve));
  // The welcome `status` is not part of the blast.
  return () => ({ frames: frames - 1 });
}

async function connectConnection(): Promise<() => Counters> {
  const server = resolveServer({ id: 'bench', name: 'bench', url });
  const records = new Map<string, { clientId: string; closedCleanly: boolean }>();
  const store: ClientIdStore = { get: (id) => records.get(id), set: (id, record) => void records.set(id, record) };
  const conn = new ComfyConnection(server, new ComfyHttp(server), store);
  conn.events.on('message', (message) => {
    if (message.type === 'status' && message.queueRemaining === SENTINEL_QUEUE) done();
  });
  const connected = new Promise((resolve) => conn.events.on('connected', resolve));
  conn.start();
  await connected;
  const before = { ...conn.stats };
  return () => countersOf(conn.stats, before);
}

/** Our connection's counters since `before` (the stats of the same connection once it was ready). */
function countersOf(stats: ConnectionStats, before: ConnectionStats): Counters {
  return {
    frames: stats.frames - before.frames,
    malformed: stats.malformed,
    unknown: stats.unknown,
    superseded: stats.superseded - before.superseded,
    supersededPreviews: stats.supersededPreviews - before.supersededPreviews,
  };
}

async function connectCore(): Promise<() => Counters> {
  const dataDir = mkdtempSync(join(tmpdir(), 'comfy-tray-bench-data-'));
  process.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  const engine = await Engine.create({ dataDir, servers: [{ id: 'bench', name: 'bench', url }] });
  const connected = new Promise<void>((resolve) =>
    engine.events.on('server', (view) => {
      if (view.state === 'connected') resolve();
    }),
  );
  engine.events.on('server', (view) => {
    if (view.queueRemaining === SENTINEL_QUEUE) done();
  });
  engine.start();
  await connected;
  await engine.settled();
  const backend = engine.backend('bench');
  if (!(backend instanceof ComfyBackend)) throw new Error('expected a ComfyBackend');
  const before = { ...backend.stats };
  return () => countersOf(backend.stats, before);
}

async function connectSdk(): Promise<() => Counters> {
  const api = new ComfyApi(url, 'bench-sdk');
  api.on('status', (event) => {
    if (event.detail.status.exec_info.queue_remaining === SENTINEL_QUEUE) done();
  });
  const connected = new Promise((resolve) => api.on('connected', resolve));
  api.init(1, 100);
  await connected;
  return () => ({});
}

const connectors: Record<ClientKind, () => Promise<() => Counters>> = {
  bare: connectBare,
  connection: connectConnection,
  core: connectCore,
  sdk: connectSdk,
};

// No top-level await: the bundle is CommonJS, like the app's.
async function main(): Promise<void> {
  const counters = await connectors[kind]();
  // Let start-up requests (reconciliation, the SDK's feature probes) finish before the clock starts.
  await sleep(300);
  const readyRssBytes = process.memoryUsage.rss();
  let receivingRssBytes = readyRssBytes;
  // getrusage's maxRSS is often reached while loading the bundle; sampling isolates the receiving phase.
  const sampler = setInterval(() => {
    receivingRssBytes = Math.max(receivingRssBytes, process.memoryUsage.rss());
  }, 5);
  const cpu = process.cpuUsage();
  const start = performance.now();
  channel.send({ type: 'ready' });
  await finished;
  const wallMs = performance.now() - start;
  const usage = process.cpuUsage(cpu);
  clearInterval(sampler);
  receivingRssBytes = Math.max(receivingRssBytes, process.memoryUsage.rss());
  channel.finish({
    type: 'result',
    wallMs,
    cpuUs: usage.user + usage.system,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    readyRssBytes,
    receivingRssBytes,
    ...counters(),
  });
}

void main();
