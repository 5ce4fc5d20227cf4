// Reads one legacy group node definition (`extra.groupNodes[name]`, written by the 2024 editor) from an untrusted
// workflow: inner nodes in order (a node's position is the index the definition's links and the API ids use),
// internal links, the marks for outputs also used outside, and the "Manage group node" overrides. Anything malformed
// is refused here, so the later steps only ever see well-formed records.
import { isRecord } from './classify-json.js';
import { readNode } from './ui-graph.js';
import type { UiNode } from './ui-graph.js';

/** The editor's type prefix: "workflow>" since frontend 1.2.63, "workflow/" before. */
const PREFIXES = ['workflow>', 'workflow/'];
const MAX_INNER_NODES = 5_000;
const MAX_LINKS = 50_000;

export interface GroupLink {
  readonly origin: number;
  readonly originSlot: number;
  readonly target: number;
  readonly targetSlot: number;
  /** The origin output's type, stored at index 5 when the group was built. */
  readonly type: unknown;
}

/** A "Manage group node" override; the editor tests `visible` by truthiness or `=== false`, so it stays raw. */
export interface SlotOverride {
  readonly name: string | undefined;
  readonly visible: unknown;
}

export interface GroupInnerNode {
  readonly index: number;
  readonly node: UiNode;
  /** A PrimitiveNode's outputs[0].widget.name: the input whose options a COMBO primitive takes. */
  readonly primitiveWidget: string | undefined;
  /** Input name → display label, which the editor prefers when naming the group's inputs. */
  readonly inputLabels: ReadonlyMap<string, string>;
  readonly inputOverrides: ReadonlyMap<string, SlotOverride>;
  readonly outputOverrides: ReadonlyMap<number, SlotOverride>;
}

/** A link kept from when the group was built whose origin lay outside it. */
export interface OutsideLink {
  readonly target: number;
  readonly type: unknown;
}

export interface GroupDefinition {
  readonly name: string;
  readonly nodes: readonly GroupInnerNode[];
  readonly links: readonly GroupLink[];
  /** In saved order: the editor types a Reroute wired only from outside by the first of these reaching it. */
  readonly fromOutside: readonly OutsideLink[];
  /** "index:slot" → the stored type; an output counts as used outside when this value is truthy. */
  readonly external: ReadonlyMap<string, unknown>;
}

export type DefinitionResult = { readonly ok: true; readonly definition: GroupDefinition } | { readonly ok: false; readonly reason: string };

/** The definition name a node type refers to, or undefined when the type is not a group node. */
export function groupNodeName(type: string): string | undefined {
  const prefix = PREFIXES.find((candidate) => type.startsWith(candidate));
  return prefix === undefined ? undefined : type.slice(prefix.length);
}

export function readGroupDefinition(name: string, raw: unknown): DefinitionResult {
  if (!isRecord(raw)) return { ok: false, reason: `its definition "${name}" is missing from the workflow (extra.groupNodes)` };
  if (!Array.isArray(raw.nodes)) return { ok: false, reason: `its definition "${name}" has no node list` };
  if (raw.nodes.length > MAX_INNER_NODES) return { ok: false, reason: `its definition "${name}" has more than ${MAX_INNER_NODES} nodes` };
  const nodes: GroupInnerNode[] = [];
  for (const [index, node] of raw.nodes.entries()) {
    // Positions are identities here, so a hole cannot be skipped the way a top-level junk entry can.
    if (!isRecord(node)) return { ok: false, reason: `node ${index} of its definition "${name}" is not an object` };
    nodes.push(readInner(index, node, raw.config));
  }
  const links = readLinks(raw.links, nodes.length);
  if (typeof links === 'string') return { ok: false, reason: `its definition "${name}": ${links}` };
  const external = readExternal(raw.external);
  if (typeof external === 'string') return { ok: false, reason: `its definition "${name}": ${external}` };
  return { ok: true, definition: { name, nodes, links: links.inside, fromOutside: links.outside, external } };
}

function readInner(index: number, raw: Record<string, unknown>, config: unknown): GroupInnerNode {
  const node = readNode(raw);
  const firstOutput = Array.isArray(raw.outputs) ? raw.outputs[0] : undefined;
  const widget = isRecord(firstOutput) && isRecord(firstOutput.widget) ? firstOutput.widget.name : undefined;
  const inputLabels = new Map<string, string>();
  const named = new Set<string>();
  for (const input of Array.isArray(raw.inputs) ? raw.inputs : []) {
    if (!isRecord(input) || typeof input.name !== 'string' || named.has(input.name)) continue;
    // The editor reads the label of the first input of that name (Array.find), labelled or not.
    named.add(input.name);
    if (typeof input.label === 'string') inputLabels.set(input.name, input.label);
  }
  const own = isRecord(config) ? config[String(index)] : undefined;
  return {
    index,
    node,
    primitiveWidget: typeof widget === 'string' ? widget : undefined,
    inputLabels,
    inputOverrides: new Map(overrides(isRecord(own) ? own.input : undefined)),
    outputOverrides: new Map(
      overrides(isRecord(own) ? own.output : undefined)
        .filter(([key]) => /^\d+$/.test(key))
        .map(([key, value]) => [Number(key), value]),
    ),
  };
}

function overrides(raw: unknown): Array<[string, SlotOverride]> {
  if (!isRecord(raw)) return [];
  return Object.entries(raw)
    .filter((entry): entry is [string, Record<string, unknown>] => isRecord(entry[1]))
    .map(([key, value]) => [key, { name: typeof value.name === 'string' ? value.name : undefined, visible: value.visible }]);
}

/** Links as [originIndex, originSlot, targetIndex, targetSlot, originId, type]; a null origin came from outside. */
function readLinks(raw: unknown, count: number): { inside: GroupLink[]; outside: OutsideLink[] } | string {
  if (!Array.isArray(raw)) return 'it has no link list';
  if (raw.length > MAX_LINKS) return `it has more than ${MAX_LINKS} links`;
  const inside: GroupLink[] = [];
  const outside: OutsideLink[] = [];
  for (const [at, entry] of raw.entries()) {
    if (!Array.isArray(entry)) return `link ${at} is not a list`;
    const [origin, originSlot, target, targetSlot, , type] = entry as unknown[];
    // The editor does not wire links whose origin was outside the selection: they only rewired the group on creation.
    if (origin === null || origin === undefined) {
      if (isIndex(target, count)) outside.push({ target, type });
      continue;
    }
    if (!isIndex(origin, count) || !isIndex(target, count) || !isIndex(originSlot) || !isIndex(targetSlot)) {
      return `link ${at} does not connect two of its nodes`;
    }
    inside.push({ origin, originSlot, target, targetSlot, type });
  }
  return { inside, outside };
}

function readExternal(raw: unknown): Map<string, unknown> | string {
  const external = new Map<string, unknown>();
  if (raw === undefined || raw === null) return external;
  if (!Array.isArray(raw)) return 'its list of outputs used outside is not a list';
  for (const entry of raw) {
    if (!Array.isArray(entry) || !isIndex(entry[0]) || !isIndex(entry[1])) return 'an entry of its outputs used outside is malformed';
    external.set(`${entry[0]}:${entry[1]}`, entry[2]);
  }
  return external;
}

function isIndex(value: unknown, below = Number.MAX_SAFE_INTEGER): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value < below;
}
