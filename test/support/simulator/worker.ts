// prompt_worker: one job at a time, lowest (number, prompt_id) first. Also the test controls around it:
// hold/release, the global interrupt flag, and aborting everything when the server is stopped.
import { Aborted, executePrompt, type ExecutionResult, type ExecutorDeps, type RunControl } from './executor.js';
import type { History } from './history.js';
import { deepCopy } from './json.js';
import type { PromptQueue } from './queue.js';
import { type FinishStatus, queueTuple, type QueueItem, type SimGeneration } from './types.js';

const SENSITIVE_KEYS = ['auth_token_comfy_org', 'api_key_comfy_org'];

export interface WorkerHooks {
  started(promptId: string): void;
  finished(promptId: string, status: FinishStatus): void;
  /** Between jobs: apply pending /free requests. */
  idle(): void;
}

export class Worker {
  private busy = false;
  private held = false;
  private active = false;
  private epoch = 0;
  private interruptFlag = false;
  private readonly waiters = new Set<() => void>();
  private readonly timers = new Map<NodeJS.Timeout, () => void>();

  constructor(
    private readonly deps: ExecutorDeps,
    private readonly queue: PromptQueue,
    private readonly history: History,
    private readonly generation: SimGeneration,
    private readonly hooks: WorkerHooks,
  ) {}

  get isBusy(): boolean {
    return this.busy;
  }

  activate(): void {
    this.active = true;
    this.kickSoon();
  }

  /** Server killed: abandon the running job (no history, no messages). */
  deactivate(): void {
    this.active = false;
    this.busy = false;
    this.epoch++;
    this.interruptFlag = false;
    this.wake();
    for (const [timer, resolve] of this.timers) {
      clearTimeout(timer);
      resolve();
    }
    this.timers.clear();
  }

  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
    this.wake();
    this.kickSoon();
  }

  /** nodes.interrupt_processing(): the running job stops at its next check. */
  interrupt(): void {
    this.interruptFlag = true;
    this.wake();
  }

  kickSoon(): void {
    setImmediate(() => this.kick());
  }

  private wake(): void {
    for (const resolve of [...this.waiters]) resolve();
    this.waiters.clear();
  }

  private kick(): void {
    if (!this.active || this.busy || this.held) return;
    const next = this.queue.get();
    if (!next) {
      this.hooks.idle();
      return;
    }
    this.busy = true;
    void this.process(next.item, next.taskId, this.epoch);
  }

  private control(epoch: number): RunControl {
    const check = (): void => {
      if (epoch !== this.epoch) throw new Aborted();
    };
    return {
      checkpoint: async () => {
        check();
        while (this.held && !this.interruptFlag && epoch === this.epoch) {
          await new Promise<void>((resolve) => this.waiters.add(resolve));
        }
        check();
      },
      sleep: async (ms) => {
        check();
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            resolve();
          }, ms);
          this.timers.set(timer, resolve);
        });
        check();
      },
      interrupted: () => this.interruptFlag,
    };
  }

  private async process(item: QueueItem, taskId: number, epoch: number): Promise<void> {
    this.interruptFlag = false;
    this.hooks.started(item.promptId);
    let result: ExecutionResult;
    try {
      result = await executePrompt(this.deps, item, this.control(epoch));
    } catch (ex) {
      if (ex instanceof Aborted || epoch !== this.epoch) return;
      // A simulator bug must not kill the process: record the job as failed.
      const data = { prompt_id: item.promptId, exception_message: String(ex), exception_type: 'SimulatorError', timestamp: Date.now() };
      result = { finish: 'error', messages: [['execution_error', data]], outputs: {}, meta: {} };
    }
    if (epoch !== this.epoch) return;
    this.queue.taskDone(taskId, (done) => this.writeHistory(done, result));
    const clientId = this.deps.runState.clientId;
    if (clientId !== null && clientId !== undefined) {
      this.deps.sockets.sendJson('executing', { node: null, prompt_id: item.promptId }, clientId);
    }
    this.busy = false;
    this.hooks.finished(item.promptId, result.finish);
    this.kickSoon();
  }

  private writeHistory(item: QueueItem, result: ExecutionResult): void {
    const tuple = queueTuple(deepCopy(item));
    if (this.generation === 'legacy') {
      // 0.3.54 keeps credentials in /queue but strips them from history.
      const extra = { ...tuple[3] };
      for (const key of SENSITIVE_KEYS) delete extra[key];
      tuple[3] = extra;
    }
    this.history.put(item.promptId, {
      prompt: tuple,
      outputs: result.outputs,
      status: { status_str: result.finish === 'success' ? 'success' : 'error', completed: result.finish === 'success', messages: result.messages },
      meta: result.meta,
    });
  }
}

export { SENSITIVE_KEYS };
