// Execution order and cache keys, as comfy_execution/graph.py and caching.py compute them.
import { pyDumps } from './json.js';
import type { ObjectInfo } from './object-info.js';
import type { JsonObject } from './types.js';

export function isLink(value: unknown): value is [string, number] {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'number';
}

export function nodeOf(prompt: JsonObject, id: string): { class_type: string; inputs: JsonObject } {
  return prompt[id] as { class_type: string; inputs: JsonObject };
}

/** Classes whose IS_CHANGED always differs (never cached), e.g. SaveImageWebsocket returns time.time(). */
const NEVER_CACHED = new Set(['SaveImageWebsocket']);

/** Cache signature per node: class_type + literal inputs + upstream signatures (recursively). */
export function signatures(prompt: JsonObject, nonce: () => string): Map<string, string> {
  const out = new Map<string, string>();
  const visiting = new Set<string>();
  const sig = (id: string): string => {
    const known = out.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id) || !Object.hasOwn(prompt, id)) return `missing:${id}`;
    visiting.add(id);
    const node = nodeOf(prompt, id);
    const nodeInputs: JsonObject = typeof node.inputs === 'object' && node.inputs !== null ? node.inputs : {};
    const inputs: Record<string, unknown> = {};
    for (const name of Object.keys(nodeInputs).sort()) {
      const value = nodeInputs[name];
      inputs[name] = isLink(value) ? { link: sig(value[0]), slot: value[1] } : value;
    }
    const changed = NEVER_CACHED.has(node.class_type) ? nonce() : '';
    const result = pyDumps([node.class_type, inputs, changed]);
    visiting.delete(id);
    out.set(id, result);
    return result;
  };
  for (const id of Object.keys(prompt)) sig(id);
  return out;
}

/** TopologicalSort + ExecutionList staging, including ux_friendly_pick_node. */
export class ExecutionList {
  private readonly pending = new Map<string, true>();
  private readonly blockCount = new Map<string, number>();
  private readonly blocking = new Map<string, Set<string>>();

  constructor(
    private readonly prompt: JsonObject,
    private readonly info: ObjectInfo,
    private readonly isCached: (id: string) => boolean,
  ) {}

  isEmpty(): boolean {
    return this.pending.size === 0;
  }

  addNode(rootId: string): void {
    const stack = [rootId];
    const links: [string, string][] = [];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (this.pending.has(id)) continue;
      this.pending.set(id, true);
      this.blockCount.set(id, 0);
      this.blocking.set(id, new Set());
      for (const value of Object.values(nodeOf(this.prompt, id).inputs)) {
        if (!isLink(value) || !Object.hasOwn(this.prompt, value[0])) continue;
        if (!this.isCached(value[0])) stack.push(value[0]);
        links.push([value[0], id]);
      }
    }
    for (const [from, to] of links) {
      if (this.isCached(from)) continue;
      this.addNode(from);
      const blocked = this.blocking.get(from)!;
      if (!blocked.has(to)) {
        blocked.add(to);
        this.blockCount.set(to, (this.blockCount.get(to) ?? 0) + 1);
      }
    }
  }

  /** The next node to run, or undefined when the remaining nodes form a cycle. */
  stage(): string | undefined {
    const ready = [...this.pending.keys()].filter((id) => this.blockCount.get(id) === 0);
    if (ready.length === 0) return undefined;
    const isOutput = (id: string): boolean => this.info.isOutputNode(nodeOf(this.prompt, id).class_type);
    const blocked = (id: string): string[] => [...(this.blocking.get(id) ?? [])];
    return (
      ready.find(isOutput) ??
      ready.find((id) => blocked(id).some(isOutput)) ??
      ready.find((id) => blocked(id).some((b) => blocked(b).some(isOutput))) ??
      ready[0]
    );
  }

  complete(id: string): void {
    this.pending.delete(id);
    for (const to of this.blocking.get(id) ?? []) this.blockCount.set(to, (this.blockCount.get(to) ?? 1) - 1);
    this.blocking.delete(id);
  }
}
