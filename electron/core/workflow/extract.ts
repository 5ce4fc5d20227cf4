// One entry point for a dropped file: detects the format, reads the embedded metadata and decides what it holds.
// The embedded API `prompt` is preferred by callers; the UI `workflow` is kept for conversion and for extra_pnginfo.
import { DEFAULT_LIMITS, decodeText } from './bytes.js';
import type { Damage, MetadataRead, ReaderLimits } from './bytes.js';
import { MAX_JSON_CHARS, classifyJsonText } from './classify-json.js';
import type { ApiPrompt, JsonClassification } from './classify-json.js';
import { detectFormat } from './detect.js';
import type { FileFormat } from './detect.js';
import type { WorkflowErrorCode } from './errors.js';
import { readPngMetadata } from './png.js';
import { readWebpMetadata } from './webp.js';
import { readerFor } from './readers.js';

export type ExtractResult =
  | {
      readonly kind: 'comfy';
      readonly format: FileFormat;
      readonly prompt?: ApiPrompt;
      readonly workflow?: Record<string, unknown>;
      /** Problems that did not stop extraction (a damaged tail, an unreadable second entry). */
      readonly warnings: readonly string[];
    }
  | { readonly kind: 'not-comfy'; readonly format: FileFormat; readonly reason: 'a1111-parameters' | 'template-bundle'; readonly text?: string }
  | { readonly kind: 'error'; readonly format: FileFormat; readonly code: WorkflowErrorCode; readonly message: string; readonly damage?: Damage };

export function readMetadata(format: FileFormat, bytes: Uint8Array, limits: ReaderLimits = DEFAULT_LIMITS): MetadataRead | undefined {
  if (format === 'png') return readPngMetadata(bytes, limits);
  if (format === 'webp') return readWebpMetadata(bytes, limits);
  return readerFor(format)?.(bytes, limits);
}

/** Never throws: damaged, foreign and oversized files come back as `error` or `not-comfy` results. */
export function extractWorkflow(bytes: Uint8Array, name?: string, limits: ReaderLimits = DEFAULT_LIMITS): ExtractResult {
  const format = detectFormat(bytes, name);
  try {
    if (format === 'json') return fromJson(bytes);
    const read = readMetadata(format, bytes, limits);
    if (read === undefined) {
      return { kind: 'error', format, code: 'WORKFLOW_UNSUPPORTED_FORMAT', message: `${name ?? 'file'} is not a format that carries workflows` };
    }
    return interpret(format, read);
  } catch (error) {
    // Readers are written not to throw; this is the last fence so a reader bug cannot take the app down.
    return { kind: 'error', format, code: 'WORKFLOW_DAMAGED', message: error instanceof Error ? error.message : String(error) };
  }
}

function fromJson(bytes: Uint8Array): ExtractResult {
  if (bytes.length > MAX_JSON_CHARS) return { kind: 'error', format: 'json', code: 'WORKFLOW_TOO_LARGE', message: 'JSON file exceeds the size limit' };
  return fromClassifiedJson(classifyJsonText(decodeText(bytes)));
}

/** A JSON document's classification as an extraction result (files and already-parsed JSON alike). */
export function fromClassifiedJson(classified: JsonClassification): ExtractResult {
  switch (classified.kind) {
    case 'api-prompt':
      return { kind: 'comfy', format: 'json', prompt: classified.prompt, warnings: [] };
    case 'ui-workflow':
      return { kind: 'comfy', format: 'json', workflow: classified.workflow, warnings: [] };
    case 'template-bundle':
      return { kind: 'not-comfy', format: 'json', reason: 'template-bundle' };
    case 'invalid-json':
      return { kind: 'error', format: 'json', code: 'WORKFLOW_INVALID_JSON', message: classified.reason };
    case 'unknown':
      return { kind: 'error', format: 'json', code: 'WORKFLOW_NOT_COMFY', message: classified.reason };
  }
}

/** Turns raw key/value metadata into a prompt and/or workflow. */
export function interpret(format: FileFormat, read: MetadataRead): ExtractResult {
  const warnings: string[] = [];
  if (read.damage !== undefined) warnings.push(`${read.damage.code}: ${read.damage.message}`);
  const promptText = read.entries.prompt;
  const workflowText = read.entries.workflow;
  let prompt: ApiPrompt | undefined;
  let workflow: Record<string, unknown> | undefined;
  if (promptText !== undefined) {
    const classified = classifyJsonText(promptText);
    if (classified.kind === 'api-prompt') prompt = classified.prompt;
    else warnings.push(`embedded prompt is not an API prompt (${classified.kind})`);
  }
  if (workflowText !== undefined) {
    const classified = classifyJsonText(workflowText);
    if (classified.kind === 'ui-workflow') workflow = classified.workflow;
    else if (classified.kind === 'api-prompt' && prompt === undefined) prompt = classified.prompt;
    else warnings.push(`embedded workflow is not a UI workflow (${classified.kind})`);
  }
  if (prompt !== undefined || workflow !== undefined) {
    return { kind: 'comfy', format, ...(prompt === undefined ? {} : { prompt }), ...(workflow === undefined ? {} : { workflow }), warnings };
  }
  const parameters = read.entries.parameters;
  if (parameters !== undefined) return { kind: 'not-comfy', format, reason: 'a1111-parameters', text: parameters };
  if (promptText !== undefined || workflowText !== undefined) {
    return { kind: 'error', format, code: 'WORKFLOW_INVALID_JSON', message: warnings.join('; ') };
  }
  if (read.damage !== undefined) {
    const code: WorkflowErrorCode = read.damage.code === 'TOO_LARGE' ? 'WORKFLOW_TOO_LARGE' : 'WORKFLOW_DAMAGED';
    return { kind: 'error', format, code, message: read.damage.message, damage: read.damage };
  }
  return { kind: 'error', format, code: 'WORKFLOW_NO_METADATA', message: 'the file carries no embedded workflow' };
}
