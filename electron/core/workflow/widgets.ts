// Places a UI node's widgets_values onto its API inputs by the server's input_order, skipping the hidden control
// widgets by the frontend's exact rule, and checks every value against its input so a shifted list is refused
// instead of submitted ("steps: 'fixed'").
import { stringifyJson } from '../json.js';
import { CONTROL_MODES, isControlValue } from './control-values.js';
import { NO_EDITOR_DEFAULT, editorDefault } from './editor-defaults.js';
import { WorkflowError, describeNode } from './errors.js';
import type { NodeRef } from './errors.js';
import { loadedValue } from './legacy-values.js';
import { hasSeedControl, isWidgetInput } from './object-info.js';
import type { InputSpec, NodeDef } from './object-info.js';
import type { UiNode } from './ui-graph.js';

/** Values the editor's upload button widget saves in widgets_values (it is never sent to the server). */
export const UPLOAD_WORDS: ReadonlySet<unknown> = new Set(['image', 'audio', 'video', 'file', 'upload', null]);

/** A combo value the server does not list but which sits in a plausible place: a preflight finding, not a shift. */
export interface ComboMiss {
  readonly input: string;
  readonly value: unknown;
  readonly options: readonly unknown[];
}

export interface WidgetMapping {
  readonly values: Map<string, unknown>;
  readonly errors: WorkflowError[];
  readonly comboMisses: ComboMiss[];
}

type Check = 'ok' | 'combo-miss' | { reason: string };

export function mapWidgets(node: UiNode, def: NodeDef, ref: NodeRef, linked: ReadonlySet<string>): WidgetMapping {
  const values = new Map<string, unknown>();
  const errors: WorkflowError[] = [];
  const comboMisses: ComboMiss[] = [];
  const widgets = def.inputs.filter(isWidgetInput);
  const raw = node.widgetsValues;
  const fail = (input: string, reason: string): void => {
    const at = { ...ref, input };
    errors.push(new WorkflowError('WORKFLOW_VALUE_MISMATCH', `${describeNode(at)}: ${reason}`, { node: at }));
  };
  const place = (spec: InputSpec, saved: unknown): void => {
    const value = loadedValue(node.type, spec.name, saved);
    const check = checkValue(spec, value, def);
    if (check === 'combo-miss') comboMisses.push({ input: spec.name, value, options: spec.options ?? [] });
    else if (check !== 'ok') return fail(spec.name, check.reason);
    values.set(spec.name, value);
  };

  if (raw !== undefined && !Array.isArray(raw)) {
    // Some custom nodes save widgets by name; then position does not matter.
    const byName = raw as Record<string, unknown>;
    for (const spec of widgets) if (Object.hasOwn(byName, spec.name)) place(spec, byName[spec.name]);
    return { values, errors, comboMisses };
  }
  const dynamic = def.inputs.find((spec) => spec.dynamic);
  if (dynamic !== undefined) {
    fail(dynamic.name, `input type ${dynamic.type} gets its widgets from frontend code, so the saved values cannot be placed with certainty`);
    return { values, errors, comboMisses };
  }
  const list: readonly unknown[] = raw ?? [];
  const hasUpload = widgets.some((spec) => spec.upload);
  let uploadSeen = false;
  let index = 0;
  for (const spec of widgets) {
    if (index >= list.length) {
      if (linked.has(spec.name)) continue;
      // Older workflows predate inputs added later: the editor's widget keeps the value it was made with, and is queued.
      // A combo without options held nothing: the editor then left the input out, which only an optional one survives.
      const filled = editorDefault(spec);
      if (filled !== NO_EDITOR_DEFAULT) values.set(spec.name, filled);
      else if (spec.required) fail(spec.name, 'no saved value, and the server lists no default or option for it, so the value the editor used cannot be known');
      continue;
    }
    let value = list[index++];
    if (hasUpload && !uploadSeen && UPLOAD_WORDS.has(value) && checkValue(spec, value, def) !== 'ok' && index < list.length) {
      uploadSeen = true;
      value = list[index++];
    }
    place(spec, value);
    const controls = controlCount(spec, list[index]);
    for (let i = 0; i < controls; i++) {
      // Saved values that run out here leave the control as it was made, like every widget after it.
      if (index >= list.length) break;
      const control = list[index++];
      if (i === 0 && !isControlValue(control)) {
        fail(spec.name, `expected a control mode after the value, found ${show(control)}; the saved values do not line up with the server's inputs`);
      }
    }
  }
  const rest = list.slice(index).filter((value) => !(hasUpload && !uploadSeen && UPLOAD_WORDS.has(value)));
  if (rest.length > 0 && errors.length === 0) {
    fail(widgets.at(-1)?.name ?? '(none)', `${rest.length} more saved widget value(s) than the server's inputs (${rest.map(show).join(', ')})`);
  }
  return { values, errors, comboMisses };
}

function controlCount(spec: InputSpec, next: unknown): number {
  if (spec.type === 'COMBO') return spec.controlAfterGenerate ? 2 : 0;
  if (spec.type === 'FLOAT') return spec.controlAfterGenerate && CONTROL_MODES.has(next) ? 1 : 0;
  return hasSeedControl(spec) ? 1 : 0;
}

export function checkValue(spec: InputSpec, value: unknown, def?: NodeDef): Check {
  switch (spec.type) {
    case 'INT':
      if (!(typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value)))) return { reason: `expected an integer, found ${show(value)}` };
      return range(spec, value);
    case 'FLOAT':
      if (typeof value !== 'number' || !Number.isFinite(value)) return { reason: `expected a number, found ${show(value)}` };
      return range(spec, value);
    case 'STRING':
      return typeof value === 'string' ? 'ok' : { reason: `expected text, found ${show(value)}` };
    case 'BOOLEAN':
      return typeof value === 'boolean' ? 'ok' : { reason: `expected true/false, found ${show(value)}` };
    case 'COMBO':
      return checkCombo(spec, value, def);
    default:
      return 'ok';
  }
}

function checkCombo(spec: InputSpec, value: unknown, def: NodeDef | undefined): Check {
  const items = spec.multiselect && Array.isArray(value) ? (value as unknown[]) : [value];
  for (const item of items) {
    if (typeof item !== 'string' && typeof item !== 'number') return { reason: `expected one of the listed options, found ${show(item)}` };
    if (spec.options === undefined || spec.options.includes(item)) continue;
    if (CONTROL_MODES.has(item)) return { reason: `found the control mode ${show(item)} where an option was expected; values are shifted` };
    const elsewhere = def?.inputs.find((other) => other !== spec && other.type === 'COMBO' && other.options?.includes(item));
    if (elsewhere !== undefined) return { reason: `${show(item)} is an option of "${elsewhere.name}", not of this input; values are shifted` };
    return 'combo-miss';
  }
  return 'ok';
}

function range(spec: InputSpec, value: number | bigint): Check {
  if (spec.min !== undefined && value < spec.min) return { reason: `${show(value)} is below the minimum ${show(spec.min)}` };
  if (spec.max !== undefined && value > spec.max) return { reason: `${show(value)} is above the maximum ${show(spec.max)}` };
  return 'ok';
}

/** A value as messages quote it; big integers anywhere inside are written exactly (never a TypeError). */
export function show(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = stringifyJson(value);
  } catch {
    // Nesting too deep for the serialiser: a message only needs to say what kind of value it was.
    text = Array.isArray(value) ? '[…]' : String(value);
  }
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}
