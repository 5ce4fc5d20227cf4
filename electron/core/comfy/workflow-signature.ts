// "The same workflow" for duration estimates: the shape of an API prompt (node ids, class types and the links between
// them), never its widget values. Re-running a workflow with another seed, prompt text or file keeps its signature;
// adding, removing or rewiring a node changes it. Link inputs are part of the shape because a rewired graph (a LoRA
// dropped, an upscaler bypassed) does different work with the same set of nodes.
import { createHash } from 'node:crypto';
import { promptShape } from './prompt-shape.js';

/** Prompts larger than this are not worth a signature (and would cost real time on every sighting). */
const MAX_NODES = 5_000;

/** A short stable hash of the prompt's shape; undefined when the value is not an API prompt with nodes. */
export function workflowSignature(prompt: unknown): string | undefined {
  const graph = asRecord(prompt);
  if (!graph) return undefined;
  const ids = Object.keys(graph);
  if (ids.length === 0 || ids.length > MAX_NODES) return undefined;
  // Sorted: the same prompt can arrive with its keys in another order (JSON from another client, Python dicts).
  ids.sort();
  const parts: string[] = [];
  for (const id of ids) {
    const node = asRecord(graph[id]);
    if (typeof node?.class_type !== 'string') continue;
    parts.push(`${JSON.stringify(id)}=${JSON.stringify(node.class_type)}(${links(node.inputs).join(',')})`);
  }
  if (parts.length === 0) return undefined;
  return createHash('sha256').update(parts.join(';')).digest('base64url').slice(0, 22);
}

/** Signatures by shared node table (prompt-shape.ts): prompts that share one have the same signature. */
const byTable = new WeakMap<object, string | undefined>();

/**
 * The same as `workflowSignature`, hashed once for all the prompts of one shape: a queue of 10,000 jobs of a few
 * workflows would otherwise pay a hash per new job.
 */
export function sharedWorkflowSignature(prompt: unknown): string | undefined {
  const shape = promptShape(prompt);
  if (!shape) return undefined;
  if (byTable.has(shape.nodes)) return byTable.get(shape.nodes);
  const signature = workflowSignature(prompt);
  byTable.set(shape.nodes, signature);
  return signature;
}

/** `name<-source:slot` for every input that is a link (`["4", 0]` in the API format); widget values are skipped. */
function links(inputs: unknown): string[] {
  const record = asRecord(inputs);
  if (!record) return [];
  const result: string[] = [];
  for (const name of Object.keys(record).sort()) {
    const value = record[name];
    if (!Array.isArray(value) || value.length !== 2) continue;
    const [source, slot] = value as [unknown, unknown];
    if ((typeof source !== 'string' && typeof source !== 'number') || typeof slot !== 'number') continue;
    result.push(`${JSON.stringify(name)}<-${JSON.stringify(String(source))}:${slot}`);
  }
  return result;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
