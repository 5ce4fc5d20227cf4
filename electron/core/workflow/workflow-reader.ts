// Reads dropped and opened files off the main thread: extractWorkflow runs in a worker_threads Worker (the same in
// plain Node, the headless CLI and Electron's main process) with a memory limit (resourceLimits) and a time budget
// per file. A file over either gets an error result and the worker is ended; the next file gets a new worker. The
// worker ends once nothing is left to read, so an idle app holds no second heap and a CLI run can exit.
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { keepHoldingAfterStart } from '../runtime/young-generation.js';
import { errorMessage } from '../errors.js';
import { detectFormat } from './detect.js';
import type { WorkflowErrorCode } from './errors.js';
import type { ExtractResult } from './extract.js';

export interface ReadBudget {
  /** Longest one file may take, the worker's start included. */
  readonly timeoutMs: number;
  /** The worker's heap (old generation), in MB: above it the worker is ended by V8 itself. */
  readonly maxHeapMb: number;
}

/**
 * A real workflow is read in well under a second and a few MB of heap; the limits leave room for the largest files
 * the readers accept (64 MB of JSON) on a slow machine.
 */
export const READ_BUDGET: ReadBudget = { timeoutMs: 20_000, maxHeapMb: 1024 };

/** What reading one file off the main thread looks like to its callers (the inbox, the CLI). */
export type ReadWorkflowFile = (bytes: Uint8Array, name?: string) => Promise<ExtractResult>;

export interface ExtractRequest {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly name?: string;
}

export interface ExtractResponse {
  readonly id: number;
  readonly result: ExtractResult;
}

/** Starts a worker running extract-worker with these limits. */
export type SpawnExtractWorker = (limits: ResourceLimits) => Worker;

interface Pending {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly name: string | undefined;
  readonly resolve: (result: ExtractResult) => void;
  timer?: NodeJS.Timeout;
}

export class WorkflowReader {
  private worker: Worker | undefined;
  private current: Pending | undefined;
  private readonly queue: Pending[] = [];
  private nextId = 1;

  constructor(
    private readonly budget: ReadBudget = READ_BUDGET,
    private readonly spawn: SpawnExtractWorker = spawnExtractWorker,
  ) {}

  /** Never rejects: what went wrong comes back as an `error` result with a code, like extractWorkflow's own. */
  read(bytes: Uint8Array, name?: string): Promise<ExtractResult> {
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, bytes, name, resolve });
      this.next();
    });
  }

  private next(): void {
    if (this.current) return;
    const job = this.queue.shift();
    if (!job) {
      this.retire();
      return;
    }
    this.current = job;
    let worker: Worker;
    try {
      worker = this.worker ??= this.start();
    } catch (error) {
      this.finish(job, failed(job, 'WORKFLOW_READ_FAILED', `the file could not be read: ${errorMessage(error)}`));
      return;
    }
    job.timer = setTimeout(() => this.abandon(worker, failed(job, 'WORKFLOW_READ_TIMEOUT', `reading it took longer than ${this.budget.timeoutMs / 1000} s`)), this.budget.timeoutMs);
    // A copy of its own (a Buffer's slice() would be a view), moved to the worker: the caller keeps its bytes (to
    // upload them later), and only this one copy is made.
    const bytes = new Uint8Array(job.bytes);
    const request: ExtractRequest = { id: job.id, bytes, ...(job.name !== undefined && { name: job.name }) };
    worker.postMessage(request, [bytes.buffer]);
  }

  private start(): Worker {
    const worker = this.spawn({ maxOldGenerationSizeMb: this.budget.maxHeapMb });
    worker.on('message', (message: unknown) => {
      const job = this.current;
      if (worker !== this.worker || !job || !isResponse(message) || message.id !== job.id) return;
      this.finish(job, message.result);
    });
    worker.on('error', (error: unknown) => {
      const job = this.current;
      if (worker !== this.worker || !job) return;
      const outOfMemory = (error as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.abandon(
        worker,
        outOfMemory ? failed(job, 'WORKFLOW_READ_OUT_OF_MEMORY', `reading it needs more than ${this.budget.maxHeapMb} MB of memory`) : failed(job, 'WORKFLOW_READ_FAILED', `the file could not be read: ${errorMessage(error)}`),
      );
    });
    worker.on('exit', () => {
      const job = this.current;
      if (worker !== this.worker) return;
      this.worker = undefined;
      if (job) this.finish(job, failed(job, 'WORKFLOW_READ_FAILED', 'the file could not be read: the reader stopped'));
    });
    return worker;
  }

  /** Ends the worker (it may be stuck in the file) and answers the file it was reading. */
  private abandon(worker: Worker, result: ExtractResult): void {
    if (this.worker === worker) this.worker = undefined;
    void worker.terminate();
    if (this.current) this.finish(this.current, result);
  }

  private finish(job: Pending, result: ExtractResult): void {
    clearTimeout(job.timer);
    if (this.current === job) this.current = undefined;
    job.resolve(result);
    this.next();
  }

  /** Nothing left to read: the worker goes (a new one starts with the next file). */
  private retire(): void {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) void worker.terminate();
  }
}

function failed(job: Pending, code: WorkflowErrorCode, message: string): ExtractResult {
  return { kind: 'error', format: detectFormat(job.bytes, job.name), code, message };
}

function isResponse(message: unknown): message is ExtractResponse {
  if (message === null || typeof message !== 'object') return false;
  const { id, result } = message as { id?: unknown; result?: unknown };
  return typeof id === 'number' && result !== null && typeof result === 'object';
}

/**
 * The worker's code: `extract-worker.cjs` beside the bundle in the app and the headless build (scripts/build.mjs
 * bundles it), `extract-worker.ts` beside this file when run from source. Node 20 does not apply the `--import`
 * hooks that run TypeScript to a worker's first module, so from source the worker registers them itself first.
 */
export function spawnExtractWorker(resourceLimits: ResourceLimits): Worker {
  const here = import.meta.url;
  if (!new URL(here).pathname.endsWith('.ts')) return keepHoldingAfterStart(new Worker(new URL('./extract-worker.cjs', here), { resourceLimits }));
  const source = new URL('./extract-worker.ts', here).href;
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(source)}); });`;
  return keepHoldingAfterStart(new Worker(bootstrap, { eval: true, resourceLimits }));
}
