// Measure 4: what a client sends to an idle server, per minute, with its production defaults. Our Engine uses
// CONNECTION_DEFAULTS (ping every 20 s, HTTP probe every 30 s), so a meaningful window is minutes long; both
// clients are watched at the same time, each against its own fake server, to keep the bench to one window.
// Counting starts once each client has finished starting up (start-up requests are reported separately).
// Usage: node --import tsx bench/idle.ts [--seconds=120]   (or BENCH_IDLE_SECONDS=120)
import type { FromIdleClient, IdleKind } from './clients/idle-client.js';
import { Child } from './support/child.js';
import { FakeComfy } from './support/fake-comfy.js';
import { fmt, machine, numberOption, saveResult, sleep, table } from './support/report.js';
import { CONNECTION_DEFAULTS } from '../electron/core/comfy/reconnect-policy.js';

const SECONDS = numberOption('seconds', 'BENCH_IDLE_SECONDS', 120);
const FILE = new URL('./clients/idle-client.ts', import.meta.url).pathname;
const KINDS: readonly IdleKind[] = ['core', 'sdk'];
const LABELS: Record<IdleKind, string> = { core: 'our Engine (CONNECTION_DEFAULTS)', sdk: '@saintno/comfyui-sdk 0.3.1 (init())' };

interface Observed {
  readonly startup: Record<string, number>;
  readonly idle: Record<string, number>;
  readonly idleRequests: number;
  readonly pings: number;
  readonly reconnects: number;
}

async function watch(kind: IdleKind): Promise<Observed> {
  const fake = await FakeComfy.start();
  const child = await Child.start<never, FromIdleClient>(FILE, [kind, fake.url]);
  try {
    await child.next(60_000);
    const startup = Object.fromEntries(fake.requests);
    fake.resetCounters();
    await sleep(SECONDS * 1000);
    return { startup, idle: Object.fromEntries(fake.requests), idleRequests: fake.requestCount(), pings: fake.pings, reconnects: fake.connections };
  } finally {
    await child.stop(0);
    await fake.close();
  }
}

process.stderr.write(`idle: watching ${KINDS.join(' and ')} for ${SECONDS} s (--seconds=N to change)\n`);
const observed = await Promise.all(KINDS.map(watch));
const perMinute = (n: number): string => fmt((n * 60) / SECONDS, 1);
const describe = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .map(([path, n]) => `${path} ×${n}`)
    .join(', ') || 'none';

const data = KINDS.map((kind, i) => ({ kind, ...observed[i]! }));
const markdown = [
  `One window of ${SECONDS} s after start-up, both clients at once, each against its own idle fake server (it sends nothing after the welcome \`status\`). ` +
    `Our timings: ping every ${CONNECTION_DEFAULTS.pingIntervalMs / 1000} s, HTTP probe every ${CONNECTION_DEFAULTS.probeIntervalMs / 1000} s.`,
  '',
  table(
    ['client', 'HTTP requests/min', 'WS pings/min', 'new WS connections in the window', 'requests in the window', 'start-up requests'],
    data.map((d) => [LABELS[d.kind], perMinute(d.idleRequests), perMinute(d.pings), fmt(d.reconnects), describe(d.idle), describe(d.startup)]),
  ),
].join('\n');

console.log(`\n## Idle traffic (${machine().cpus} cores, Node ${machine().node})\n\n${markdown}`);
saveResult('idle', { markdown, data: { seconds: SECONDS, clients: data } });
