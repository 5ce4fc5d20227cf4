// Runs the headless commands in this process, their stdout read as JSON lines (faster than a process per run; the
// process-level behaviour is covered by headless.test.ts).
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { watch } from '../../electron/cli/commands.js';

export type Line = Record<string, unknown>;

export interface CapturedIo {
  readonly io: { stdout: PassThrough; stderr: PassThrough };
  /** Everything written so far. */
  stdoutText(): string;
  stderrText(): string;
}

export function captureIo(): CapturedIo {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { io: { stdout, stderr }, stdoutText: () => out, stderrText: () => err };
}

export function parseLines(text: string): Line[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Line);
}

export interface RunningWatch {
  /** Every line printed so far, in order. */
  readonly seen: Line[];
  /** Resolves with the first line printed (so far or from now on) that matches; `from` skips earlier lines. */
  until(predicate: (line: Line) => boolean, options?: { from?: number; timeoutMs?: number }): Promise<Line>;
  /** Ctrl-C: resolves with the exit code. */
  stop(): Promise<number>;
  readonly stderr: () => string;
  /** Everything printed on stdout so far, as written. */
  readonly stdoutText: () => string;
}

interface Waiter {
  readonly predicate: (line: Line) => boolean;
  readonly resolve: (line: Line) => void;
  readonly reject: (error: Error) => void;
}

export function startWatch(options: Parameters<typeof watch>[0]): RunningWatch {
  const captured = captureIo();
  let stopNow!: () => void;
  const stopped = new Promise<void>((resolve) => (stopNow = resolve));
  const running = watch(options, captured.io, stopped);
  const seen: Line[] = [];
  let waiters: Waiter[] = [];
  let ended: Error | undefined;
  createInterface({ input: captured.io.stdout }).on('line', (text) => {
    const line = JSON.parse(text) as Line;
    seen.push(line);
    const matched = waiters.filter((waiter) => waiter.predicate(line));
    waiters = waiters.filter((waiter) => !matched.includes(waiter));
    for (const waiter of matched) waiter.resolve(line);
  });
  const end = (error: Error): void => {
    ended = error;
    for (const waiter of waiters.splice(0)) waiter.reject(error);
  };
  running.then(
    () => end(new Error(`watch ended; stderr: ${captured.stderrText()}`)),
    (error: unknown) => end(error instanceof Error ? error : new Error(String(error))),
  );
  return {
    seen,
    until: (predicate, { from = 0, timeoutMs = 10_000 } = {}) =>
      new Promise<Line>((resolve, reject) => {
        const already = seen.slice(from).find(predicate);
        if (already) return resolve(already);
        if (ended) return reject(ended);
        // Not a timed assertion: a guard so a line that never comes fails with what was printed, not a bare timeout.
        const timer = setTimeout(() => {
          waiters = waiters.filter((waiter) => waiter !== self);
          reject(new Error(`no such line after ${timeoutMs} ms; printed: ${JSON.stringify(seen)}; stderr: ${captured.stderrText()}`));
        }, timeoutMs);
        const self: Waiter = {
          predicate,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        };
        waiters.push(self);
      }),
    stop: async () => {
      stopNow();
      return running;
    },
    stderr: captured.stderrText,
    stdoutText: captured.stdoutText,
  };
}
