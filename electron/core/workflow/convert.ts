// Converts a UI workflow into the API prompt the editor's Queue button would submit, using the target server's
// /object_info (protocol doc §6.4). Anything that cannot be placed with certainty is refused, naming node and input.
import type { ApiPrompt } from './classify-json.js';
import { WorkflowError, describeNode } from './errors.js';
import type { NodeRef } from './errors.js';
import { flattenWorkflow } from './flatten.js';
import type { FlatNode, FlatSource } from './flatten.js';
import type { ObjectInfo } from './object-info.js';
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

type Resolved = { link: [string, number] } | { value: unknown } | null;

const MAX_HOPS = 10_000;

export function convertWorkflow(workflow: Record<string, unknown>, info: ObjectInfo, options: ConvertOptions = {}): ConvertResult {
  let flat: FlatNode[];
  try {
    flat = flattenWorkflow(readUiWorkflow(workflow));
  } catch (error) {
    if (error instanceof WorkflowError) return { ok: false, errors: [error] };
    throw error;
  }
  const byId = new Map(flat.map((node) => [node.id, node]));
  const included = flat.filter((node) => node.kind === 'node' && node.mode !== 2 && node.mode !== 4);
  const includedIds = new Set(included.map((node) => node.id));
  const errors: WorkflowError[] = [];
  const comboMisses: NodeComboMiss[] = [];
  const prompt: ApiPrompt = {};
  const titles = new Map<string, { searchName: string | undefined; title: string }>();

  for (const node of included) {
    const def = info.get(node.ui.type);
    const title = node.ui.title ?? def?.displayName ?? node.ui.type;
    const ref: NodeRef = { id: node.id, title };
    if (node.ui.type.startsWith('workflow>') || node.ui.type.startsWith('workflow/')) {
      errors.push(new WorkflowError('WORKFLOW_UNSUPPORTED_NODE', `${describeNode(ref)} is a legacy group node, which cannot be converted yet`, { node: ref }));
      continue;
    }
    if (def === undefined) {
      errors.push(new WorkflowError('WORKFLOW_UNKNOWN_NODE', `${describeNode(ref)}: the server has no node type "${node.ui.type}"`, { node: ref }));
      continue;
    }
    const resolved = new Map<string, Resolved>();
    for (const input of node.inputs) {
      if (input.source !== null) resolved.set(input.name, resolve(byId, input.source, includedIds));
    }
    const linked = new Set([...resolved].filter(([, value]) => value !== null).map(([name]) => name));
    const mapped = mapWidgets(node.ui, def, ref, linked);
    errors.push(...mapped.errors);
    comboMisses.push(...mapped.comboMisses.map((miss) => ({ ...miss, node: { ...ref, input: miss.input } })));
    const inputs: Record<string, unknown> = Object.fromEntries(mapped.values);
    for (const [name, target] of resolved) {
      if (target === null) continue;
      if ('link' in target) {
        inputs[name] = target.link;
        continue;
      }
      const spec = def.inputs.find((input) => input.name === name);
      const check = spec === undefined ? 'ok' : checkValue(spec, target.value, def);
      if (check === 'combo-miss') comboMisses.push({ node: { ...ref, input: name }, input: name, value: target.value, options: spec?.options ?? [] });
      else if (check !== 'ok') {
        const at = { ...ref, input: name };
        errors.push(new WorkflowError('WORKFLOW_VALUE_MISMATCH', `${describeNode(at)}: primitive value ${show(target.value)}: ${check.reason}`, { node: at }));
      }
      inputs[name] = target.value;
    }
    for (const [name, value] of Object.entries(inputs)) {
      if (Array.isArray(value) && !isLinkValue(value, name, resolved)) inputs[name] = { __value__: value };
    }
    prompt[node.id] = { class_type: node.ui.type, inputs, _meta: { title } };
    titles.set(node.id, { searchName: node.ui.searchName, title });
  }
  if (errors.length > 0) return { ok: false, errors };
  replaceTokens(prompt, titles, options.now ?? new Date());
  return { ok: true, prompt, comboMisses };
}

function isLinkValue(value: unknown[], name: string, resolved: Map<string, Resolved>): boolean {
  const target = resolved.get(name);
  return target !== undefined && target !== null && 'link' in target && target.link === value;
}

/** Follows a link through reroutes, subgraph boundaries, bypassed nodes and primitives to what the server sees. */
function resolve(byId: ReadonlyMap<string, FlatNode>, start: FlatSource, included: ReadonlySet<string>): Resolved {
  let current: FlatSource = start;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const node = byId.get(current.node);
    if (node === undefined) return null;
    let next: FlatSource | null;
    if (node.kind === 'reroute') next = node.inputs[0]?.source ?? null;
    else if (node.kind === 'boundary') next = node.inputs[current.slot]?.source ?? null;
    else if (node.kind === 'primitive') {
      const values = node.ui.widgetsValues;
      return Array.isArray(values) && values.length > 0 ? { value: values[0] } : null;
    } else if (node.kind === 'note') return null;
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

function typesMatch(a: string, b: string): boolean {
  if (a === '*' || b === '*' || a === b) return true;
  const left = a.split(',');
  return b.split(',').some((type) => left.includes(type));
}

function replaceTokens(prompt: ApiPrompt, titles: ReadonlyMap<string, { searchName: string | undefined; title: string }>, now: Date): void {
  const lookup = (name: string, widget: string): unknown => {
    const entries = [...titles];
    const found = entries.find(([, t]) => t.searchName === name) ?? entries.find(([, t]) => t.title === name);
    return found === undefined ? undefined : prompt[found[0]]?.inputs[widget];
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
