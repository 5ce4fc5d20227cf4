// Entry point for legacy group nodes during flattening: finds the node's definition in extra.groupNodes, works out
// its layout once per definition, and expands the node, or explains (naming the group node and, where it applies,
// the inner node) why it cannot be converted with certainty.
import { WorkflowError, describeNode } from './errors.js';
import type { WorkflowErrorCode } from './errors.js';
import type { FlatInput } from './flatten.js';
import { readGroupDefinition } from './group-node-def.js';
import { expandGroupNode, groupRef } from './group-node-expand.js';
import type { Expansion, GroupPlan } from './group-node-expand.js';
import { layoutGroup } from './group-node-layout.js';
import type { ObjectInfo } from './object-info.js';
import type { UiNode, UiWorkflow } from './ui-graph.js';

interface InnerProblem {
  readonly index: number;
  readonly title: string;
}

type PlanResult =
  | { readonly ok: true; readonly plan: GroupPlan }
  | { readonly ok: false; readonly code: WorkflowErrorCode; readonly reason: string; readonly inner: InnerProblem | undefined };

/** Plans per definition name: every instance of one group shares its layout. */
export type GroupPlans = Map<string, PlanResult>;

export function expandGroup(
  workflow: UiWorkflow,
  info: ObjectInfo,
  plans: GroupPlans,
  node: UiNode,
  name: string,
  inputs: readonly FlatInput[],
  insideSubgraph: boolean,
): Expansion {
  const ref = groupRef(node, name);
  if (insideSubgraph) {
    // The editor never expanded group nodes inside subgraphs (newer versions refuse them outright).
    return failure('WORKFLOW_UNSUPPORTED_NODE', `${describeNode(ref)} is a legacy group node inside a subgraph, which the editor cannot queue`, ref);
  }
  let planned = plans.get(name);
  if (planned === undefined) {
    planned = plan(workflow, info, name);
    plans.set(name, planned);
  }
  if (!planned.ok) {
    if (planned.inner !== undefined) {
      const innerRef = { id: `${node.id}:${planned.inner.index}`, title: planned.inner.title };
      return failure(planned.code, `${describeNode(innerRef)} inside legacy group node "${ref.title}" (#${ref.id}): ${planned.reason}`, innerRef);
    }
    return failure(planned.code, `${describeNode(ref)} is a legacy group node: ${planned.reason}`, ref);
  }
  return expandGroupNode(node, inputs, planned.plan, info);
}

function plan(workflow: UiWorkflow, info: ObjectInfo, name: string): PlanResult {
  const read = readGroupDefinition(name, Object.hasOwn(workflow.groupNodes, name) ? workflow.groupNodes[name] : undefined);
  if (!read.ok) return { ok: false, code: 'WORKFLOW_INVALID_GRAPH', reason: read.reason, inner: undefined };
  const layout = layoutGroup(read.definition, info);
  if (!layout.ok) {
    // Unknown inner types are named by the inner node; other problems concern the group as a whole.
    const inner = layout.code === 'WORKFLOW_UNKNOWN_NODE' && layout.inner !== undefined ? read.definition.nodes[layout.inner]?.node : undefined;
    const problem = inner === undefined || layout.inner === undefined ? undefined : { index: layout.inner, title: inner.title ?? inner.type };
    return { ok: false, code: layout.code, reason: layout.reason, inner: problem };
  }
  return { ok: true, plan: { definition: read.definition, layout: layout.layout } };
}

function failure(code: WorkflowErrorCode, message: string, node: { id: string; title: string }): Expansion {
  return { nodes: [], errors: [new WorkflowError(code, message, { node })] };
}
