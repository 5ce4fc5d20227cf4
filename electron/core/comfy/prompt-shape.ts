// What the app reads from a queued job's API prompt: its node table (id → type and title, for labels). A busy queue
// holds thousands of jobs of a few workflows, listed again at every look: a new job's prompt is compared with those
// of the last few workflows seen (node ids, class types, titles and links; widget values do not matter), and jobs
// whose prompts match share one frozen table. Without this, a 10,000-job legacy queue costs about 1.5 KB of identical
// tables per job (see docs/benchmarks.md). A table no longer among the recent ones stays valid for its jobs. Prompts
// that share a table also have the same workflow signature (its inputs are compared here): the jobs side hashes it
// once per shared table (jobs/workflow-signature.ts).

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
const recent: { prompt: Record<string, unknown>; shape: PromptShape }[] = [];
/** The same prompt object asked again (its table, then its signature): answered without a second comparison. */
const byPrompt = new WeakMap<object, PromptShape>();

/** The shared node table of an API prompt; undefined when it is not an object. */
export function promptShape(prompt: unknown): PromptShape | undefined {
  const graph = asRecord(prompt);
  if (!graph) return undefined;
  let shape = byPrompt.get(graph);
  if (shape) return shape;
  const index = recent.findIndex((entry) => sameShape(entry.prompt, graph));
  if (index >= 0) {
    const [entry] = recent.splice(index, 1);
    recent.unshift(entry!);
    shape = entry!.shape;
  } else {
    shape = { nodes: nodeTable(graph) };
    recent.unshift({ prompt: graph, shape });
    if (recent.length > RECENT) recent.pop();
  }
  byPrompt.set(graph, shape);
  return shape;
}

/**
 * Whether two prompts give the same table and the same workflow signature: the same node ids, and for each the same class
 * type, the same title (or none that is a string), and the same links (inputs `[source, slot]`). Compared in place,
 * without building anything: this runs for every job new to the tracker.
 */
function sameShape(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  let nodes = 0;
  for (const id in a) {
    if (!Object.hasOwn(a, id)) continue;
    nodes++;
    if (!Object.hasOwn(b, id) || !sameNode(asRecord(a[id]), asRecord(b[id]))) return false;
  }
  for (const id in b) if (Object.hasOwn(b, id)) nodes--;
  return nodes === 0;
}

function sameNode(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): boolean {
  const type = a?.class_type;
  if (typeof type !== 'string' || typeof b?.class_type !== 'string') return typeof type !== 'string' && typeof b?.class_type !== 'string';
  if (type !== b.class_type || titleOf(a!) !== titleOf(b)) return false;
  const inputsA = asRecord(a!.inputs);
  const inputsB = asRecord(b.inputs);
  let links = 0;
  if (inputsA) {
    for (const name in inputsA) {
      if (!Object.hasOwn(inputsA, name)) continue;
      const link = inputsA[name];
      if (!isLink(link)) continue;
      links++;
      const other = inputsB && Object.hasOwn(inputsB, name) ? inputsB[name] : undefined;
      if (!isLink(other) || other[1] !== link[1] || (other[0] !== link[0] && String(other[0]) !== String(link[0]))) return false;
    }
  }
  if (inputsB) for (const name in inputsB) if (Object.hasOwn(inputsB, name) && isLink(inputsB[name])) links--;
  return links === 0;
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
    nodes[id] = Object.freeze(typeof title === 'string' ? { type: node.class_type, title } : { type: node.class_type });
  }
  return Object.freeze(nodes);
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
