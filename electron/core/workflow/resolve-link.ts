// Follows a link the way the editor did when queuing: through Reroute nodes and subgraph boundaries, around
// bypassed nodes (by type), to a primitive's value or to the node the server will see.
import type { FlatNode, FlatSource } from './flatten.js';
import { typesMatch } from './slot-types.js';

export type Resolved = { link: [string, number] } | { value: unknown } | null;

const MAX_HOPS = 10_000;

export function resolveLink(byId: ReadonlyMap<string, FlatNode>, start: FlatSource, included: ReadonlySet<string>): Resolved {
  let current: FlatSource = start;
  // Past a legacy group node's output the editor only followed Reroutes: whatever it reached then was final, so a
  // bypassed, muted or primitive origin inside the group left the input unset.
  let throughGroup = false;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const node = byId.get(current.node);
    if (node === undefined) return null;
    let next: FlatSource | null;
    if (node.kind === 'reroute') next = node.inputs[0]?.source ?? null;
    else if (node.kind === 'boundary') next = node.inputs[current.slot]?.source ?? null;
    else if (node.kind === 'group-output') {
      throughGroup = true;
      next = node.inputs[current.slot]?.source ?? null;
    } else if (node.kind === 'primitive') {
      const values = node.ui.widgetsValues;
      return !throughGroup && Array.isArray(values) && values.length > 0 ? { value: values[0] } : null;
    } else if (node.kind === 'note') return null;
    else if (throughGroup && (node.kind === 'bypass-boundary' || node.mode === 4)) return null;
    else if (node.kind === 'bypass-boundary' || node.mode === 4) next = bypassSource(node, current.slot);
    else return included.has(node.id) ? { link: [node.id, current.slot] } : null;
    if (next === null) return null;
    current = next;
  }
  return null;
}

/** A bypassed node hands on its input of the output's type: same slot index first, else the first match. */
function bypassSource(node: FlatNode, slot: number): FlatSource | null {
  const wanted = node.outputs[slot] ?? '*';
  const same = node.inputs[slot];
  if (same !== undefined && typesMatch(same.type, wanted)) return same.source;
  return node.inputs.find((input) => typesMatch(input.type, wanted))?.source ?? null;
}
