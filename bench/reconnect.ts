// Measure: how soon connections are back after their server returns from an outage, and what they send while it is
// down. The server is the test simulator (real HTTP and WebSocket on loopback), stopped (port closed, connections
// dropped) and started again on the same port. A child process holds CLIENTS connections with production timings
// (CONNECTION_DEFAULTS), each with its own client id, so every outage gives CLIENTS samples.
//   direct       outages of several lengths; between two, the connections stay up past `stableAfterMs` (20 s)
//   second drop  a 5 s outage, and another 5 s outage 3 s after the connections came back
//   long         one outage of --long seconds (default 180)
//   behind a proxy that answers 502 while the server is down (--proxy seconds, default 90)
//   behind a port forwarder (Docker's userland proxy, `ssh -L`) that accepts and drops while the server is down
// "Reconnect delay" is from the moment the server listens again to the connection's `connected` event (both on this
// machine's clock). Usage: node --import tsx bench/reconnect.ts [--runs=2] [--clients=5] [--outages=2,10,30,60]
//        [--long=180] [--proxy=90] [--forwarder=15] [--skip=long,proxy,forwarder,second] [--stable=21000]
import type { FromReconnectClient, ToReconnectClient } from './clients/reconnect-client.js';
import { ComfySimulator } from '../test/support/comfy-simulator.js';
import { TcpFront } from '../test/support/tcp-front.js';
import { Child } from './support/child.js';
import { fmt, machine, median, numberOption, saveResult, sleep, table } from './support/report.js';

const RUNS = numberOption('runs', 'BENCH_RUNS', 2);
const CLIENTS = numberOption('clients', 'BENCH_CLIENTS', 5);
const OUTAGES_S = (process.argv.find((a) => a.startsWith('--outages='))?.slice('--outages='.length) ?? '2,10,30,60').split(',').map(Number).filter((n) => n > 0);
const LONG_S = numberOption('long', 'BENCH_LONG_OUTAGE', 180);
const PROXY_S = numberOption('proxy', 'BENCH_PROXY_OUTAGE', 90);
const FORWARDER_S = numberOption('forwarder', 'BENCH_FORWARDER_OUTAGE', 15);
const SKIP = new Set(process.argv.find((a) => a.startsWith('--skip='))?.slice('--skip='.length).split(',') ?? []);
/** Longer than CONNECTION_DEFAULTS.stableAfterMs: each outage starts from a connection that counts as stable. */
const STABLE_MS = numberOption('stable', 'BENCH_STABLE_MS', 21_000);
const FILE = new URL('./clients/reconnect-client.ts', import.meta.url).pathname;
const now = (): number => performance.timeOrigin + performance.now();

type Counters = Extract<FromReconnectClient, { type: 'counters' }>;

/** The child's connections: when each was connected, and its counters on request. */
class Clients {
  private readonly connected: number[][] = Array.from({ length: CLIENTS }, () => []);
  private readonly waiters: (() => void)[] = [];
  private counterWaiter: ((c: Counters) => void) | undefined;

  private constructor(private readonly child: Child<ToReconnectClient, FromReconnectClient>) {}

  static async start(url: string): Promise<Clients> {
    const clients = new Clients(await Child.start<ToReconnectClient, FromReconnectClient>(FILE, [url, String(CLIENTS)]));
    void clients.pump();
    return clients;
  }

  private async pump(): Promise<void> {
    for (;;) {
      const message = await this.child.next(24 * 60 * 60_000).catch(() => undefined);
      if (!message) return;
      if (message.type === 'connected') {
        this.connected[message.index]!.push(message.at);
        for (const waiter of this.waiters.splice(0)) waiter();
      } else {
        this.counterWaiter?.(message);
        this.counterWaiter = undefined;
      }
    }
  }

  /** Each connection's first `connected` after `since`, once all of them have one. */
  async connectedAfter(since: number, timeoutMs = 15 * 60_000): Promise<number[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const times = this.connected.map((list) => list.find((at) => at > since));
      if (times.every((at) => at !== undefined)) return times as number[];
      if (Date.now() > deadline) throw new Error('connections did not come back');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 1_000);
      });
    }
  }

  /** What the connections sent since the last call. */
  counters(): Promise<Counters> {
    return new Promise((resolve) => {
      this.counterWaiter = resolve;
      this.child.send({ type: 'counters' });
    });
  }

  async stop(): Promise<void> {
    await this.child.stop(0);
  }
}

interface Sample {
  readonly scenario: string;
  readonly outageS: number;
  /** ms from the server listening again to each connection's `connected`. */
  readonly delays: number[];
  /** How long the server was down, in seconds. */
  readonly downS: number;
  /** Per connection, over the whole outage. */
  readonly http: number;
  readonly checks?: number;
  /** What reached the front listening before the server, per connection (fronts only). */
  readonly front?: number;
}

const samples: Sample[] = [];

/** Stops the server for `seconds` (and runs `during`), starts it again, and measures the way back. */
async function outage(sim: ComfySimulator, clients: Clients, scenario: string, seconds: number, hooks: { down?: () => void; up?: () => void; frontRequests?: () => number } = {}): Promise<Sample> {
  await clients.counters();
  const frontBefore = hooks.frontRequests?.() ?? 0;
  const start = Date.now();
  await sim.stop();
  hooks.down?.();
  await sleep(Math.max(0, seconds * 1000 - (Date.now() - start)));
  const down = await clients.counters();
  const frontRequests = (hooks.frontRequests?.() ?? 0) - frontBefore;
  const downS = (Date.now() - start) / 1000;
  await sim.start();
  hooks.up?.();
  const up = now();
  const delays = (await clients.connectedAfter(up)).map((at) => at - up);
  const sample: Sample = {
    scenario,
    outageS: seconds,
    delays,
    downS,
    http: down.httpRequests / CLIENTS,
    ...(down.portChecks !== undefined && { checks: down.portChecks / CLIENTS }),
    ...(hooks.frontRequests && { front: frontRequests / CLIENTS }),
  };
  samples.push(sample);
  process.stderr.write(
    `${scenario.padEnd(12)} ${String(seconds).padStart(4)} s down: back after ${delays.map((d) => fmt(d)).join(', ')} ms; ` +
      `per connection: ${fmt(sample.http, 1)} HTTP requests, ${sample.checks === undefined ? '—' : fmt(sample.checks, 1)} port checks` +
      (sample.front === undefined ? '' : `, ${fmt(sample.front, 1)} reached the front`) +
      '\n',
  );
  return sample;
}

async function direct(): Promise<void> {
  const sim = await ComfySimulator.start();
  const clients = await Clients.start(sim.url);
  try {
    await clients.connectedAfter(0);
    for (let run = 1; run <= RUNS; run++) {
      for (const seconds of OUTAGES_S) {
        await sleep(STABLE_MS);
        await outage(sim, clients, 'direct', seconds);
      }
      if (!SKIP.has('second')) {
        await sleep(STABLE_MS);
        await outage(sim, clients, 'first drop', 5);
        await sleep(3_000);
        await outage(sim, clients, 'second drop', 5);
      }
    }
    if (!SKIP.has('long')) {
      await sleep(STABLE_MS);
      await outage(sim, clients, 'long', LONG_S);
    }
  } finally {
    await clients.stop();
    await sim.stop();
  }
}

async function behindFront(scenario: 'proxy' | 'forwarder', seconds: number): Promise<void> {
  const sim = await ComfySimulator.start();
  const front = await TcpFront.start(sim.port, 'forward');
  const clients = await Clients.start(front.url);
  try {
    await clients.connectedAfter(0);
    await sleep(STABLE_MS);
    if (scenario === 'proxy') {
      // The proxy stays up and answers 502 for as long as the server behind it is down.
      await outage(sim, clients, 'proxy 502', seconds, {
        down: () => {
          front.mode = 'bad-gateway';
          front.dropAll();
        },
        up: () => {
          front.mode = 'forward';
        },
        frontRequests: () => front.badGateways.length,
      });
    } else {
      // A forwarder accepts every connection and drops it when the server behind refuses (front stays 'forward').
      await outage(sim, clients, 'forwarder', seconds, { frontRequests: () => front.connections });
    }
  } finally {
    await clients.stop();
    await front.close();
    await sim.stop();
  }
}

function p95(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] ?? Number.NaN;
}

async function main(): Promise<void> {
  await direct();
  if (!SKIP.has('proxy')) await behindFront('proxy', PROXY_S);
  if (!SKIP.has('forwarder')) await behindFront('forwarder', FORWARDER_S);

  const group = (label: string, pick: (s: Sample) => boolean): string[] | undefined => {
    const chosen = samples.filter(pick);
    if (chosen.length === 0) return undefined;
    const delays = chosen.flatMap((s) => s.delays);
    const minutes = chosen.reduce((sum, s) => sum + s.downS, 0) / 60;
    /** Per connection and outage, and per minute of outage in brackets. */
    const rate = (pick: (s: Sample) => number | undefined): string => {
      const values = chosen.map(pick);
      if (values.some((v) => v === undefined)) return '—';
      const total = (values as number[]).reduce((a, b) => a + b, 0);
      return `${fmt(total / chosen.length, 1)} (${fmt(total / minutes, 1)}/min)`;
    };
    return [
      label,
      String(delays.length),
      fmt(median(delays)),
      fmt(p95(delays)),
      fmt(Math.max(...delays)),
      rate((s) => s.http),
      rate((s) => s.checks),
      rate((s) => s.front),
    ];
  };
  const rows = [
    ...OUTAGES_S.map((s) => group(`${s} s outage`, (x) => x.scenario === 'direct' && x.outageS === s)),
    group('all outages up to 1 min', (x) => x.scenario === 'direct' && x.outageS <= 60),
    group('first drop (5 s)', (x) => x.scenario === 'first drop'),
    group('second drop (5 s), 3 s after the first reconnect', (x) => x.scenario === 'second drop'),
    group(`${LONG_S} s outage`, (x) => x.scenario === 'long'),
    group(`${PROXY_S} s behind a proxy answering 502`, (x) => x.scenario === 'proxy 502'),
    group(`${FORWARDER_S} s behind a port forwarder that drops`, (x) => x.scenario === 'forwarder'),
  ].filter((row): row is string[] => row !== undefined);
  const markdown = [
    `${CLIENTS} connections (CONNECTION_DEFAULTS) to one simulated server, ${RUNS} run(s) of each outage; delays in ms from the server listening again to \`connected\`. ` +
      'Requests and checks are per connection and outage (per minute of outage in brackets): HTTP requests the connections sent (answered or refused), bare TCP checks of the port, and what reached the front (proxy: requests answered 502; forwarder: connections accepted, checks included).',
    '',
    table(['outage', 'samples', 'median', 'p95', 'max', 'HTTP requests sent while down', 'TCP checks while down', 'reached the front while down'], rows),
  ].join('\n');
  console.log(`\n## Reconnect (${machine().cpus} cores, Node ${machine().node})\n\n${markdown}`);
  saveResult('reconnect', { markdown, data: { runs: RUNS, clients: CLIENTS, samples } });
}

await main();
