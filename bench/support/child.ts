// Every measured client runs in its own child process: the fake server's CPU stays out of process.cpuUsage(), and
// peak RSS (maxRSS) belongs to one client and one run. Children are bundled with esbuild exactly as the app is
// (scripts/build.mjs: CommonJS, node20, everything inlined), so no TypeScript loader thread or on-the-fly
// transpiling sits in the measured process.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { build } from 'esbuild';

const outDir = mkdtempSync(join(tmpdir(), 'comfy-tray-bench-'));
process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
const bundles = new Map<string, Promise<string>>();
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill();
});

/** `entry` bundled as the app is built (CommonJS, node20, everything inlined); once per entry and process. */
export function bundle(entry: string): Promise<string> {
  let pending = bundles.get(entry);
  if (!pending) {
    const outfile = join(outDir, `${basename(entry, '.ts')}.cjs`);
    pending = build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      logLevel: 'warning',
      external: ['bufferutil', 'utf-8-validate'],
      define: { 'import.meta.url': 'importMetaUrl' },
      banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
    }).then(() => outfile);
    bundles.set(entry, pending);
  }
  return pending;
}

/** The parent's handle on one child: typed messages both ways. */
export class Child<In, Out> {
  private readonly inbox: Out[] = [];
  private readonly waiters: ((message: Out) => void)[] = [];
  readonly exited: Promise<number>;

  private constructor(private readonly process: ChildProcess) {
    running.add(process);
    process.once('exit', () => running.delete(process));
    process.on('message', (message) => {
      const waiter = this.waiters.shift();
      if (waiter) waiter(message as Out);
      else this.inbox.push(message as Out);
    });
    this.exited = new Promise((resolve) => process.once('exit', (code) => resolve(code ?? 1)));
  }

  /** `entry` is a bench/clients/*.ts file; `--expose-gc` so children can measure memory after a full collection. */
  static async start<In, Out>(entry: string, args: readonly string[]): Promise<Child<In, Out>> {
    const file = await bundle(entry);
    // BENCH_CPU_PROF=<dir> writes a V8 CPU profile per child (open it in Chrome DevTools) to see where time goes;
    // BENCH_NODE_FLAGS="--trace-gc" (any Node flags) shows what the garbage collector does in each child.
    const profile = [...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []), ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [])];
    return new Child<In, Out>(fork(file, [...args], { execArgv: ['--expose-gc', ...profile], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  send(message: In): void {
    this.process.send(message as object);
  }

  /** The next message from the child; rejects if it exits first or stays silent for `timeoutMs`. */
  next(timeoutMs = 120_000): Promise<Out> {
    const queued = this.inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child silent for ${timeoutMs} ms`)), timeoutMs);
      const onExit = (code: number | null): void => {
        clearTimeout(timer);
        reject(new Error(`child exited (${code}) before answering`));
      };
      this.process.once('exit', onExit);
      this.waiters.push((message) => {
        clearTimeout(timer);
        this.process.off('exit', onExit);
        resolve(message);
      });
    });
  }

  /** Lets the child exit by itself (it may be writing a CPU profile), then makes sure it is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([this.exited, grace]);
    clearTimeout(timer);
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill();
    await this.exited;
  }
}
