// Decides what a JSON document is, by the frontend's rule: an API prompt when every top-level value has a string
// `class_type` and object `inputs`; a UI workflow when it has `nodes` and `links`; a template bundle with `templates`.
import { parseJson } from '../json.js';

export type ApiPrompt = Record<string, ApiNode>;

export interface ApiNode {
  class_type: string;
  inputs: Record<string, unknown>;
  _meta?: { title?: string };
}

export type UiSchemaVersion = '0.4' | '1';

export type JsonClassification =
  | { readonly kind: 'api-prompt'; readonly prompt: ApiPrompt }
  | { readonly kind: 'ui-workflow'; readonly workflow: Record<string, unknown>; readonly schema: UiSchemaVersion }
  | { readonly kind: 'template-bundle'; readonly value: unknown }
  | { readonly kind: 'unknown'; readonly reason: string }
  | { readonly kind: 'invalid-json'; readonly reason: string };

/** Largest JSON document parsed (a real UI workflow with subgraphs is a few MB). */
export const MAX_JSON_CHARS = 64 * 1024 * 1024;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function isApiPrompt(value: unknown): value is ApiPrompt {
  if (!isRecord(value)) return false;
  const nodes = Object.values(value);
  if (nodes.length === 0) return false;
  return nodes.every((node) => isRecord(node) && typeof node.class_type === 'string' && isRecord(node.inputs));
}

export function isUiWorkflow(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && Array.isArray(value.nodes) && (Array.isArray(value.links) || isRecord(value.links) || value.links === undefined);
}

export function classifyValue(value: unknown): JsonClassification {
  if (isApiPrompt(value)) return { kind: 'api-prompt', prompt: value };
  if (isUiWorkflow(value)) return { kind: 'ui-workflow', workflow: value, schema: value.version === 1 ? '1' : '0.4' };
  if (isRecord(value) && 'templates' in value) return { kind: 'template-bundle', value };
  if (Array.isArray(value) && value.length > 0 && value.every((item) => isRecord(item) && 'templates' in item)) {
    return { kind: 'template-bundle', value };
  }
  return { kind: 'unknown', reason: 'JSON is neither an API prompt nor a UI workflow' };
}

/** Parses (tolerating NaN/Infinity, keeping 64-bit seeds exact) and classifies. Never throws. */
export function classifyJsonText(text: string): JsonClassification {
  if (text.length > MAX_JSON_CHARS) return { kind: 'invalid-json', reason: 'JSON document exceeds the size limit' };
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = parseJson(body, { exactIntegers: true });
  } catch (error) {
    return { kind: 'invalid-json', reason: error instanceof Error ? error.message : String(error) };
  }
  return classifyValue(value);
}
