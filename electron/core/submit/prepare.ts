// From a dropped file (or already parsed JSON) to the prompts that would be queued on one server: extract, prefer
// the embedded API prompt else convert the UI workflow with the server's /object_info, preflight everything at once,
// then apply the drop options. Nothing here queues anything; see submit.ts.
import { basename } from 'node:path';
import type { JobBackend } from '../jobs/backend.js';
import type { ApiPrompt } from '../workflow/classify-json.js';
import { classifyValue } from '../workflow/classify-json.js';
import { convertWorkflow } from '../workflow/convert.js';
import type { FileFormat } from '../workflow/detect.js';
import { describeNode } from '../workflow/errors.js';
import type { WorkflowError } from '../workflow/errors.js';
import { extractWorkflow, fromClassifiedJson } from '../workflow/extract.js';
import type { ExtractResult } from '../workflow/extract.js';
import type { ObjectInfo } from '../workflow/object-info.js';
import { preflightPrompt } from '../workflow/preflight.js';
import type { PreflightFinding, PreflightReport } from '../workflow/preflight.js';
import { MAX_REPEAT, repeatPrompt } from '../workflow/seeds.js';
import { SubmitError } from './errors.js';
import type { NodeProblem } from './errors.js';
import { textOf } from '../workflow/text-of.js';

/**
 * A file (its bytes, and what was found in it) or already parsed JSON. The app and the CLI read files off the main
 * thread first (WorkflowReader) and pass what that found as `extracted`; without it the bytes are read here.
 */
export type SubmissionSource =
  | { readonly bytes: Uint8Array; readonly name: string; readonly extracted?: ExtractResult }
  | { readonly json: unknown; readonly name?: string };

/** What preparing needs from the engine (Engine satisfies it; one-shot commands wrap a lone backend). */
export interface BackendHost {
  backend(serverId: string): JobBackend;
}

export interface PrepareOptions {
  /** Draw fresh seeds for every seed-controlled input (the editor's "randomize" rule). Default: as saved. */
  readonly randomizeSeeds?: boolean;
  /** Queue the prompt this many times (1..1000). Default 1. */
  readonly repeat?: number;
  /** Queue at the front. */
  readonly front?: boolean;
  /** Other files that came with the drop, by name; the dropped file itself is always a candidate. */
  readonly attachments?: ReadonlyMap<string, Uint8Array>;
  /** Clock for %date:…% tokens; random source for seeds (tests pin both). */
  readonly now?: Date;
  readonly random?: () => number;
}

export interface PreparedSubmission {
  readonly serverId: string;
  readonly name: string | undefined;
  readonly format: FileFormat;
  /** Where the prompt came from: the file's own API prompt, or the UI workflow converted for this server. */
  readonly origin: 'api-prompt' | 'converted';
  /** The prompt with the values saved in the file. */
  readonly prompt: ApiPrompt;
  /** One prompt per repeat (seeds drawn afresh for each when asked). */
  readonly prompts: readonly ApiPrompt[];
  /** The UI workflow, sent as extra_pnginfo.workflow so saved files carry it. */
  readonly workflow: Record<string, unknown> | undefined;
  readonly front: boolean;
  readonly preflight: PreflightReport;
  /** Preflight findings and conversion notes as per-node problems, in graph order. */
  readonly problems: readonly NodeProblem[];
  /** Findings that make the server refuse the prompt (everything but input files that can be uploaded). */
  readonly blocking: readonly NodeProblem[];
  /** Input files the server lacks that came with the drop: name referenced in the prompt → bytes. */
  readonly uploadable: ReadonlyMap<string, Uint8Array>;
  readonly warnings: readonly string[];
}

export async function prepareSubmission(host: BackendHost, source: SubmissionSource, serverId: string, options: PrepareOptions = {}): Promise<PreparedSubmission> {
  const backend = host.backend(serverId);
  const name = source.name;
  const extracted = 'bytes' in source ? (source.extracted ?? extractWorkflow(source.bytes, source.name)) : fromJson(source.json);
  if (extracted.kind === 'not-comfy') {
    const why = extracted.reason === 'a1111-parameters' ? 'holds Automatic1111 parameters, not a ComfyUI workflow' : 'is a template bundle, not one workflow';
    throw new SubmitError('SUBMIT_NOT_A_WORKFLOW', `${name ?? 'The file'} ${why}`);
  }
  if (extracted.kind === 'error') throw new SubmitError('SUBMIT_NOT_A_WORKFLOW', `${name ?? 'The file'}: ${extracted.message} [${extracted.code}]`);

  let info = backend.objectInfo === undefined ? undefined : await backend.objectInfo();
  let prompt: ApiPrompt;
  let origin: PreparedSubmission['origin'];
  if (extracted.prompt !== undefined) {
    prompt = extracted.prompt;
    origin = 'api-prompt';
  } else if (extracted.workflow !== undefined) {
    if (info === undefined) throw new SubmitError('SUBMIT_NO_OBJECT_INFO', `${backend.name} cannot describe its nodes, so the UI workflow cannot be converted`);
    const converted = convertWorkflow(extracted.workflow, info, options.now === undefined ? {} : { now: options.now });
    if (!converted.ok) {
      const problems = converted.errors.map(fromWorkflowError);
      throw new SubmitError('SUBMIT_CONVERSION_FAILED', `${name ?? 'The workflow'} cannot be converted for ${backend.name}`, { problems });
    }
    prompt = converted.prompt;
    origin = 'converted';
  } else {
    throw new SubmitError('SUBMIT_NOT_A_WORKFLOW', `${name ?? 'The file'} carries no workflow`);
  }

  let preflight: PreflightReport = info === undefined ? { ok: true, findings: [], missingNodeTypes: [], missingInputFiles: [] } : preflightPrompt(prompt, info);
  if (preflight.missingInputFiles.length > 0 && backend.objectInfo !== undefined) {
    // Input file lists live in the cached /object_info and go stale as soon as someone uploads: ask again once.
    info = await backend.objectInfo({ refresh: true });
    preflight = preflightPrompt(prompt, info);
  }
  const uploadable = uploadCandidates(preflight.missingInputFiles, source, options.attachments);
  const problems = preflight.findings.map(fromFinding);
  const blocking = preflight.findings.filter((finding) => !(finding.kind === 'missing-input-file' && uploadable.has(textOf(finding.value, '')))).map(fromFinding);
  const repeat = Math.max(1, Math.min(MAX_REPEAT, Math.floor(options.repeat ?? 1)));
  const prompts = repeatPrompt(prompt, repeat, options.randomizeSeeds === true && info !== undefined ? { randomize: seedSource(info, options.random) } : {});
  return {
    serverId,
    name,
    format: extracted.format,
    origin,
    prompt,
    prompts,
    workflow: extracted.workflow,
    front: options.front === true,
    preflight,
    problems,
    blocking,
    uploadable,
    warnings: extracted.warnings,
  };
}

function seedSource(info: ObjectInfo, random: (() => number) | undefined): { info: ObjectInfo; random?: () => number } {
  return random === undefined ? { info } : { info, random };
}

function fromJson(value: unknown): ExtractResult {
  return fromClassifiedJson(classifyValue(value));
}

/** Missing input files we hold the bytes of: the dropped file itself, or an attachment, matched by file name. */
function uploadCandidates(missing: readonly string[], source: SubmissionSource, attachments: ReadonlyMap<string, Uint8Array> | undefined): Map<string, Uint8Array> {
  const held = new Map<string, Uint8Array>();
  for (const [fileName, bytes] of attachments ?? []) held.set(basename(fileName), bytes);
  if ('bytes' in source) held.set(basename(source.name), source.bytes);
  const found = new Map<string, Uint8Array>();
  for (const file of missing) {
    const bytes = held.get(basename(file));
    if (bytes !== undefined) found.set(file, bytes);
  }
  return found;
}

export function fromFinding(finding: PreflightFinding): NodeProblem {
  return {
    nodeId: finding.node.id,
    title: finding.node.title,
    classType: finding.classType,
    ...(finding.node.input !== undefined && { input: finding.node.input }),
    message: finding.message,
  };
}

function fromWorkflowError(error: WorkflowError): NodeProblem {
  const node = error.node;
  if (node === undefined) return { nodeId: '', title: '', message: `${error.message} [${error.code}]` };
  const prefix = `${describeNode(node)}: `;
  const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  return { nodeId: node.id, title: node.title, ...(node.input !== undefined && { input: node.input }), message };
}
