// Child process for bench/reconnect.ts: COUNT connections (ComfyBackend with CONNECTION_DEFAULTS, each with its
// own client id) to one server. It tells the parent every time one of them is connected (with the time, on the
// shared clock), and on request how many HTTP requests its connections sent and how many bare TCP checks of the
// port they made since the last request.
// First, as in the app's entry points: V8's young generation keeps the size it starts with.
import '../../electron/core/runtime/hold-young-generation-at-start.js';
import { subscribe } from 'node:diagnostics_channel';
import { ComfyBackend } from '../../electron/core/backends/comfyui/comfy-backend.js';
import type { ClientIdStore } from '../../electron/core/comfy/comfy-connection.js';
import { resolveServer } from '../../electron/core/comfy/server-config.js';
import { parentChannel } from '../support/channel.js';

export type ToReconnectClient = { type: 'counters' };
export type FromReconnectClient =
  | { type: 'connected'; index: number; at: number }
  | { type: 'counters'; httpRequests: number; portChecks?: number };

const [url, countArg] = process.argv.slice(2) as [string, string];
const COUNT = Number(countArg);
const channel = parentChannel<ToReconnectClient, FromReconnectClient>();
const now = (): number => performance.timeOrigin + performance.now();

let httpRequests = 0;
// Every request undici creates, answered or not: a retry against a closed port is a request sent all the same.
subscribe('undici:request:create', () => httpRequests++);

const backends = Array.from({ length: COUNT }, (_, index) => {
  const records = new Map<string, { clientId: string; closedCleanly: boolean }>();
  const store: ClientIdStore = { get: (id) => records.get(id), set: (id, record) => void records.set(id, record) };
  const backend = new ComfyBackend(resolveServer({ id: `bench-${index}`, name: `bench ${index}`, url }), store);
  backend.events.on('connected', () => channel.send({ type: 'connected', index, at: now() }));
  return backend;
});

const portChecks = (): number | undefined => {
  // Older builds have no port checks to count.
  const counts = backends.map((backend) => (backend.stats as { portChecks?: number }).portChecks);
  return counts.every((n) => n === undefined) ? undefined : counts.reduce<number>((sum, n) => sum + (n ?? 0), 0);
};

async function main(): Promise<void> {
  for (const backend of backends) backend.start();
  let lastRequests = 0;
  let lastChecks = 0;
  for (;;) {
    const message = await channel.next();
    if (message.type !== 'counters') continue;
    const checks = portChecks();
    channel.send({ type: 'counters', httpRequests: httpRequests - lastRequests, ...(checks !== undefined && { portChecks: checks - lastChecks }) });
    lastRequests = httpRequests;
    lastChecks = checks ?? 0;
  }
}

void main();
