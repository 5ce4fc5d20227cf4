// Converts a UI workflow into the API prompt the editor's Queue button would submit, using the target server's
// /object_info (protocol doc §6.4). Anything that cannot be placed with certainty is refused, naming node and input.
import { setOwn } from '../own-key.js';
import type { ApiPrompt } from './classify-json.js';
import { WorkflowError, describeNode } from './errors.js';
import type { NodeRef } from './errors.js';
import { flattenWorkflow } from './flatten.js';
import type { FlatNode, Flattened } from './flatten.js';
import { groupNodeName } from './group-node-def.js';
import type { ObjectInfo } from './object-info.js';
import { resolveLink } from './resolve-link.js';
import type { Resolved } from './resolve-link.js';
import { applyTextReplacements, isPrefixInput } from './text-replacements.js';
import { readUiWorkflow } from './ui-graph.js';
import { checkValue, mapWidgets, show } from './widgets.js';
import type { ComboMiss } from './widgets.js';

export interface ConvertOptions {
  /** Clock for %date:…% tokens (tests pin it). */
  readonly now?: Date;
}

export interface NodeComboMiss extends ComboMiss {
  readonly node: NodeRef;
}

export type ConvertResult =
  | { readonly ok: true; readonly prompt: ApiPrompt; readonly comboMisses: readonly NodeComboMiss[] }
  | { readonly ok: false; readonly errors: readonly WorkflowError[] };

/** A node %Title.widget% tokens can name, in graph order (the editor takes the first match). */
interface TokenTarget {
  readonly searchName: string | undefined;
  readonly title: string;
  readonly widget: (name: string) => unknown;
}

export function convertWorkflow(workflow: Record<string, unknown>, info: ObjectInfo, options: ConvertOptions = {}): ConvertResult {
  let flat: Flattened;
  try {
    flat = flattenWorkflow(readUiWorkflow(workflow), info);
  } catch (error) {
    if (error instanceof WorkflowError) return { ok: false, errors: [error] };
    throw error;
  }
  const byId = new Map(flat.nodes.map((node) => [node.id, node]));
  const included = flat.nodes.filter((node) => node.kind === 'node' && node.mode !== 2 && node.mode !== 4);
  const includedIds = new Set(included.map((node) => node.id));
  const errors: WorkflowError[] = [...flat.errors];
  const comboMisses: NodeComboMiss[] = [];
  const prompt: ApiPrompt = {};
  const targets: TokenTarget[] = [];

  for (const node of flat.nodes) {
    if (node.kind === 'group-output') targets.push(groupTarget(node));
    if (!includedIds.has(node.id)) continue;
    const def = info.get(node.ui.type);
    const title = node.ui.title ?? def?.displayName ?? node.ui.type;
    const ref: NodeRef = { id: node.id, title };
    if (def === undefined) {
      errors.push(new WorkflowError('WORKFLOW_UNKNOWN_NODE', `${describeNode(ref)}: the server has no node type "${node.ui.type}"`, { node: ref }));
      continue;
    }
    const resolved = new Map<string, Resolved>();
    for (const input of node.inputs) {
      if (input.source === null) continue;
      const target = resolveLink(byId, input.source, includedIds);
      if (input.valueOnly === true && target !== null && 'link' in target) {
        const at = { ...ref, input: input.name };
        errors.push(
          new WorkflowError('WORKFLOW_UNSUPPORTED_NODE', `${describeNode(at)}: set through a widget converted to an input on its legacy group node and linked to a node; the editor ignored that link, so the value it used cannot be told`, { node: at }),
        );
        continue;
      }
      resolved.set(input.name, target);
    }
    const linked = new Set([...resolved].filter(([, value]) => value !== null).map(([name]) => name));
    const mapped = mapWidgets(node.ui, def, ref, linked);
    errors.push(...mapped.errors);
    comboMisses.push(...mapped.comboMisses.map((miss) => ({ ...miss, node: { ...ref, input: miss.input } })));
    const inputs: Record<string, unknown> = Object.fromEntries(mapped.values);
    for (const [name, target] of resolved) {
      if (target === null) continue;
      if ('link' in target) {
        setOwn(inputs, name, target.link);
        continue;
      }
      const spec = def.inputs.find((input) => input.name === name);
      const check = spec === undefined ? 'ok' : checkValue(spec, target.value, def);
      if (check === 'combo-miss') comboMisses.push({ node: { ...ref, input: name }, input: name, value: target.value, options: spec?.options ?? [] });
      else if (check !== 'ok') {
        const at = { ...ref, input: name };
        errors.push(new WorkflowError('WORKFLOW_VALUE_MISMATCH', `${describeNode(at)}: primitive value ${show(target.value)}: ${check.reason}`, { node: at }));
      }
      setOwn(inputs, name, target.value);
    }
    for (const [name, value] of Object.entries(inputs)) {
      if (Array.isArray(value) && !isLinkValue(value, name, resolved)) setOwn(inputs, name, { __value__: value });
    }
    setOwn<ApiPrompt[string]>(prompt, node.id, { class_type: node.ui.type, inputs, _meta: { title } });
    if (node.groupChild !== true) targets.push({ searchName: node.ui.searchName, title, widget: (widget) => prompt[node.id]?.inputs[widget] });
  }
  if (errors.length > 0) return { ok: false, errors };
  replaceTokens(prompt, targets, options.now ?? new Date());
  return { ok: true, prompt, comboMisses };
}

/** The editor looked tokens up among the graph's own nodes, so a group node answers with its own widgets. */
function groupTarget(node: FlatNode): TokenTarget {
  const title = node.ui.title ?? groupNodeName(node.ui.type) ?? node.ui.type;
  return { searchName: node.ui.searchName, title, widget: (name) => node.groupWidgets?.get(name) };
}

function isLinkValue(value: unknown[], name: string, resolved: Map<string, Resolved>): boolean {
  const target = resolved.get(name);
  return target !== undefined && target !== null && 'link' in target && target.link === value;
}

function replaceTokens(prompt: ApiPrompt, targets: readonly TokenTarget[], now: Date): void {
  const lookup = (name: string, widget: string): unknown => {
    const found = targets.find((target) => target.searchName === name) ?? targets.find((target) => target.title === name);
    return found?.widget(widget);
  };
  const replacements: Array<[string, string, string]> = [];
  for (const [id, node] of Object.entries(prompt)) {
    for (const [name, value] of Object.entries(node.inputs)) {
      if (isPrefixInput(name) && typeof value === 'string' && value.includes('%')) {
        replacements.push([id, name, applyTextReplacements(value, { lookup }, now)]);
      }
    }
  }
  // Replaced only after all lookups, so one prefix never sees another's already-replaced text.
  for (const [id, name, value] of replacements) {
    const node = prompt[id];
    if (node !== undefined) node.inputs[name] = value;
  }
}
