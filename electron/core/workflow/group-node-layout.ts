// Rebuilds what the 2024 editor derived from a group node definition when it registered the group's node type
// (GroupNodeConfig in the frontend's groupNode extension, same rules in ComfyUI's older web/extensions/core/groupNode.js):
// which inner widgets become the group's widgets (their order is the order of the group's widgets_values, each
// followed by its hidden control values), which unlinked inner inputs become the group's inputs, and which inner
// outputs become its outputs. Definitions whose layout the editor's own index arithmetic would get wrong are refused.
import type { WorkflowErrorCode } from './errors.js';
import type { GroupDefinition, GroupInnerNode, GroupLink } from './group-node-def.js';
import { GroupLinks, LayoutProblem, truthy } from './group-node-links.js';
import { GroupNames } from './group-node-names.js';
import { innerShape } from './group-node-shapes.js';
import type { InnerInput, InnerRole, InnerShape } from './group-node-shapes.js';
import type { ObjectInfo } from './object-info.js';

export type { InnerRole } from './group-node-shapes.js';

/** One widget of the group node in widgets_values order; `controls` hidden control values follow its value. */
export type GroupWidget =
  | { readonly kind: 'input'; readonly name: string; readonly index: number; readonly input: string; readonly converted: boolean; readonly controls: number }
  | { readonly kind: 'primitive'; readonly name: string; readonly index: number; readonly controls: number }
  | { readonly kind: 'upload'; readonly name: string; readonly index: number; readonly controls: number };

/** One input socket of the group node, in the order of its saved `inputs`. */
export interface GroupSlot {
  readonly index: number;
  readonly slot: number;
  readonly type: string;
  /** A widget the inner node had converted to an input: the group shows it as a converted widget too. */
  readonly widget: boolean;
}

export interface GroupOutput {
  readonly index: number;
  readonly slot: number;
  readonly type: string;
}

export interface GroupLayout {
  readonly roles: readonly InnerRole[];
  readonly widgets: readonly GroupWidget[];
  readonly inputs: readonly GroupSlot[];
  readonly outputs: readonly GroupOutput[];
  /** "index:slot" → the internal link feeding that inner input. */
  readonly linksTo: ReadonlyMap<string, GroupLink>;
  /** "index:slot" → the group input feeding that inner input. */
  readonly externalIn: ReadonlyMap<string, number>;
}

export type LayoutResult =
  | { readonly ok: true; readonly layout: GroupLayout }
  | { readonly ok: false; readonly code: WorkflowErrorCode; readonly reason: string; readonly inner: number | undefined };

interface PendingWidget {
  readonly kind: GroupWidget['kind'];
  readonly name: string;
  readonly index: number;
  readonly input: string;
  readonly converted: boolean;
  readonly type: string;
  /** control_after_generate as the group's widget gets it; primitives get theirs once a target is wired. */
  readonly control: boolean;
}

export function layoutGroup(definition: GroupDefinition, info: ObjectInfo): LayoutResult {
  try {
    return { ok: true, layout: new LayoutBuilder(definition, info).build() };
  } catch (error) {
    if (error instanceof LayoutProblem) return { ok: false, code: error.code, reason: error.reason, inner: error.inner };
    throw error;
  }
}

class LayoutBuilder {
  private readonly links: GroupLinks;
  private readonly names = new GroupNames();
  private readonly widgets: PendingWidget[] = [];
  private readonly inputs: GroupSlot[] = [];
  private readonly outputs: GroupOutput[] = [];
  private readonly externalIn = new Map<string, number>();
  private readonly deferred: Array<() => void> = [];
  /** Primitives wired to an inner widget: the editor then gives their group widget control_after_generate. */
  private readonly controlled = new Set<number>();
  private readonly landed = new Set<GroupLink>();

  constructor(
    private readonly definition: GroupDefinition,
    private readonly info: ObjectInfo,
  ) {
    this.links = new GroupLinks(definition);
  }

  build(): GroupLayout {
    const roles = this.definition.nodes.map((inner) => this.process(inner));
    // Inputs converted from widgets are appended only after every node's own inputs, as in the editor.
    for (const run of this.deferred) run();
    for (const link of this.definition.links) {
      if (this.typeAt(link.origin) === 'PrimitiveNode' && !this.landed.has(link)) {
        throw new LayoutProblem(
          'WORKFLOW_UNSUPPORTED_NODE',
          `a PrimitiveNode inside it feeds something other than a widget converted to an input; the old editor dropped such values`,
          link.origin,
        );
      }
    }
    const widgets = this.widgets.map((widget): GroupWidget => {
      const controls = widget.kind === 'upload' ? 0 : controlCount(widget.type, widget.kind === 'primitive' ? this.controlled.has(widget.index) : widget.control);
      if (widget.kind === 'input') return { kind: 'input', name: widget.name, index: widget.index, input: widget.input, converted: widget.converted, controls };
      return { kind: widget.kind, name: widget.name, index: widget.index, controls };
    });
    return { roles, widgets, inputs: this.inputs, outputs: this.outputs, linksTo: this.links.byTarget, externalIn: this.externalIn };
  }

  private process(inner: GroupInnerNode): InnerRole {
    const { role, shape } = innerShape(inner, this.definition, this.links, this.info);
    if (shape === null) return role;
    this.processInputs(inner, shape, role);
    this.processOutputs(inner, shape);
    return role;
  }

  private processInputs(inner: GroupInnerNode, shape: InnerShape, role: InnerRole): void {
    if (shape.inputs.length === 0) return;
    const index = inner.index;
    const slots: InnerInput[] = [];
    const converted = new Map<number, InnerInput>();
    for (const input of shape.inputs) {
      if (!input.widget) {
        slots.push(input);
        continue;
      }
      // The editor recognises a widget converted to an input by a saved input of the same name carrying widget.name.
      const at = inner.node.inputs.findIndex((saved) => saved.name === input.name && saved.widgetName === input.name);
      if (at > -1) converted.set(at, input);
      else this.addWidget(inner, input, false, role);
    }
    if (role === 'node') checkSavedInputs(inner, slots, converted);
    for (const [k, slot] of slots.entries()) {
      const link = this.links.to(index, k);
      if (link !== undefined) continue;
      const override = inner.inputOverrides.get(slot.name);
      const { name } = this.names.next(inner.node, slot.name, override?.name ?? inner.inputLabels.get(slot.name));
      if (override?.visible === false) continue;
      this.claim(name, index);
      this.externalIn.set(`${index}:${k}`, this.inputs.length);
      this.inputs.push({ index, slot: k, type: slot.type, widget: false });
    }
    this.deferred.push(() => this.processConverted(inner, slots.length, converted, role));
  }

  private processConverted(inner: GroupInnerNode, base: number, converted: ReadonlyMap<number, InnerInput>, role: InnerRole): void {
    // Same order as the editor, which sorts the saved positions as text; checkSavedInputs made that the numeric order.
    const order = [...converted.keys()].map(String).sort().map(Number);
    for (const [j, at] of order.entries()) {
      const input = converted.get(at);
      if (input === undefined) continue;
      const slot = base + j;
      const link = this.links.to(inner.index, slot);
      if (link !== undefined) {
        if (this.typeAt(link.origin) === 'PrimitiveNode') {
          this.controlled.add(link.origin);
          this.landed.add(link);
        }
        continue;
      }
      this.addWidget(inner, input, true, role);
      this.externalIn.set(`${inner.index}:${slot}`, this.inputs.length);
      this.inputs.push({ index: inner.index, slot, type: input.type, widget: true });
    }
  }

  private addWidget(inner: GroupInnerNode, input: InnerInput, converted: boolean, role: InnerRole): void {
    const override = inner.inputOverrides.get(input.name);
    const { name } = this.names.next(inner.node, input.name, override?.name ?? inner.inputLabels.get(input.name));
    this.claim(name, inner.index);
    // The editor hands every inner seed/noise_seed a control widget, whatever the server's spec says.
    const control = input.name === 'seed' || input.name === 'noise_seed' || truthy(input.spec?.controlAfterGenerate);
    const kind = input.upload ? 'upload' : role === 'primitive' ? 'primitive' : 'input';
    this.widgets.push({ kind, name, index: inner.index, input: input.name, converted, type: input.type, control });
  }

  private processOutputs(inner: GroupInnerNode, shape: InnerShape): void {
    for (const [slot, type] of shape.outputs.entries()) {
      const usedInside = this.links.from(inner.index, slot) !== undefined && !truthy(this.definition.external.get(`${inner.index}:${slot}`));
      const visible = inner.outputOverrides.get(slot)?.visible ?? !usedInside;
      if (truthy(visible)) this.outputs.push({ index: inner.index, slot, type });
    }
  }

  private claim(name: string, index: number): void {
    if (!this.names.claim(name)) {
      throw new LayoutProblem('WORKFLOW_UNSUPPORTED_NODE', `two of its widgets or inputs get the same name ("${name}"), so the editor dropped one and shifted the rest`, index);
    }
  }

  private typeAt(index: number): string | undefined {
    return this.definition.nodes[index]?.node.type;
  }
}

/**
 * The editor maps group inputs to inner inputs by position, assuming the old layout: the node's own sockets in the
 * server's order, then its converted widgets. A saved node in any other layout would be wired wrongly, so it is refused.
 */
function checkSavedInputs(inner: GroupInnerNode, slots: readonly InnerInput[], converted: ReadonlyMap<number, InnerInput>): void {
  const saved = inner.node.inputs;
  const order = [...converted.keys()].map(String).sort();
  const aligned =
    saved.length === slots.length + converted.size &&
    slots.every((slot, k) => saved[k]?.name === slot.name && saved[k]?.widgetName === undefined) &&
    order.every((key, j) => Number(key) === slots.length + j);
  if (!aligned) {
    const title = inner.node.title ?? inner.node.type;
    throw new LayoutProblem('WORKFLOW_UNSUPPORTED_NODE', `the saved inputs of its inner node "${title}" are not in the layout the editor's group code relies on`, inner.index);
  }
}

/** Hidden values after a widget's own: the seed control; a combo's control plus its filter text. */
function controlCount(type: string, control: boolean): number {
  if (!control) return 0;
  if (type === 'INT') return 1;
  if (type === 'COMBO') return 2;
  // The 2024 editor's FLOAT, STRING and BOOLEAN widgets ignore control_after_generate.
  return 0;
}
