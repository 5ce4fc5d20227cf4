// Parses a server's /object_info at the boundary (zod) into the few facts conversion and preflight need: each node
// type's inputs in input_order with type, combo options and widget options. Both combo spellings are accepted.
import { z } from 'zod';
import { WorkflowError } from './errors.js';
import { textOf } from './text-of.js';

// Strict only where conversion depends on it: the input sections (an input whose spec is unusable makes its node's
// widget layout unknowable, which conversion then refuses by name). Everything else is read leniently: ComfyUI
// 0.8.0 sends `"display_name": null`, `"output_tooltips": [null]` and `"output_matchtypes": null` for v3 nodes, and
// no such value may cost a node type.
const sectionSchema = z.record(z.string(), z.unknown());
const nodeInfoSchema = z.looseObject({
  input: z.looseObject({ required: sectionSchema.nullish(), optional: sectionSchema.nullish() }).nullish(),
  input_order: z
    .looseObject({ required: z.array(z.string()).optional().catch(undefined), optional: z.array(z.string()).optional().catch(undefined) })
    .optional()
    .catch(undefined),
  output: z.array(z.unknown()).optional().catch(undefined),
  output_name: z.array(z.unknown()).optional().catch(undefined),
  display_name: z.string().optional().catch(undefined),
  name: z.string().optional().catch(undefined),
});

export type NumberLike = number | bigint;

export interface InputSpec {
  readonly name: string;
  readonly required: boolean;
  /** Socket or widget type; combos (either spelling) are 'COMBO'. */
  readonly type: string;
  readonly options: readonly unknown[] | undefined;
  readonly min: NumberLike | undefined;
  readonly max: NumberLike | undefined;
  readonly step: NumberLike | undefined;
  readonly default: unknown;
  readonly forceInput: boolean;
  readonly controlAfterGenerate: unknown;
  readonly upload: boolean;
  readonly multiselect: boolean;
  /** Inputs the frontend builds with extension JS (v3 dynamic/autogrow, custom components): layout unknowable. */
  readonly dynamic: boolean;
}

export interface NodeDef {
  readonly name: string;
  readonly displayName: string;
  readonly inputs: readonly InputSpec[];
  readonly outputs: readonly string[];
}

export type ObjectInfo = ReadonlyMap<string, NodeDef>;

const WIDGET_TYPES = new Set(['INT', 'FLOAT', 'STRING', 'BOOLEAN', 'COMBO']);
const SOCKET_ONLY_V3 = new Set(['COMFY_MATCHTYPE_V3']);

/** Parses /object_info (already JSON-decoded, ideally with exact integers); broken entries are skipped and listed. */
export function parseObjectInfo(value: unknown): { info: ObjectInfo; skipped: string[] } {
  const top = z.record(z.string(), z.unknown()).safeParse(value);
  if (!top.success) throw new WorkflowError('WORKFLOW_BAD_OBJECT_INFO', '/object_info is not an object of node types');
  const info = new Map<string, NodeDef>();
  const skipped: string[] = [];
  for (const [name, raw] of Object.entries(top.data)) {
    const parsed = nodeInfoSchema.safeParse(raw);
    if (!parsed.success) {
      skipped.push(name);
      continue;
    }
    info.set(name, toNodeDef(name, parsed.data));
  }
  return { info, skipped };
}

function toNodeDef(name: string, raw: z.infer<typeof nodeInfoSchema>): NodeDef {
  const inputs: InputSpec[] = [];
  for (const required of [true, false]) {
    const section = (required ? raw.input?.required : raw.input?.optional) ?? {};
    const order = (required ? raw.input_order?.required : raw.input_order?.optional) ?? [];
    const names = [...order.filter((key) => Object.hasOwn(section, key)), ...Object.keys(section).filter((key) => !order.includes(key))];
    for (const inputName of names) {
      const spec = section[inputName];
      if (spec !== undefined) inputs.push(toInputSpec(inputName, required, spec));
    }
  }
  // An output type the server leaves out (null) accepts any link, as the editor's wildcard does.
  const outputs = (raw.output ?? []).map((type) => (Array.isArray(type) ? 'COMBO' : type == null ? '*' : textOf(type, '*')));
  return { name, displayName: raw.display_name ?? name, inputs, outputs };
}

function toInputSpec(name: string, required: boolean, raw: unknown): InputSpec {
  // Not `[type, options?]`: nothing can be said about the widget it has, so its node's layout is unknowable.
  const spec = Array.isArray(raw) && raw.length > 0 ? raw : [undefined, { unusableSpec: true }];
  const [head, rawOptions] = spec;
  const opts = rawOptions !== null && typeof rawOptions === 'object' && !Array.isArray(rawOptions) ? (rawOptions as Record<string, unknown>) : {};
  const legacyCombo = Array.isArray(head);
  const type = legacyCombo ? 'COMBO' : typeof head === 'string' ? head : 'UNKNOWN';
  const options = legacyCombo ? (head as unknown[]) : Array.isArray(opts.options) ? (opts.options as unknown[]) : undefined;
  return {
    name,
    required,
    type,
    options,
    min: numberLike(opts.min),
    max: numberLike(opts.max),
    step: numberLike(opts.step),
    default: opts.default,
    forceInput: opts.forceInput === true,
    controlAfterGenerate: opts.control_after_generate,
    upload: opts.image_upload === true || opts.audio_upload === true || opts.video_upload === true || opts.file_upload === true,
    multiselect: opts.multiselect === true,
    dynamic:
      (/^COMFY_.*_V3$/.test(type) && !SOCKET_ONLY_V3.has(type)) ||
      opts.widgetType !== undefined ||
      opts.component !== undefined ||
      opts.socketless === true ||
      opts.unusableSpec === true,
  };
}

function numberLike(value: unknown): NumberLike | undefined {
  return typeof value === 'number' || typeof value === 'bigint' ? value : undefined;
}

/** Whether the frontend gives this input a widget (and so a slot in widgets_values). */
export function isWidgetInput(spec: InputSpec): boolean {
  return WIDGET_TYPES.has(spec.type) && !spec.forceInput;
}

/** The exact frontend rule for the hidden control widget after INT inputs (useIntWidget). */
export function hasSeedControl(spec: InputSpec): boolean {
  if (spec.type !== 'INT') return false;
  const flag = spec.controlAfterGenerate ?? (spec.name === 'seed' || spec.name === 'noise_seed');
  return flag !== false && flag !== undefined && flag !== null && flag !== '' && flag !== 0;
}
