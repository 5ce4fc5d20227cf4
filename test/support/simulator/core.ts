// Server state and operations independent of HTTP: submission (POST /prompt), queue and history changes,
// interrupts and job cancellation. The HTTP routes and the test-control API both call into this.
import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { ObjectCache, OutputCache } from './cache.js';
import type { RunState } from './executor.js';
import { History } from './history.js';
import { isRecord, pyStr } from './json.js';
import { isCanonicalUuid } from './jobs.js';
import { objectInfoFor, type ObjectInfo } from './object-info.js';
import { pyBool, pyFloat } from './py-convert.js';
import { PromptQueue } from './queue.js';
import { SocketRegistry } from './sockets.js';
import { OutputStore } from './storage.js';
import type { JsonObject, QueueItem, SimEventMap, SimGeneration } from './types.js';
import { validatePrompt } from './validate.js';
import { SENSITIVE_KEYS, Worker } from './worker.js';

export interface CoreOptions {
  generation: SimGeneration;
  stepDelayMs: number;
  previews: boolean;
}

/** A response the HTTP layer turns into JSON; `internalError` means aiohttp's plain 500. */
export type Outcome = { status: number; body: unknown } | { internalError: true };

export class SimCore {
  readonly info: ObjectInfo;
  readonly sockets = new SocketRegistry();
  readonly history = new History();
  readonly queue: PromptQueue;
  readonly store: OutputStore;
  /** What /system_stats reports instead of the recorded CPU-only machine (setSystem). */
  systemOverride: { devices?: readonly Record<string, unknown>[]; ramFree?: number } | undefined;
  readonly cache = new OutputCache();
  readonly objects = new ObjectCache();
  readonly runState: RunState = { clientId: null, lastNodeId: null };
  readonly worker: Worker;
  /** PromptServer.number: the priority counter, reset on every server start. */
  number = 0;
  private freeMemoryRequested = false;

  constructor(
    readonly options: CoreOptions,
    outputs: Map<string, Buffer>,
    private readonly events: EventEmitter,
  ) {
    this.info = objectInfoFor(options.generation);
    this.store = new OutputStore(outputs);
    this.queue = new PromptQueue(() => this.broadcastStatus());
    const deps = {
      generation: options.generation,
      info: this.info,
      sockets: this.sockets,
      store: this.store,
      cache: this.cache,
      objects: this.objects,
      runState: this.runState,
      stepDelayMs: options.stepDelayMs,
      previews: options.previews,
    };
    this.worker = new Worker(deps, this.queue, this.history, options.generation, {
      started: (promptId) => this.emit('started', { promptId }),
      finished: (promptId, status) => {
        this.applyFree();
        this.emit('finished', { promptId, status });
      },
      idle: () => this.applyFree(),
    });
  }

  private emit<K extends keyof SimEventMap>(name: K, payload: SimEventMap[K]): void {
    this.events.emit(name, payload);
  }

  get generation(): SimGeneration {
    return this.options.generation;
  }

  queueInfo(): { exec_info: { queue_remaining: number } } {
    return { exec_info: { queue_remaining: this.queue.remaining() } };
  }

  broadcastStatus(): void {
    this.sockets.sendJson('status', { status: this.queueInfo() }, null);
  }

  /** Server (re)start: everything in memory is gone; files on disk stay, the temp folder is wiped. */
  reset(): void {
    this.worker.deactivate();
    this.queue.reset();
    this.history.clear();
    this.cache.clear();
    this.objects.clear();
    this.store.clearTemp();
    this.number = 0;
    this.runState.clientId = null;
    this.runState.lastNodeId = null;
    this.freeMemoryRequested = false;
  }

  /** POST /prompt with an already parsed JSON body. */
  submit(data: unknown): Outcome {
    if (!isRecord(data)) return { internalError: true };
    let number: number;
    if (Object.hasOwn(data, 'number')) {
      try {
        number = pyFloat(data.number);
      } catch {
        return { internalError: true };
      }
    } else {
      number = this.number;
      if (Object.hasOwn(data, 'front') && pyBool(data.front)) number = -number;
      this.number++;
    }
    if (!Object.hasOwn(data, 'prompt')) {
      return { status: 400, body: { error: { type: 'no_prompt', message: 'No prompt provided', details: 'No prompt provided', extra_info: {} }, node_errors: {} } };
    }
    const promptId = this.promptIdFor(data);
    if (promptId === undefined) {
      const error = {
        type: 'invalid_prompt_id',
        message: 'prompt_id must be a valid UUID',
        details: 'prompt_id must be a UUID string in canonical lowercase hyphenated form; omit it to let the server generate one',
        extra_info: {},
      };
      return { status: 400, body: { error, node_errors: {} } };
    }
    const prompt = data.prompt;
    if (!isRecord(prompt)) return { internalError: true };
    const valid = validatePrompt({ generation: this.generation, info: this.info, fileExists: (n) => this.store.existsAnnotated(n) }, prompt, data.partial_execution_targets);
    const extraData: unknown = Object.hasOwn(data, 'extra_data') ? data.extra_data : {};
    if (!isRecord(extraData)) return { internalError: true };
    if (Object.hasOwn(data, 'client_id')) extraData.client_id = data.client_id;
    if (!valid.ok) return { status: 400, body: { error: valid.error, node_errors: valid.nodeErrors } };
    const sensitive: JsonObject = {};
    if (this.generation === 'modern') {
      for (const key of SENSITIVE_KEYS) {
        if (Object.hasOwn(extraData, key)) {
          sensitive[key] = extraData[key];
          delete extraData[key];
        }
      }
      extraData.create_time = Date.now();
    }
    const item: QueueItem = { number, promptId, prompt, extraData, outputsToExecute: valid.outputs, sensitive };
    this.queue.put(item);
    this.emit('enqueued', { promptId });
    this.worker.kickSoon();
    return { status: 200, body: { prompt_id: promptId, number, node_errors: valid.nodeErrors } };
  }

  /** Modern: absent/null -> uuid4, else it must be a canonical UUID. Legacy: str(prompt_id) of anything. */
  private promptIdFor(data: JsonObject): string | undefined {
    if (this.generation === 'legacy') return Object.hasOwn(data, 'prompt_id') ? pyStr(data.prompt_id) : randomUUID();
    const given = data.prompt_id;
    if (given === null || given === undefined) return randomUUID();
    return isCanonicalUuid(given) ? given : undefined;
  }

  /** POST /interrupt. Modern honours {prompt_id} (only if that prompt runs); 0.3.54 ignores the body. */
  interrupt(body: unknown): void {
    if (this.generation === 'modern' && isRecord(body) && pyBool(body.prompt_id)) {
      if (this.queue.isRunning(body.prompt_id as string)) this.worker.interrupt();
      return;
    }
    this.worker.interrupt();
  }

  /** Jobs API cancel: interrupt if running, dequeue if pending, no-op otherwise. */
  cancelJob(id: string): boolean {
    if (this.queue.isRunning(id)) {
      this.worker.interrupt();
      return true;
    }
    return this.deletePending(id);
  }

  deletePending(id: unknown): boolean {
    const removed = this.queue.deletePending((item) => item.promptId === id);
    if (removed) this.emit('removed', { promptId: removed.promptId });
    return removed !== undefined;
  }

  clearPending(): void {
    for (const item of this.queue.wipe()) this.emit('removed', { promptId: item.promptId });
  }

  /** POST /free: applied by the worker between jobs. */
  requestFree(freeMemory: boolean): void {
    if (!freeMemory) return;
    this.freeMemoryRequested = true;
    if (!this.worker.isBusy) this.applyFree();
  }

  private applyFree(): void {
    if (!this.freeMemoryRequested) return;
    this.freeMemoryRequested = false;
    this.cache.clear();
    this.objects.clear();
  }
}

