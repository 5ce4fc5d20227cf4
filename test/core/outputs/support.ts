// Engines that save outputs, a saver on its own over a journal, backends with a download that can be held or broken,
// and a look at what is on disk.
import type { FileHandle } from 'node:fs/promises';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { ComfyBackend } from '../../../electron/core/backends/comfyui/comfy-backend.js';
import { resolveServer, type ServerConfigInput } from '../../../electron/core/comfy/server-config.js';
import { Engine } from '../../../electron/core/engine.js';
import type { JobBackend, OutputRange, OutputStream } from '../../../electron/core/jobs/backend.js';
import { Journal, type JournalOptions } from '../../../electron/core/jobs/journal.js';
import type { OutputOptions } from '../../../electron/core/outputs/output-options.js';
import { OutputSaver } from '../../../electron/core/outputs/output-saver.js';
import type { JobView, OutputRef } from '../../../electron/shared/app-state.js';
import { FAST_TIMINGS } from '../../support/timings.js';

type TestContext = { after: (fn: () => Promise<void>) => void };

export const SERVER_NAME = 'gpu box';

/** Retries scaled down for tests; a test that wants the reconnect (not the timer) to retry raises retryLaterMs. */
export const FAST_RETRY: Partial<OutputOptions> = { attempts: 2, retryDelayMs: 10, retryLaterMs: 50, retryMaxMs: 200 };

export async function savingEngine(
  t: TestContext,
  url: string,
  options: {
    dataDir: string;
    outputs: OutputOptions;
    wrap?: (backend: ComfyBackend) => JobBackend;
    servers?: readonly ServerConfigInput[];
  },
): Promise<Engine> {
  const engine = await Engine.create({
    dataDir: options.dataDir,
    servers: options.servers ?? [{ id: 's0', name: SERVER_NAME, url }],
    timings: FAST_TIMINGS,
    tracker: { recheckDelayMs: 50 },
    outputs: { ...FAST_RETRY, ...options.outputs },
    createBackend: (config: ServerConfigInput, journal: Journal) => {
      const backend = new ComfyBackend(resolveServer(config), journal, { timings: FAST_TIMINGS });
      return options.wrap ? options.wrap(backend) : backend;
    },
  });
  t.after(() => engine.stop());
  engine.start();
  return engine;
}

export type RealFetch = (ref: OutputRef, range?: OutputRange, signal?: AbortSignal) => Promise<OutputStream>;

/** The same backend with another `fetchOutput` (`real` is the backend's own). */
export function withFetchOutput(
  backend: ComfyBackend,
  fetchOutput: (ref: OutputRef, real: RealFetch, range?: OutputRange, signal?: AbortSignal) => Promise<OutputStream>,
): JobBackend {
  const real: RealFetch = (ref, range, signal) => backend.fetchOutput(ref, range, signal);
  return new Proxy(backend, {
    get(target, property) {
      if (property === 'fetchOutput') return (ref: OutputRef, range?: OutputRange, signal?: AbortSignal) => fetchOutput(ref, real, range, signal);
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A download that sends the first half of the real bytes, then waits: `started` resolves once it is being read. */
export function heldDownload(real: Readable): { stream: Readable; started: Promise<void>; total: Promise<number> } {
  // A plain readable, like the HTTP client's body (the rest of the bytes never come).
  const stream = new Readable({ read: () => undefined });
  let begin!: () => void;
  const started = new Promise<void>((resolve) => (begin = resolve));
  stream.once('resume', () => begin());
  const total = (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of real) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    stream.push(bytes.subarray(0, bytes.length >> 1));
    return bytes.length;
  })();
  return { stream, started, total };
}

/** A saver on its own (no engine, no socket): a journal in `dataDir`, a backend for the server at `url`. */
export async function directSaver(
  t: TestContext,
  url: string,
  options: {
    dataDir: string;
    outputs: OutputOptions;
    wrap?: (backend: ComfyBackend) => JobBackend;
    journal?: (journal: Journal) => Journal;
    journalOptions?: JournalOptions;
    /** What the saver waits for before it asks for a job's outputs (the tracker's record check in the engine). */
    recordChecked?: (jobId: string) => Promise<void>;
  },
): Promise<{ saver: OutputSaver; journal: Journal; finish: (id: string, outputs: readonly OutputRef[]) => Promise<JobView> }> {
  const { journal: opened } = await Journal.openIn(options.dataDir, options.journalOptions);
  const journal = options.journal ? options.journal(opened) : opened;
  const backend = new ComfyBackend(resolveServer({ id: 's0', name: SERVER_NAME, url }), opened, { timings: FAST_TIMINGS });
  const saver = new OutputSaver(journal, { ...FAST_RETRY, ...options.outputs });
  saver.addServer(options.wrap ? options.wrap(backend) : backend, options.recordChecked);
  saver.start();
  t.after(async () => {
    await saver.stop();
    await backend.stop();
  });
  /** Records the job as finished with these outputs (what the live events said) and hands it to the saver. */
  const finish = async (id: string, outputs: readonly OutputRef[]): Promise<JobView> => {
    const job = { serverId: 's0', id, status: 'completed' as const, submittedBy: 'other' as const, outputs, endedAt: Date.UTC(2026, 2, 4, 5, 6, 7) };
    await opened.recordFinished('s0', job);
    saver.jobFinished(job);
    return job;
  };
  return { saver, journal, finish };
}

/** One output file entry as a node lists it. */
export function outputRef(filename: string, extra: Partial<OutputRef> = {}): OutputRef {
  return { nodeId: '9', kind: 'images', index: 0, filename, subfolder: '', type: 'output', ...extra };
}

/**
 * The temporary file's own writes, observed: `firstWrite` resolves once the first chunk is on disk (a download can
 * then be cut knowing what the part holds).
 */
export function observedDisk(): { createWriteStream: (handle: FileHandle) => Writable; firstWrite: Promise<number> } {
  const { promise: firstWrite, resolve } = deferred<number>();
  return {
    firstWrite,
    createWriteStream: (handle) =>
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          handle.write(chunk).then(() => {
            resolve(chunk.length);
            done();
          }, done);
        },
        final(done) {
          handle.sync().then(() => done(), done);
        },
      }),
  };
}

/** What the HTTP client reports when the connection drops mid-body. */
export function socketClosed(): Error {
  return Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
}

/** Every file below a folder, relative, sorted (temporary files included, so tests can see none are left). */
export async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
    .sort();
}

export async function sizeOf(path: string): Promise<number> {
  return (await stat(path)).size;
}

export function enospc(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
}

/** A promise resolved from outside (Node 20 has no Promise.withResolvers). */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** The MaxListenersExceededWarnings the process emits from now on (until the test ends). */
export function listenerWarnings(t: { after: (fn: () => void) => void }): string[] {
  const seen: string[] = [];
  const onWarning = (warning: Error): void => {
    if (warning.name === 'MaxListenersExceededWarning') seen.push(warning.message);
  };
  process.on('warning', onWarning);
  t.after(() => process.off('warning', onWarning));
  return seen;
}
