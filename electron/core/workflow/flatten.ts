// Flattens a UI workflow into one list of nodes with globally unique ids: subgraph instances and legacy group nodes
// expand to "outer:inner" ids, and their boundaries become pass-through nodes so links resolve with one walk.
import { WorkflowError } from './errors.js';
import { groupNodeName } from './group-node-def.js';
import { expandGroup } from './group-node.js';
import type { GroupPlans } from './group-node.js';
import type { ObjectInfo } from './object-info.js';
import type { SubgraphDef, UiGraph, UiNode, UiWorkflow } from './ui-graph.js';

/**
 * 'group-output' is an expanded legacy group node: its inputs are its outputs' inner origins. Unlike a subgraph
 * boundary, the editor stopped at the inner origin it found there (no bypass walking), so resolution does too.
 */
export type FlatKind = 'node' | 'reroute' | 'primitive' | 'note' | 'boundary' | 'bypass-boundary' | 'group-output';

export interface FlatSource {
  readonly node: string;
  readonly slot: number;
}

export interface FlatInput {
  readonly name: string;
  readonly type: string;
  readonly isWidget: boolean;
  readonly source: FlatSource | null;
  /**
   * A group node widget the user converted to an input: the editor let only a primitive's value through it and
   * ignored any other link, so such a link cannot be honoured.
   */
  readonly valueOnly?: boolean;
}

export interface FlatNode {
  readonly id: string;
  readonly kind: FlatKind;
  /** 0 normal, 2 muted, 4 bypassed (inherited from a muted/bypassed subgraph instance). */
  readonly mode: number;
  readonly ui: UiNode;
  readonly inputs: readonly FlatInput[];
  readonly outputs: readonly string[];
  /** An inner node of a legacy group node: the editor's %Title.widget% lookup never saw those. */
  readonly groupChild?: boolean;
  /** A legacy group node's own widget values by widget name, which %Title.widget% tokens could name. */
  readonly groupWidgets?: ReadonlyMap<string, unknown>;
}

const VIRTUAL: Record<string, FlatKind> = { Reroute: 'reroute', PrimitiveNode: 'primitive', Note: 'note', MarkdownNote: 'note' };
const SUBGRAPH_INPUT = '-10';
const SUBGRAPH_OUTPUT = '-20';
const MAX_FLAT_NODES = 50_000;

export interface Flattened {
  readonly nodes: FlatNode[];
  /** Nodes that could not be expanded (legacy group nodes); the rest of the graph is still flattened. */
  readonly errors: WorkflowError[];
}

interface Context {
  readonly workflow: UiWorkflow;
  readonly info: ObjectInfo;
  readonly plans: GroupPlans;
  readonly errors: WorkflowError[];
}

/** Throws a WorkflowError only for problems of the whole graph (size, a subgraph containing itself). */
export function flattenWorkflow(workflow: UiWorkflow, info: ObjectInfo): Flattened {
  const out: FlatNode[] = [];
  const context: Context = { workflow, info, plans: new Map(), errors: [] };
  flattenGraph(context, workflow, '', undefined, 0, [], out);
  return { nodes: out, errors: context.errors };
}

function flattenGraph(
  context: Context,
  graph: UiGraph,
  prefix: string,
  boundaryIn: string | undefined,
  inheritedMode: number,
  stack: readonly string[],
  out: FlatNode[],
): void {
  for (const node of graph.nodes) {
    if (out.length > MAX_FLAT_NODES) throw new WorkflowError('WORKFLOW_TOO_LARGE', 'workflow expands to too many nodes');
    const id = prefix + node.id;
    const mode = inheritedMode === 2 ? 2 : node.mode;
    const inputs = node.inputs.map((input) => ({
      name: input.widgetName ?? input.name,
      type: input.type,
      isWidget: input.widgetName !== undefined,
      source: sourceOf(graph, input.link, prefix, boundaryIn),
    }));
    const definition = context.workflow.subgraphs.get(node.type);
    const groupName = definition === undefined ? groupNodeName(node.type) : undefined;
    // A muted or bypassed group node is never expanded: the editor skipped it whole and bypassed it by its own sockets.
    if (groupName !== undefined && mode !== 2 && mode !== 4) {
      const expansion = expandGroup(context.workflow, context.info, context.plans, { ...node, id }, groupName, inputs, prefix !== '');
      context.errors.push(...expansion.errors);
      // A group that cannot be expanded still occupies its id, so links from it resolve to nothing.
      out.push(...(expansion.errors.length > 0 ? [{ id, kind: 'note' as const, mode, ui: node, inputs, outputs: node.outputs }] : expansion.nodes));
      continue;
    }
    if (definition === undefined) {
      out.push({ id, kind: VIRTUAL[node.type] ?? 'node', mode, ui: node, inputs, outputs: node.outputs });
      continue;
    }
    if (stack.includes(definition.id)) throw new WorkflowError('WORKFLOW_INVALID_GRAPH', `subgraph "${definition.name}" contains itself`);
    expandSubgraph(context, node, definition, id, mode, inputs, [...stack, definition.id], out);
  }
}

function expandSubgraph(
  context: Context,
  instance: UiNode,
  definition: SubgraphDef,
  id: string,
  mode: number,
  outerInputs: FlatInput[],
  stack: readonly string[],
  out: FlatNode[],
): void {
  const inId = `${id}\u0000in`;
  const prefix = `${id}:`;
  // Subgraph input k is fed by the instance's input of the same name (by position when names are missing).
  const boundaryInputs = definition.inputNames.map((name, k) => {
    const byName = instance.inputs.findIndex((input) => input.name === name);
    const outer = outerInputs[byName >= 0 ? byName : k];
    return { name, type: outer?.type ?? '*', isWidget: false, source: outer?.source ?? null };
  });
  out.push({ id: inId, kind: 'boundary', mode: 0, ui: instance, inputs: boundaryInputs, outputs: [] });
  const resultInputs = definition.outputNames.map((name, k) => {
    let source: FlatSource | null = null;
    for (const link of definition.links.values()) {
      if (link.targetId === SUBGRAPH_OUTPUT && link.targetSlot === k) source = sourceOf(definition, link.id, prefix, inId);
    }
    return { name, type: instance.outputs[k] ?? '*', isWidget: false, source };
  });
  if (mode === 4) {
    // A bypassed instance passes its own inputs through by type, like any bypassed node; its insides never run.
    out.push({ id, kind: 'bypass-boundary', mode: 4, ui: instance, inputs: outerInputs, outputs: instance.outputs });
    flattenGraph(context, definition, prefix, inId, 2, stack, out);
    return;
  }
  out.push({ id, kind: 'boundary', mode: 0, ui: instance, inputs: resultInputs, outputs: instance.outputs });
  flattenGraph(context, definition, prefix, inId, mode, stack, out);
}

function sourceOf(graph: UiGraph, linkId: number | null, prefix: string, boundaryIn: string | undefined): FlatSource | null {
  if (linkId === null) return null;
  const link = graph.links.get(linkId);
  if (link === undefined) return null;
  if (link.originId === SUBGRAPH_INPUT) return boundaryIn === undefined ? null : { node: boundaryIn, slot: link.originSlot };
  return { node: prefix + link.originId, slot: link.originSlot };
}
