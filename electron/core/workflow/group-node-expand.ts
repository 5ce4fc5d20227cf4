// Expands one active legacy group node into the nodes the 2024 editor queued for it: inner node i becomes
// "<groupId>:<i>", internal links stay inside, the group's inputs feed the inner inputs they stand for, and its
// outputs resolve to inner origins. The group's widgets_values are dealt out to the inner widgets in the order the
// layout gives (each value followed by its hidden control values), after checking that the count matches exactly:
// a group whose saved values do not line up is refused, never shifted.
import { setOwn } from '../own-key.js';
import { isControlValue } from './control-values.js';
import { WorkflowError, describeNode } from './errors.js';
import type { NodeRef } from './errors.js';
import type { FlatInput, FlatNode } from './flatten.js';
import type { GroupDefinition, GroupInnerNode } from './group-node-def.js';
import type { GroupLayout, GroupWidget } from './group-node-layout.js';
import type { ObjectInfo } from './object-info.js';
import { typesMatch } from './slot-types.js';
import type { UiNode } from './ui-graph.js';
import { UPLOAD_WORDS, mapWidgets, show } from './widgets.js';

export interface GroupPlan {
  readonly definition: GroupDefinition;
  readonly layout: GroupLayout;
}

export interface Expansion {
  readonly nodes: FlatNode[];
  readonly errors: WorkflowError[];
}

/** The group's saved values dealt out: widget values per inner node, whole value lists for inner primitives. */
interface Dealt {
  readonly byNode: Map<number, Record<string, unknown>>;
  readonly primitives: Map<number, unknown[]>;
  readonly byWidgetName: Map<string, unknown>;
}

class ExpandProblem extends Error {
  constructor(readonly error: WorkflowError) {
    super(error.message);
  }
}

export function groupRef(outer: UiNode, name: string): NodeRef {
  return { id: outer.id, title: outer.title ?? name };
}

export function expandGroupNode(outer: UiNode, outerInputs: readonly FlatInput[], plan: GroupPlan, info: ObjectInfo): Expansion {
  const ref = groupRef(outer, plan.definition.name);
  try {
    checkSockets(outer, plan, ref);
    const dealt = dealValues(outer, plan, ref);
    const extra = convertedWidgetInputs(outer, outerInputs, plan, ref);
    const nodes = plan.definition.nodes.map((inner) => innerNode(outer, outerInputs, inner, plan, dealt, extra.get(inner.index) ?? [], info));
    const boundary: FlatNode = {
      id: outer.id,
      kind: 'group-output',
      mode: 0,
      ui: outer,
      inputs: plan.layout.outputs.map((output) => ({ name: '', type: output.type, isWidget: false, source: { node: `${outer.id}:${output.index}`, slot: output.slot } })),
      outputs: outer.outputs,
      groupWidgets: dealt.byWidgetName,
    };
    return { nodes: [boundary, ...nodes], errors: [] };
  } catch (error) {
    if (error instanceof ExpandProblem) return { nodes: [], errors: [error.error] };
    throw error;
  }
}

function fail(code: WorkflowError['code'], ref: NodeRef, reason: string): never {
  throw new ExpandProblem(new WorkflowError(code, `${describeNode(ref)} is a legacy group node: ${reason}`, { node: ref }));
}

/**
 * The editor wires group inputs and outputs by position. A saved node whose sockets do not match what the
 * definition gives on this server (another editor version, a changed node type) would be wired wrongly.
 */
function checkSockets(outer: UiNode, plan: GroupPlan, ref: NodeRef): void {
  const expected = plan.layout.inputs;
  const mismatch = (what: string): never => fail('WORKFLOW_UNSUPPORTED_NODE', ref, `its saved ${what} do not line up with its definition "${plan.definition.name}" as this server describes the inner nodes`);
  if (outer.inputs.length < expected.length) mismatch(`inputs (${outer.inputs.length}, the definition gives ${expected.length})`);
  for (const [k, slot] of expected.entries()) {
    const saved = outer.inputs[k];
    if (saved === undefined || (saved.widgetName !== undefined) !== slot.widget || !typesMatch(saved.type, slot.type)) mismatch(`inputs (#${k} "${saved?.name ?? ''}")`);
  }
  // Sockets past the definition's can only be widgets the user converted on the group node itself.
  for (const saved of outer.inputs.slice(expected.length)) {
    if (saved.widgetName === undefined) mismatch(`inputs ("${saved.name}")`);
  }
  if (outer.outputs.length !== plan.layout.outputs.length) mismatch(`outputs (${outer.outputs.length}, the definition gives ${plan.layout.outputs.length})`);
  for (const [k, output] of plan.layout.outputs.entries()) {
    if (!typesMatch(outer.outputs[k] ?? '*', output.type)) mismatch(`outputs (#${k})`);
  }
}

function dealValues(outer: UiNode, plan: GroupPlan, ref: NodeRef): Dealt {
  const raw = outer.widgetsValues;
  if (raw !== undefined && !Array.isArray(raw)) fail('WORKFLOW_UNSUPPORTED_NODE', ref, 'its widget values are saved by name, which the editor never did for group nodes');
  const list: readonly unknown[] = raw ?? [];
  const widgets = plan.layout.widgets;
  const needed = widgets.reduce((sum, widget) => sum + 1 + widget.controls, 0);
  if (list.length !== needed) {
    fail('WORKFLOW_VALUE_MISMATCH', ref, `it has ${list.length} saved widget values but its definition "${plan.definition.name}" needs ${needed} on this server (${widgets.length} widgets with their control values); placing them would shift values`);
  }
  const dealt: Dealt = { byNode: new Map(), primitives: new Map(), byWidgetName: new Map() };
  let at = 0;
  for (const widget of widgets) {
    const value = list[at];
    const controls = list.slice(at + 1, at + 1 + widget.controls);
    at += 1 + widget.controls;
    checkControls(widget, value, controls, { ...ref, input: widget.name });
    dealt.byWidgetName.set(widget.name, value);
    if (widget.kind === 'input') {
      const values = dealt.byNode.get(widget.index) ?? {};
      setOwn(values, widget.input, value);
      dealt.byNode.set(widget.index, values);
    } else if (widget.kind === 'primitive') {
      dealt.primitives.set(widget.index, [value, ...controls]);
    }
  }
  return dealt;
}

function checkControls(widget: GroupWidget, value: unknown, controls: readonly unknown[], at: NodeRef): void {
  const shifted = (reason: string): never => {
    throw new ExpandProblem(new WorkflowError('WORKFLOW_VALUE_MISMATCH', `${describeNode(at)} (legacy group node widget): ${reason}; the saved values do not line up`, { node: at }));
  };
  if (widget.kind === 'upload' && !UPLOAD_WORDS.has(value)) shifted(`expected the upload button's value, found ${show(value)}`);
  if (controls.length > 0 && !isControlValue(controls[0])) shifted(`expected a control mode after the value, found ${show(controls[0])}`);
  if (controls.length > 1 && typeof controls[1] !== 'string') shifted(`expected the combo control's filter text, found ${show(controls[1])}`);
}

/**
 * Widgets converted to inputs on the group node itself (not in the definition). The editor's inner nodes have no
 * socket for them: a primitive feeding one set the widget's value, any other link was ignored.
 */
function convertedWidgetInputs(outer: UiNode, outerInputs: readonly FlatInput[], plan: GroupPlan, ref: NodeRef): Map<number, FlatInput[]> {
  const extra = new Map<number, FlatInput[]>();
  for (const [k, saved] of outer.inputs.entries()) {
    const source = outerInputs[k]?.source ?? null;
    if (k < plan.layout.inputs.length || source === null) continue;
    const widget = plan.layout.widgets.find((candidate) => candidate.name === saved.widgetName);
    if (widget?.kind !== 'input' || widget.converted) {
      fail('WORKFLOW_UNSUPPORTED_NODE', { ...ref, input: saved.widgetName ?? saved.name }, `its widget "${saved.widgetName ?? saved.name}" was converted to an input and linked, which the editor handled in ways that cannot be reproduced with certainty`);
    }
    const inputs = extra.get(widget.index) ?? [];
    inputs.push({ name: widget.input, type: saved.type, isWidget: true, source, valueOnly: true });
    extra.set(widget.index, inputs);
  }
  return extra;
}

function innerNode(
  outer: UiNode,
  outerInputs: readonly FlatInput[],
  inner: GroupInnerNode,
  plan: GroupPlan,
  dealt: Dealt,
  extra: readonly FlatInput[],
  info: ObjectInfo,
): FlatNode {
  const role = plan.layout.roles[inner.index] ?? 'note';
  const id = `${outer.id}:${inner.index}`;
  const inputs: FlatInput[] = inner.node.inputs.map((input, slot) => {
    const key = `${inner.index}:${slot}`;
    const external = plan.layout.externalIn.get(key);
    const link = plan.layout.linksTo.get(key);
    // As in the editor, a group input takes precedence over an internal link recorded for the same slot.
    const source = external !== undefined ? (outerInputs[external]?.source ?? null) : link === undefined ? null : { node: `${outer.id}:${link.origin}`, slot: link.originSlot };
    return { name: input.widgetName ?? input.name, type: input.type, isWidget: input.widgetName !== undefined, source };
  });
  let widgetsValues = inner.node.widgetsValues;
  if (role === 'primitive') widgetsValues = dealt.primitives.get(inner.index) ?? widgetsValues;
  if (role === 'node') widgetsValues = { ...savedValues(inner, id, info), ...dealt.byNode.get(inner.index) };
  return {
    id,
    kind: role,
    mode: inner.node.mode,
    ui: { ...inner.node, id, widgetsValues },
    inputs: [...inputs, ...extra],
    outputs: inner.node.outputs,
    groupChild: true,
  };
}

/**
 * An inner widget wired inside the group has no group widget; the editor left the value saved in the definition
 * there, which the link normally overrides. Used only when that saved list itself lines up.
 */
function savedValues(inner: GroupInnerNode, id: string, info: ObjectInfo): Record<string, unknown> {
  const def = info.get(inner.node.type);
  if (def === undefined) return {};
  const mapped = mapWidgets(inner.node, def, { id, title: inner.node.title ?? def.displayName }, new Set());
  return mapped.errors.length > 0 ? {} : Object.fromEntries(mapped.values);
}
