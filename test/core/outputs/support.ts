// Engines that save outputs, backends with a download that can be held or broken, and a look at what is on disk.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ComfyBackend } from '../../../electron/core/comfy/comfy-backend.js';
import { resolveServer, type ServerConfigInput } from '../../../electron/core/comfy/server-config.js';
import { Engine } from '../../../electron/core/engine.js';
import type { JobBackend, OutputStream } from '../../../electron/core/jobs/backend.js';
import type { Journal } from '../../../electron/core/jobs/journal.js';
import type { OutputOptions } from '../../../electron/core/outputs/output-options.js';
import type { OutputRef } from '../../../electron/shared/app-state.js';
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

/** The same backend with another `fetchOutput`. */
export function withFetchOutput(backend: ComfyBackend, fetchOutput: (ref: OutputRef, real: (ref: OutputRef) => Promise<OutputStream>) => Promise<OutputStream>): JobBackend {
  const real = (ref: OutputRef): Promise<OutputStream> => backend.fetchOutput(ref);
  return new Proxy(backend, {
    get(target, property) {
      if (property === 'fetchOutput') return (ref: OutputRef) => fetchOutput(ref, real);
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
