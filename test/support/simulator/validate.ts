// validate_prompt / validate_inputs of the real server: same error types, messages and quirks (node_errors'
// dependent_outputs accumulate across outputs; converted literal values are written back into the prompt).
import { isLosslessNumber } from 'lossless-json';
import { isRecord, pyRepr, pyStr, toNumber } from './json.js';
import type { InputSpec, ObjectInfo } from './object-info.js';
import { PyError, pyBool, pyFloat, pyFloatStr, pyInt } from './py-convert.js';
import type { JsonObject, SimGeneration } from './types.js';

export interface ErrorBody {
  type: string;
  message: string;
  details: string;
  extra_info: JsonObject;
}

export interface NodeErrors {
  errors: ErrorBody[];
  dependent_outputs: string[];
  class_type: unknown;
}

export type ValidationResult =
  | { ok: true; outputs: string[]; nodeErrors: Record<string, NodeErrors> }
  | { ok: false; error: ErrorBody; nodeErrors: Record<string, NodeErrors> };

interface Checked {
  valid: boolean;
  reasons: ErrorBody[];
}

export interface ValidationContext {
  generation: SimGeneration;
  info: ObjectInfo;
  /** Whether an image referenced by an upload combo (LoadImage-style, may carry " [output]") exists. */
  fileExists: (annotatedName: string) => boolean;
}

function fakeTraceback(line: string): string[] {
  return [
    '  File "/srv/comfyui/ComfyUI/execution.py", line 1177, in validate_prompt\n    m = await validate_inputs(prompt_id, prompt, o, validated)\n',
    `  File "/srv/comfyui/ComfyUI/execution.py", line 926, in validate_inputs\n    ${line}\n`,
  ];
}

function typesMatch(received: unknown, expected: unknown): boolean {
  if (received === expected) return true;
  if (typeof received !== 'string' || typeof expected !== 'string') return false;
  const a = new Set(received.split(',').map((t) => t.trim()));
  const b = new Set(expected.split(',').map((t) => t.trim()));
  if (a.has('*') || b.has('*')) return true;
  return [...a].some((t) => b.has(t));
}

function isPromptNode(value: unknown): value is JsonObject {
  return isRecord(value);
}

class Validator {
  private readonly validated = new Map<string, Checked>();

  constructor(
    private readonly ctx: ValidationContext,
    private readonly prompt: JsonObject,
  ) {}

  get results(): Map<string, Checked> {
    return this.validated;
  }

  check(id: string): Checked {
    const done = this.validated.get(id);
    if (done) return done;
    const node = Object.hasOwn(this.prompt, id) ? this.prompt[id] : undefined;
    if (!isPromptNode(node)) throw new PyError('KeyError', pyRepr(id));
    if (!Object.hasOwn(node, 'inputs')) throw new PyError('KeyError', "'inputs'");
    const inputs = node.inputs;
    if (!isRecord(inputs)) throw new PyError('TypeError', `argument of type '${typeof inputs}' is not iterable`);
    const classType = node.class_type as string;
    const errors: ErrorBody[] = [];
    let valid = true;
    for (const spec of this.ctx.info.inputs(classType)) {
      if (!Object.hasOwn(inputs, spec.name)) {
        if (spec.category === 'required') {
          errors.push({ type: 'required_input_missing', message: 'Required input is missing', details: spec.name, extra_info: { input_name: spec.name } });
        }
        continue;
      }
      const value = inputs[spec.name];
      if (Array.isArray(value)) {
        const outcome = this.checkLink(spec, value, errors);
        if (outcome === 'invalid') valid = false;
        continue;
      }
      this.checkLiteral(spec, inputs, errors);
    }
    const result: Checked = errors.length > 0 || !valid ? { valid: false, reasons: errors } : { valid: true, reasons: [] };
    this.validated.set(id, result);
    return result;
  }

  private checkLink(spec: InputSpec, value: unknown[], errors: ErrorBody[]): 'ok' | 'invalid' | 'error' {
    const config = [spec.type, spec.extra];
    if (value.length !== 2) {
      errors.push({
        type: 'bad_linked_input',
        message: 'Bad linked input, must be a length-2 list of [node_id, slot_index]',
        details: spec.name,
        extra_info: { input_name: spec.name, input_config: config, received_value: value },
      });
      return 'error';
    }
    const [fromId, slot] = value;
    const from = typeof fromId === 'string' && Object.hasOwn(this.prompt, fromId) ? this.prompt[fromId] : undefined;
    if (!isPromptNode(from)) throw new PyError('KeyError', pyRepr(fromId));
    const returnTypes = this.ctx.info.returnTypes(String(from.class_type));
    if (typeof slot !== 'number' || !Number.isInteger(slot)) {
      throw new PyError('TypeError', `tuple indices must be integers or slices, not ${typeof slot === 'string' ? 'str' : 'float'}`);
    }
    const received = returnTypes[slot < 0 ? returnTypes.length + slot : slot];
    if (received === undefined) throw new PyError('IndexError', 'tuple index out of range');
    if (!typesMatch(received, spec.type)) {
      errors.push({
        type: 'return_type_mismatch',
        message: 'Return type mismatch between linked nodes',
        details: `${spec.name}, received_type(${pyStr(received)}) mismatch input_type(${pyStr(spec.type)})`,
        extra_info: { input_name: spec.name, input_config: config, received_type: received, linked_node: value },
      });
      return 'error';
    }
    try {
      return this.check(fromId as string).valid ? 'ok' : 'invalid';
    } catch (ex) {
      const err = ex instanceof PyError ? ex : new PyError('Exception', String(ex));
      this.validated.set(fromId as string, {
        valid: false,
        reasons: [
          {
            type: 'exception_during_inner_validation',
            message: 'Exception when validating inner node',
            details: err.text,
            extra_info: {
              input_name: spec.name,
              input_config: config,
              exception_message: err.text,
              exception_type: err.pyType,
              traceback: fakeTraceback('r = await validate_inputs(prompt_id, prompt, o_id, validated, visiting)'),
              linked_node: value,
            },
          },
        ],
      });
      return 'invalid';
    }
  }

  private checkLiteral(spec: InputSpec, inputs: JsonObject, errors: ErrorBody[]): void {
    const config = [spec.type, spec.extra];
    let value = inputs[spec.name];
    try {
      if (isRecord(value) && Object.hasOwn(value, '__value__')) {
        value = value.__value__;
        inputs[spec.name] = value;
      }
      if (spec.type === 'INT') value = pyInt(value);
      else if (spec.type === 'FLOAT') value = pyFloat(value);
      else if (spec.type === 'STRING') value = pyStr(value);
      else if (spec.type === 'BOOLEAN') value = pyBool(value);
      inputs[spec.name] = value;
    } catch (ex) {
      const text = ex instanceof PyError ? ex.text : String(ex);
      errors.push({
        type: 'invalid_input_type',
        message: `Failed to convert an input value to a ${pyStr(spec.type)} value`,
        details: `${spec.name}, ${pyStr(value)}, ${text}`,
        extra_info: { input_name: spec.name, input_config: config, received_value: value, exception_message: text },
      });
      return;
    }
    const numeric = toNumber(value);
    const fmt = (n: unknown): string => (spec.type === 'FLOAT' && typeof n === 'number' ? pyFloatStr(n) : pyStr(n));
    const min = toNumber(spec.extra.min);
    if (numeric !== undefined && min !== undefined && numeric < min) {
      errors.push({
        type: 'value_smaller_than_min',
        message: `Value ${fmt(value)} smaller than min of ${fmt(spec.extra.min)}`,
        details: spec.name,
        extra_info: { input_name: spec.name, input_config: config, received_value: value },
      });
      return;
    }
    const max = toNumber(spec.extra.max);
    if (numeric !== undefined && max !== undefined && numeric > max) {
      errors.push({
        type: 'value_bigger_than_max',
        message: `Value ${fmt(value)} bigger than max of ${fmt(spec.extra.max)}`,
        details: spec.name,
        extra_info: { input_name: spec.name, input_config: config, received_value: value },
      });
      return;
    }
    this.checkCombo(spec, value, errors);
  }

  private checkCombo(spec: InputSpec, value: unknown, errors: ErrorBody[]): void {
    const isCombo = Array.isArray(spec.type) || spec.type === 'COMBO';
    if (!isCombo) return;
    const options = Array.isArray(spec.type) ? spec.type : Array.isArray(spec.extra.options) ? spec.extra.options : undefined;
    if (spec.extra.image_upload === true || options === undefined) {
      // Upload combos validate the file themselves (LoadImage.VALIDATE_INPUTS); remote combos list nothing.
      if (spec.extra.image_upload === true && (typeof value !== 'string' || !this.ctx.fileExists(value))) {
        errors.push({
          type: 'custom_validation_failed',
          message: 'Custom validation failed for node',
          details: `${spec.name} - Invalid image file: ${pyStr(value)}`,
          extra_info: { input_name: spec.name, input_config: [spec.type, spec.extra], received_value: value },
        });
      }
      return;
    }
    const found = options.some((o) => o === value || (isLosslessNumber(o) && toNumber(o) === toNumber(value)));
    if (found) return;
    const long = options.length > 20;
    errors.push({
      type: 'value_not_in_list',
      message: 'Value not in list',
      details: `${spec.name}: '${pyStr(value)}' not in ${long ? `(list of length ${options.length})` : pyRepr(options)}`,
      extra_info: { input_name: spec.name, input_config: long ? null : [spec.type, spec.extra], received_value: value },
    });
  }
}

function classError(ctx: ValidationContext, id: string, node: unknown): ErrorBody | undefined {
  const record = isRecord(node) ? node : undefined;
  const meta = record && isRecord(record._meta) ? record._meta : {};
  if (!record || !Object.hasOwn(record, 'class_type')) {
    if (ctx.generation === 'legacy') {
      return { type: 'invalid_prompt', message: 'Cannot execute because a node is missing the class_type property.', details: `Node ID '#${id}'`, extra_info: {} };
    }
    const title = meta.title ?? null;
    return {
      type: 'missing_node_type',
      message: `Node '${title ? pyStr(title) : `ID #${id}`}' has no class_type. The workflow may be corrupted or a custom node is missing.`,
      details: `Node ID '#${id}'`,
      extra_info: { node_id: id, class_type: null, node_title: title },
    };
  }
  const classType = record.class_type;
  if (ctx.info.has(classType)) return undefined;
  if (ctx.generation === 'legacy') {
    return { type: 'invalid_prompt', message: `Cannot execute because node ${pyStr(classType)} does not exist.`, details: `Node ID '#${id}'`, extra_info: {} };
  }
  const title = Object.hasOwn(meta, 'title') ? meta.title : classType;
  return {
    type: 'missing_node_type',
    message: `Node '${pyStr(title)}' not found. The custom node may not be installed.`,
    details: `Node ID '#${id}'`,
    extra_info: { node_id: id, class_type: classType, node_title: title },
  };
}

export function validatePrompt(ctx: ValidationContext, prompt: JsonObject, partialTargets?: unknown): ValidationResult {
  const outputs: string[] = [];
  for (const [id, node] of Object.entries(prompt)) {
    const error = classError(ctx, id, node);
    if (error) return { ok: false, error, nodeErrors: {} };
    const classType = (node as JsonObject).class_type as string;
    if (!ctx.info.isOutputNode(classType)) continue;
    if (Array.isArray(partialTargets) && !partialTargets.includes(id)) continue;
    outputs.push(id);
  }
  if (outputs.length === 0) {
    return { ok: false, error: { type: 'prompt_no_outputs', message: 'Prompt has no outputs', details: '', extra_info: {} }, nodeErrors: {} };
  }
  const validator = new Validator(ctx, prompt);
  const good: string[] = [];
  const failed: [string, ErrorBody[]][] = [];
  const nodeErrors: Record<string, NodeErrors> = {};
  for (const output of outputs) {
    let result: Checked;
    try {
      result = validator.check(output);
    } catch (ex) {
      const err = ex instanceof PyError ? ex : new PyError('Exception', String(ex));
      result = {
        valid: false,
        reasons: [
          {
            type: 'exception_during_validation',
            message: 'Exception when validating node',
            details: err.text,
            extra_info: { exception_type: err.pyType, traceback: fakeTraceback("o_class_type = prompt[o_id]['class_type']") },
          },
        ],
      };
      validator.results.set(output, result);
    }
    if (result.valid) {
      good.push(output);
      continue;
    }
    failed.push([output, result.reasons]);
    for (const [nodeId, checked] of validator.results) {
      if (checked.valid || checked.reasons.length === 0) continue;
      const entry = (nodeErrors[nodeId] ??= {
        errors: checked.reasons,
        dependent_outputs: [],
        class_type: (prompt[nodeId] as JsonObject | undefined)?.class_type ?? null,
      });
      entry.dependent_outputs.push(output);
    }
  }
  if (good.length === 0) {
    const details = failed.flatMap(([, reasons]) => reasons.map((r) => `${r.message}: ${r.details}`)).join('\n');
    return {
      ok: false,
      error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details, extra_info: {} },
      nodeErrors,
    };
  }
  // The server returns list(set(...)); the recorded servers ran later prompt keys first (fixture 12).
  return { ok: true, outputs: good.reverse(), nodeErrors };
}
