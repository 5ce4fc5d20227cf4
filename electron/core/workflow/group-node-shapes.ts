// The node definition the editor used for each inner node while building a group node type: the server's own for
// real nodes (plus the upload button its extension adds), a one-widget "value" definition for a wired PrimitiveNode,
// and a one-socket definition for a Reroute that touches the outside. Notes add nothing.
import { groupNodeName } from './group-node-def.js';
import type { GroupDefinition, GroupInnerNode } from './group-node-def.js';
import { LayoutProblem, truthy } from './group-node-links.js';
import type { GroupLinks } from './group-node-links.js';
import type { InputSpec, NodeDef, ObjectInfo } from './object-info.js';
import { show } from './widgets.js';

const WIDGET_TYPES: ReadonlySet<string> = new Set(['INT', 'FLOAT', 'STRING', 'BOOLEAN', 'COMBO']);
/** Frontend-only types without a server definition: the editor skips them when building the group. */
const SKIPPED_VIRTUAL: ReadonlySet<string> = new Set(['Note', 'MarkdownNote']);

export type InnerRole = 'node' | 'primitive' | 'reroute' | 'note';

export interface InnerInput {
  readonly name: string;
  readonly type: string;
  readonly widget: boolean;
  readonly upload: boolean;
  readonly spec: InputSpec | undefined;
}

export interface InnerShape {
  readonly inputs: readonly InnerInput[];
  readonly outputs: readonly string[];
}

/** The inner node's role, and its shape, or null when the editor gave it none (it then adds nothing to the group). */
export function innerShape(inner: GroupInnerNode, definition: GroupDefinition, links: GroupLinks, info: ObjectInfo): { role: InnerRole; shape: InnerShape | null } {
  const type = inner.node.type;
  if (groupNodeName(type) !== undefined) throw new LayoutProblem('WORKFLOW_UNSUPPORTED_NODE', `it contains another group node ("${type}")`, inner.index);
  const def = info.get(type);
  if (def !== undefined) return { role: 'node', shape: nodeShape(inner, def) };
  if (type === 'PrimitiveNode') return { role: 'primitive', shape: primitiveShape(inner, definition, links, info) };
  if (type === 'Reroute') return { role: 'reroute', shape: rerouteShape(inner, definition, links) };
  if (SKIPPED_VIRTUAL.has(type)) return { role: 'note', shape: null };
  throw new LayoutProblem('WORKFLOW_UNKNOWN_NODE', `the server has no node type "${type}"`, inner.index);
}

function nodeShape(inner: GroupInnerNode, def: NodeDef): InnerShape {
  const fail = (reason: string): never => {
    throw new LayoutProblem('WORKFLOW_UNSUPPORTED_NODE', `inner node type ${def.name}: ${reason}`, inner.index);
  };
  const dynamic = def.inputs.find((spec) => spec.dynamic);
  if (dynamic !== undefined) fail(`input "${dynamic.name}" gets its widgets from frontend code, so the group's values cannot be placed`);
  // forceInput widgets were sockets with hidden widgets whose handling changed between editor versions.
  const forced = def.inputs.find((spec) => spec.forceInput && WIDGET_TYPES.has(spec.type));
  if (forced !== undefined) fail(`input "${forced.name}" is forced to a socket, whose place among the group's values changed between editor versions`);
  const names = def.inputs.map((spec) => spec.name);
  if (new Set(names).size !== names.length) fail('an input is listed as both required and optional');
  const toInput = (spec: InputSpec): InnerInput => ({ name: spec.name, type: spec.type, widget: WIDGET_TYPES.has(spec.type), upload: false, spec });
  const required = def.inputs.filter((spec) => spec.required).map(toInput);
  const optional = def.inputs.filter((spec) => !spec.required).map(toInput);
  // The editor's upload extension appends an "upload" button input to the required ones of media loaders.
  const upload: InnerInput[] = [];
  if (def.inputs.some((spec) => spec.required && spec.upload)) {
    if (names.includes('upload')) fail('it has an input named "upload" besides its upload button');
    upload.push({ name: 'upload', type: 'UPLOAD', widget: true, upload: true, spec: undefined });
  }
  return { inputs: [...required, ...upload, ...optional], outputs: def.outputs };
}

function primitiveShape(inner: GroupInnerNode, definition: GroupDefinition, links: GroupLinks, info: ObjectInfo): InnerShape | null {
  // An unwired primitive has no definition in the editor: it adds nothing to the group.
  if (!links.hasFrom(inner.index)) return null;
  const first = links.from(inner.index, 0)?.[0];
  const type = first?.type;
  if (type === 'COMBO' && first !== undefined) {
    // A combo primitive takes the option list of the input it was first wired to.
    const target = definition.nodes[first.target];
    const spec = target === undefined ? undefined : info.get(target.node.type)?.inputs.find((input) => input.name === inner.primitiveWidget);
    if (spec?.type !== 'COMBO') throw new LayoutProblem('WORKFLOW_UNSUPPORTED_NODE', 'a combo PrimitiveNode inside it is not wired to a combo input', inner.index);
  }
  if (typeof type !== 'string' || !WIDGET_TYPES.has(type)) {
    throw new LayoutProblem('WORKFLOW_UNSUPPORTED_NODE', `a PrimitiveNode inside it carries ${type === undefined ? 'no type' : show(type)}, which the editor would not make a widget`, inner.index);
  }
  return { inputs: [{ name: 'value', type, widget: true, upload: false, spec: undefined }], outputs: [type] };
}

function rerouteShape(inner: GroupInnerNode, definition: GroupDefinition, links: GroupLinks): InnerShape | null {
  const index = inner.index;
  // A Reroute wired on both sides is a pure pass-through; it becomes part of the group only when also used outside.
  if (links.hasTo(index) && links.hasFrom(index) && !truthy(definition.external.get(`${index}:0`))) return null;
  let type: unknown = '*';
  if (links.hasFrom(index)) {
    for (const link of links.from(index, 0) ?? []) {
      const input = definition.nodes[link.target]?.node.inputs[link.targetSlot];
      if (input === undefined) throw new LayoutProblem('WORKFLOW_INVALID_GRAPH', 'a link inside it ends at a missing input', index);
      if (type === '*') type = input.type;
    }
  } else if (links.hasTo(index)) {
    const link = links.to(index, 0);
    type = link === undefined ? undefined : definition.nodes[link.origin]?.node.outputs[link.originSlot];
  } else {
    // A Reroute wired only from outside: the editor reads the type of the first outside link into it.
    type = definition.fromOutside.find((link) => link.target === index)?.type;
    if (type === '*' || type === undefined) type = definition.external.get(`${index}:0`) || type;
  }
  if (typeof type !== 'string' || type === '') throw new LayoutProblem('WORKFLOW_UNSUPPORTED_NODE', 'a Reroute inside it has no type the editor could use', index);
  if (WIDGET_TYPES.has(type)) {
    throw new LayoutProblem('WORKFLOW_UNSUPPORTED_NODE', `a Reroute inside it carries a widget value (${type}), which the editor turned into a hidden widget`, index);
  }
  return { inputs: [{ name: type, type, widget: false, upload: false, spec: undefined }], outputs: [type] };
}
