// Reads the UI (editor) workflow into plain typed records, tolerating both schemas: links as arrays (0.4) or objects
// (1), subgraph definitions at any nesting depth. Nothing here interprets node semantics.
import { isRecord } from './classify-json.js';
import { WorkflowError } from './errors.js';
import { textOf } from './text-of.js';

export interface UiInput {
  readonly name: string;
  readonly type: string;
  readonly link: number | null;
  /** Set for widget sockets; the widget name is authoritative over the slot name. */
  readonly widgetName: string | undefined;
}

export interface UiNode {
  readonly id: string;
  readonly type: string;
  readonly mode: number;
  readonly title: string | undefined;
  /** properties["Node name for S&R"], used by %Name.widget% file name tokens. */
  readonly searchName: string | undefined;
  readonly inputs: readonly UiInput[];
  readonly outputs: readonly string[];
  readonly widgetsValues: readonly unknown[] | Record<string, unknown> | undefined;
}

export interface UiLink {
  readonly id: number;
  readonly originId: string;
  readonly originSlot: number;
  readonly targetId: string;
  readonly targetSlot: number;
  readonly type: string;
}

export interface UiGraph {
  readonly nodes: readonly UiNode[];
  readonly links: ReadonlyMap<number, UiLink>;
}

export interface SubgraphDef extends UiGraph {
  readonly id: string;
  readonly name: string;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
}

export interface UiWorkflow extends UiGraph {
  readonly subgraphs: ReadonlyMap<string, SubgraphDef>;
  readonly groupNodes: Readonly<Record<string, unknown>>;
}

const MAX_NODES = 20_000;

export function readUiWorkflow(value: Record<string, unknown>): UiWorkflow {
  const subgraphs = new Map<string, SubgraphDef>();
  collectSubgraphs(value, subgraphs, 0);
  const extra = isRecord(value.extra) ? value.extra : {};
  const groupNodes = isRecord(extra.groupNodes) ? extra.groupNodes : {};
  return { ...readGraph(value), subgraphs, groupNodes };
}

export function readGraph(value: Record<string, unknown>): UiGraph {
  if (!Array.isArray(value.nodes)) throw new WorkflowError('WORKFLOW_INVALID_GRAPH', 'workflow has no node list');
  if (value.nodes.length > MAX_NODES) throw new WorkflowError('WORKFLOW_TOO_LARGE', `workflow has more than ${MAX_NODES} nodes`);
  const nodes = value.nodes.filter(isRecord).map(readNode);
  const links = new Map<number, UiLink>();
  const rawLinks = Array.isArray(value.links) ? value.links : isRecord(value.links) ? Object.values(value.links) : [];
  for (const raw of rawLinks) {
    const link = readLink(raw);
    if (link !== undefined) links.set(link.id, link);
  }
  return { nodes, links };
}

function collectSubgraphs(value: Record<string, unknown>, into: Map<string, SubgraphDef>, depth: number): void {
  if (depth > 32) throw new WorkflowError('WORKFLOW_INVALID_GRAPH', 'subgraph definitions nest too deeply');
  const definitions = isRecord(value.definitions) ? value.definitions : undefined;
  const list = definitions !== undefined && Array.isArray(definitions.subgraphs) ? definitions.subgraphs : [];
  for (const raw of list) {
    if (!isRecord(raw) || typeof raw.id !== 'string') continue;
    const graph = readGraph(raw);
    into.set(raw.id, {
      ...graph,
      id: raw.id,
      name: typeof raw.name === 'string' ? raw.name : raw.id,
      inputNames: slotNames(raw.inputs),
      outputNames: slotNames(raw.outputs),
    });
    collectSubgraphs(raw, into, depth + 1);
  }
}

function slotNames(value: unknown): string[] {
  return Array.isArray(value) ? value.map((slot) => (isRecord(slot) && typeof slot.name === 'string' ? slot.name : '')) : [];
}

export function readNode(raw: Record<string, unknown>): UiNode {
  const inputs = Array.isArray(raw.inputs) ? raw.inputs.filter(isRecord).map(readInput) : [];
  const outputs = Array.isArray(raw.outputs) ? raw.outputs.map((slot) => (isRecord(slot) ? textOf(slot.type ?? '*', '*') : '*')) : [];
  const widgetsValues = Array.isArray(raw.widgets_values) || isRecord(raw.widgets_values) ? raw.widgets_values : undefined;
  return {
    id: textOf(raw.id, ''),
    type: typeof raw.type === 'string' ? raw.type : '',
    mode: typeof raw.mode === 'number' ? raw.mode : 0,
    title: typeof raw.title === 'string' ? raw.title : undefined,
    searchName: isRecord(raw.properties) && typeof raw.properties['Node name for S&R'] === 'string' ? raw.properties['Node name for S&R'] : undefined,
    inputs,
    outputs,
    widgetsValues,
  };
}

function readInput(raw: Record<string, unknown>): UiInput {
  const widget = isRecord(raw.widget) && typeof raw.widget.name === 'string' ? raw.widget.name : undefined;
  return {
    name: typeof raw.name === 'string' ? raw.name : '',
    type: Array.isArray(raw.type) ? 'COMBO' : textOf(raw.type ?? '*', '*'),
    link: typeof raw.link === 'number' ? raw.link : null,
    widgetName: widget,
  };
}

function readLink(raw: unknown): UiLink | undefined {
  if (Array.isArray(raw)) {
    const [id, originId, originSlot, targetId, targetSlot, type] = raw as unknown[];
    if (typeof id !== 'number' || typeof originSlot !== 'number' || typeof targetSlot !== 'number') return undefined;
    return { id, originId: textOf(originId, ''), originSlot, targetId: textOf(targetId, ''), targetSlot, type: typeString(type) };
  }
  if (!isRecord(raw) || typeof raw.id !== 'number') return undefined;
  if (typeof raw.origin_slot !== 'number' || typeof raw.target_slot !== 'number') return undefined;
  return {
    id: raw.id,
    originId: textOf(raw.origin_id, ''),
    originSlot: raw.origin_slot,
    targetId: textOf(raw.target_id, ''),
    targetSlot: raw.target_slot,
    type: typeString(raw.type),
  };
}

function typeString(value: unknown): string {
  return Array.isArray(value) ? 'COMBO' : typeof value === 'string' ? value : '*';
}
