// What the app reads from a queued job's API prompt: its node table (id → type and title, for labels). A busy queue
// holds thousands of jobs of a few workflows, listed again at every look: a new job's prompt is compared with those
// of the last few workflows seen (node ids, class types, titles and links; widget values do not matter), and jobs
// whose prompts match share one frozen table. Without this, a 10,000-job legacy queue costs about 1.5 KB of identical
// tables per job (see docs/benchmarks.md). A table no longer among the recent ones stays valid for its jobs. Prompts
// that share a table also have the same workflow signature (its inputs are compared here): the jobs side hashes it
// once per shared table (workflow-signature.ts).
import { setOwn } from '../own-key.js';

export interface NodeInfo {
  readonly type: string;
  readonly title?: string;
}

export type NodeTable = Readonly<Record<string, NodeInfo>>;

export interface PromptShape {
  /** Shared by every prompt of the same shape: the same object means the same node ids, types, titles and links. */
  readonly nodes: NodeTable;
}

/** Workflows compared with, most recently matched first: a queue rarely mixes more. */
const RECENT = 16;
const recent: { shape: PromptShape; outline: Outline }[] = [];
/**
 * The prompt asked last, and its shape: the tracker asks for a new job's table, then for its signature, of the same
 * prompt, one after the other. One prompt held, not a map of them: 10,000 new jobs in a look would otherwise fill a
 * weak map the garbage collector must walk.
 */
let lastPrompt: object | undefined;
let lastShape: PromptShape | undefined;

/** The shared node table of an API prompt; undefined when it is not an object. */
export function promptShape(prompt: unknown): PromptShape | undefined {
  const graph = asRecord(prompt);
  if (!graph) return undefined;
  if (graph === lastPrompt) return lastShape;
  let shape: PromptShape;
  const index = recent.findIndex((entry) => hasOutline(graph, entry.outline));
  if (index >= 0) {
    const [entry] = recent.splice(index, 1);
    recent.unshift(entry!);
    shape = entry!.shape;
  } else {
    shape = { nodes: nodeTable(graph) };
    recent.unshift({ shape, outline: outlineOf(graph) });
    if (recent.length > RECENT) recent.pop();
  }
  lastPrompt = graph;
  lastShape = shape;
  return shape;
}

/**
 * What two prompts must have alike to give the same table and the same workflow signature, read once from the first
 * prompt of a workflow: its node ids, and for each the class type, the title (or none that is a string) and the links
 * (inputs `[source, slot]`); widget values do not matter. A new prompt is compared with it in place, without building
 * anything: this runs for every job new to the tracker (10,000 in the first look at a big queue).
 */
interface Outline {
  readonly nodes: readonly OutlineNode[];
}

interface OutlineNode {
  readonly id: string;
  /** Undefined: the node is not an object, or its class type is not a string (all such nodes are alike). */
  readonly type: string | undefined;
  readonly title: string | undefined;
  readonly links: readonly { readonly name: string; readonly source: string | number; readonly slot: number }[];
}

function outlineOf(graph: Record<string, unknown>): Outline {
  const nodes: OutlineNode[] = [];
  for (const id in graph) {
    if (!Object.hasOwn(graph, id)) continue;
    const node = asRecord(graph[id]);
    const type = node?.class_type;
    if (typeof type !== 'string') {
      nodes.push({ id, type: undefined, title: undefined, links: [] });
      continue;
    }
    const inputs = asRecord(node!.inputs);
    const links: { name: string; source: string | number; slot: number }[] = [];
    if (inputs) {
      for (const name in inputs) {
        const link = inputs[name];
        if (Object.hasOwn(inputs, name) && isLink(link)) links.push({ name, source: link[0], slot: link[1] });
      }
    }
    nodes.push({ id, type, title: titleOf(node!), links });
  }
  return { nodes };
}

/** Whether `graph` has the outline's node ids, class types, titles and links (and no other node id, and no other link). */
function hasOutline(graph: Record<string, unknown>, outline: Outline): boolean {
  let ids = 0;
  for (const id in graph) if (Object.hasOwn(graph, id)) ids++;
  if (ids !== outline.nodes.length) return false;
  for (const expected of outline.nodes) {
    if (!Object.hasOwn(graph, expected.id)) return false;
    const node = asRecord(graph[expected.id]);
    const type = node?.class_type;
    if (expected.type === undefined || typeof type !== 'string') {
      if (expected.type !== undefined || typeof type === 'string') return false;
      continue;
    }
    if (type !== expected.type || titleOf(node!) !== expected.title) return false;
    const inputs = asRecord(node!.inputs);
    for (const link of expected.links) {
      const other = inputs && Object.hasOwn(inputs, link.name) ? inputs[link.name] : undefined;
      if (!isLink(other) || other[1] !== link.slot || (other[0] !== link.source && String(other[0]) !== String(link.source))) return false;
    }
    let links = 0;
    if (inputs) for (const name in inputs) if (Object.hasOwn(inputs, name) && isLink(inputs[name])) links++;
    if (links !== expected.links.length) return false;
  }
  return true;
}

function titleOf(node: Record<string, unknown>): string | undefined {
  const title = asRecord(node._meta)?.title;
  return typeof title === 'string' ? title : undefined;
}

/** An input that is a link, as the signature reads it: `[source, slot]` (a source `4` and `"4"` are the same node). */
function isLink(value: unknown): value is readonly [string | number, number] {
  return Array.isArray(value) && value.length === 2 && (typeof value[0] === 'string' || typeof value[0] === 'number') && typeof value[1] === 'number';
}

function nodeTable(graph: Record<string, unknown>): NodeTable {
  const nodes: Record<string, NodeInfo> = {};
  for (const id of Object.keys(graph)) {
    const node = asRecord(graph[id]);
    if (typeof node?.class_type !== 'string') continue;
    const title = asRecord(node._meta)?.title;
    setOwn(nodes, id, Object.freeze(typeof title === 'string' ? { type: node.class_type, title } : { type: node.class_type }));
  }
  return Object.freeze(nodes);
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
