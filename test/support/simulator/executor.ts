// PromptExecutor.execute for one queue item: message sequence and targeting exactly like the recorded servers.
//   execution_start, execution_cached, then per node progress_state(running) -> executing -> [progress...] ->
//   [executed] -> progress_state(finished); then execution_success | execution_error | execution_interrupted.
// Targeting (protocol doc 2.2): start/cached/executing/executed/success/error only to the submitting client
// (nobody when the prompt had no client_id); progress, interrupts, blocked notices and type-1 previews to the
// client or, without client_id, to everyone; progress_state like progress (modern) or always broadcast (legacy).
import { randomUUID } from 'node:crypto';
import type { ObjectCache, OutputCache } from './cache.js';
import { previewFrame, previewFrameWithMetadata } from './frames.js';
import { ExecutionList, isLink, nodeOf, signatures } from './graph.js';
import { pyRepr } from './json.js';
import { NodeException, runNode, type NodeValue, type Preview } from './nodes.js';
import type { ObjectInfo } from './object-info.js';
import { ProgressRegistry } from './progress.js';
import type { SocketRegistry } from './sockets.js';
import type { OutputStore } from './storage.js';
import type { FinishStatus, JsonObject, NodeMeta, QueueItem, SimGeneration, UiOutput } from './types.js';

/** Thrown out of a run when the simulated server is stopped or restarted. */
export class Aborted extends Error {}
class Interrupted extends Error {}

export interface RunControl {
  /** Pauses while the simulator is held (returns early when interrupted); throws Aborted when stopped. */
  checkpoint(): Promise<void>;
  sleep(ms: number): Promise<void>;
  interrupted(): boolean;
}

/** server.client_id / server.last_node_id of the real server (client_id is never reset after a prompt). */
export interface RunState {
  clientId: unknown;
  lastNodeId: string | null;
}

export interface ExecutorDeps {
  generation: SimGeneration;
  info: ObjectInfo;
  sockets: SocketRegistry;
  store: OutputStore;
  cache: OutputCache;
  objects: ObjectCache;
  runState: RunState;
  stepDelayMs: number;
  previews: boolean;
}

export interface ExecutionResult {
  finish: FinishStatus;
  messages: [string, JsonObject][];
  outputs: Record<string, UiOutput>;
  meta: Record<string, NodeMeta>;
}

interface Failure {
  nodeId: string;
  interrupted: boolean;
  exceptionType?: string;
  message?: string;
  traceback?: string[];
  currentInputs?: unknown;
}

function fakeTensor(value: NodeValue): string {
  if (value.kind !== 'image') return `<${value.type} object>`;
  const px = [(value.color >> 16) & 0xff, (value.color >> 8) & 0xff, value.color & 0xff].map((c) => (c / 255).toFixed(4)).join(', ');
  return `tensor([[[[${px}],\n          ...,\n          [${px}]]]])`;
}

class PromptRun {
  private readonly clientId: unknown;
  private readonly messages: [string, JsonObject][] = [];
  private readonly values = new Map<string, NodeValue[]>();
  private readonly ui = new Map<string, UiOutput>();
  private readonly executed: string[] = [];
  private readonly progress: ProgressRegistry;
  private readonly sigs: Map<string, string>;

  constructor(
    private readonly deps: ExecutorDeps,
    private readonly item: QueueItem,
    private readonly control: RunControl,
  ) {
    const extra = item.extraData;
    this.clientId = Object.hasOwn(extra, 'client_id') ? extra.client_id : null;
    deps.runState.clientId = this.clientId;
    this.progress = new ProgressRegistry(item.promptId, (state) => this.send('progress_state', state, deps.generation === 'legacy' ? null : this.clientId));
    this.sigs = signatures(item.prompt, () => randomUUID());
  }

  private get hasClient(): boolean {
    return this.clientId !== null && this.clientId !== undefined;
  }

  private send(type: string, data: unknown, sid: unknown): void {
    this.deps.sockets.sendJson(type, data, sid);
  }

  /** Only to the submitting client; not sent at all for prompts without client_id. */
  private sendToClient(type: string, data: unknown): void {
    if (this.hasClient) this.send(type, data, this.clientId);
  }

  private addMessage(event: string, data: JsonObject, broadcast: boolean): void {
    const stamped = { ...data, timestamp: Date.now() };
    this.messages.push([event, stamped]);
    if (this.hasClient || broadcast) this.send(event, stamped, this.clientId);
  }

  private cached(id: string): { outputs: NodeValue[]; ui: UiOutput | undefined } | undefined {
    return this.deps.cache.get(this.sigs.get(id));
  }

  async run(): Promise<ExecutionResult> {
    const { promptId, prompt } = this.item;
    this.addMessage('execution_start', { prompt_id: promptId }, false);
    this.deps.cache.keepOnly(this.sigs.values());
    this.deps.objects.keepOnly(prompt);
    const cachedNodes = Object.keys(prompt).filter((id) => this.cached(id) !== undefined);
    this.addMessage('execution_cached', { nodes: cachedNodes, prompt_id: promptId }, false);
    const list = new ExecutionList(prompt, this.deps.info, (id) => this.cached(id) !== undefined);
    for (const id of this.item.outputsToExecute) list.addNode(id);
    let failure: Failure | undefined;
    while (!list.isEmpty()) {
      const id = list.stage();
      if (id === undefined) {
        failure = { nodeId: this.item.outputsToExecute[0] ?? '', interrupted: false, exceptionType: 'graph.DependencyCycleError', message: 'Dependency cycle detected', traceback: [], currentInputs: [] };
        break;
      }
      failure = await this.executeNode(id);
      if (failure) break;
      list.complete(id);
    }
    if (failure) this.reportFailure(failure);
    else this.addMessage('execution_success', { prompt_id: promptId }, false);
    this.deps.runState.lastNodeId = null;
    const outputs: Record<string, UiOutput> = {};
    const meta: Record<string, NodeMeta> = {};
    for (const [id, ui] of this.ui) {
      outputs[id] = ui;
      meta[id] = { node_id: id, display_node: id, parent_node: null, real_node_id: id };
    }
    return { finish: failure ? (failure.interrupted ? 'interrupted' : 'error') : 'success', messages: this.messages, outputs, meta };
  }

  private reportFailure(failure: Failure): void {
    const { promptId, prompt } = this.item;
    const nodeType = (prompt[failure.nodeId] as JsonObject | undefined)?.class_type ?? null;
    const base = { prompt_id: promptId, node_id: failure.nodeId, node_type: nodeType, executed: [...this.executed] };
    if (failure.interrupted) {
      this.addMessage('execution_interrupted', base, true);
      return;
    }
    this.addMessage(
      'execution_error',
      {
        ...base,
        exception_message: `${failure.message ?? ''}\n`,
        exception_type: failure.exceptionType ?? 'Exception',
        traceback: failure.traceback ?? [],
        current_inputs: failure.currentInputs ?? {},
        current_outputs: Object.keys(prompt),
      },
      false,
    );
  }

  private linkedValues(inputs: JsonObject): Map<string, NodeValue> {
    const linked = new Map<string, NodeValue>();
    for (const [name, value] of Object.entries(inputs)) {
      if (!isLink(value)) continue;
      const from = this.values.get(value[0]) ?? this.cached(value[0])?.outputs;
      const got = from?.[value[1]];
      if (got) linked.set(name, got);
    }
    return linked;
  }

  private formatInputs(id: string, classType: string, inputs: JsonObject, linked: Map<string, NodeValue>): JsonObject {
    const out: JsonObject = {};
    for (const spec of this.deps.info.inputs(classType, ['required', 'optional', 'hidden'])) {
      if (spec.category === 'hidden') {
        if (spec.type === 'PROMPT') out[spec.name] = [pyRepr(this.item.prompt)];
        else if (spec.type === 'EXTRA_PNGINFO') {
          const info = this.item.extraData.extra_pnginfo;
          out[spec.name] = [info === undefined || info === null ? null : pyRepr(info)];
        } else if (spec.type === 'UNIQUE_ID') out[spec.name] = [id];
        else out[spec.name] = [null];
        continue;
      }
      if (!Object.hasOwn(inputs, spec.name)) continue;
      const value = inputs[spec.name];
      const got = linked.get(spec.name);
      if (got) out[spec.name] = [fakeTensor(got)];
      else if (value === null || ['number', 'string', 'boolean'].includes(typeof value)) out[spec.name] = [value];
      else out[spec.name] = [pyRepr(value)];
    }
    return out;
  }

  private async executeNode(id: string): Promise<Failure | undefined> {
    const { promptId } = this.item;
    const node = nodeOf(this.item.prompt, id);
    const hit = this.cached(id);
    if (hit) {
      this.sendToClient('executed', { node: id, display_node: id, output: hit.ui ?? null, prompt_id: promptId });
      if (hit.ui) this.ui.set(id, hit.ui);
      this.progress.finish(id);
      this.values.set(id, hit.outputs);
      return undefined;
    }
    await this.control.checkpoint();
    this.progress.start(id);
    if (this.hasClient) {
      this.deps.runState.lastNodeId = id;
      this.sendToClient('executing', { node: id, display_node: id, prompt_id: promptId });
    }
    const linked = this.linkedValues(node.inputs);
    try {
      if (this.control.interrupted()) throw new Interrupted();
      const result = await runNode({
        id,
        classType: node.class_type,
        inputs: node.inputs,
        linked,
        returnTypes: this.deps.info.returnTypes(node.class_type),
        prompt: this.item.prompt,
        extraData: this.item.extraData,
        store: this.deps.store,
        stepDelayMs: this.deps.stepDelayMs,
        previews: this.deps.previews,
        step: (value, max, preview) => this.step(id, value, max, preview),
        sleep: (ms) => this.control.sleep(ms),
        blocked: (message) => this.blocked(id, node.class_type, message),
        previewSuffix: () => this.deps.objects.previewSuffix(id, node.class_type),
      });
      const ui = result.ui && Object.keys(result.ui).length > 0 ? result.ui : undefined;
      this.deps.cache.set(this.sigs.get(id)!, { outputs: result.outputs, ui });
      this.values.set(id, result.outputs);
      if (ui) {
        this.ui.set(id, ui);
        this.sendToClient('executed', { node: id, display_node: id, output: ui, prompt_id: promptId });
      }
      this.progress.finish(id);
      this.executed.push(id);
      return undefined;
    } catch (ex) {
      if (ex instanceof Aborted) throw ex;
      if (ex instanceof Interrupted) return { nodeId: id, interrupted: true };
      const nodeEx = ex instanceof NodeException ? ex : new NodeException('Exception', String(ex), []);
      return {
        nodeId: id,
        interrupted: false,
        exceptionType: nodeEx.exceptionType,
        message: nodeEx.message,
        traceback: nodeEx.traceback,
        currentInputs: this.formatInputs(id, node.class_type, node.inputs, linked),
      };
    }
  }

  /** The progress hook of main.py plus the WebUIProgressHandler. */
  private async step(nodeId: string, value: number, max: number, preview?: Preview): Promise<void> {
    await this.control.checkpoint();
    if (this.control.interrupted()) throw new Interrupted();
    const { promptId } = this.item;
    const withMetadata = preview !== undefined && this.deps.sockets.supports(this.clientId, 'supports_preview_metadata');
    this.progress.update(nodeId, value, max);
    if (preview && withMetadata) {
      this.deps.sockets.sendBinary(previewFrameWithMetadata(preview.format, preview.bytes, nodeId, promptId), this.clientId);
    }
    this.send('progress', { value, max, prompt_id: promptId, node: nodeId }, this.clientId);
    if (preview && !withMetadata) this.deps.sockets.sendBinary(previewFrame(preview.format, preview.bytes), this.clientId);
  }

  private blocked(nodeId: string, classType: string, message: string): void {
    this.send(
      'execution_error',
      {
        prompt_id: this.item.promptId,
        node_id: nodeId,
        node_type: classType,
        executed: [...this.executed],
        exception_message: `Execution Blocked: ${message}`,
        exception_type: 'ExecutionBlocked',
        traceback: [],
        current_inputs: [],
        current_outputs: [],
      },
      this.clientId,
    );
  }
}

export function executePrompt(deps: ExecutorDeps, item: QueueItem, control: RunControl): Promise<ExecutionResult> {
  return new PromptRun(deps, item, control).run();
}
