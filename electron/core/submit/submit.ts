// Queues a prepared submission: uploads the input files that came with the drop (when allowed), then one
// POST /prompt per repeat with a client-generated prompt_id. Repeats stop at the first failure and the caller is
// told exactly which were queued (ids) and which failed or were never sent, so nothing is silently half-submitted.
import { randomUUID } from 'node:crypto';
import { errorCode, errorMessage } from '../errors.js';
import type { JobBackend, SubmitRequest, SubmitResult } from '../jobs/backend.js';
import { PromptRejectedError } from '../jobs/backend.js';
import type { ApiPrompt } from '../workflow/classify-json.js';
import { isRecord } from '../workflow/classify-json.js';
import { SubmitError } from './errors.js';
import type { NodeProblem, SubmitErrorCode } from './errors.js';
import { fromFinding } from './prepare.js';
import type { PreparedSubmission } from './prepare.js';
import { textOf } from '../workflow/text-of.js';

/** What queuing needs from the engine; Engine satisfies it. */
export interface SubmitHost {
  backend(serverId: string): JobBackend;
  submit(serverId: string, request: SubmitRequest): Promise<SubmitResult>;
}

export interface SubmitOptions {
  /** Upload missing input files that came with the drop (`prepared.uploadable`). Default false. */
  readonly uploadInputs?: boolean;
  /** Queue even when preflight found problems (the server then decides and answers per node). Default false. */
  readonly force?: boolean;
}

export interface QueuedPrompt {
  readonly index: number;
  readonly promptId: string;
  readonly number?: number;
  /** Outputs the server dropped while queuing the rest (validation warnings). */
  readonly warnings: readonly NodeProblem[];
}

export interface FailedPrompt {
  readonly index: number;
  readonly promptId: string;
  readonly code: SubmitErrorCode;
  readonly message: string;
  readonly problems: readonly NodeProblem[];
}

export interface SubmitOutcome {
  /** True when every repeat was queued. */
  readonly ok: boolean;
  readonly queued: readonly QueuedPrompt[];
  readonly failed: FailedPrompt | undefined;
  /** Indexes of repeats not sent because an earlier one failed. */
  readonly notSent: readonly number[];
  /** Input files uploaded first: name in the file → name on the server. */
  readonly uploaded: readonly { readonly from: string; readonly to: string }[];
}

/**
 * Throws SubmitError (nothing queued) when preflight blocks or an upload fails; otherwise reports per repeat.
 * `newId` is for tests; ids are lowercase UUIDs made here so a retry after a timeout cannot double-queue.
 */
export async function submitPrepared(host: SubmitHost, prepared: PreparedSubmission, options: SubmitOptions = {}, newId: () => string = randomUUID): Promise<SubmitOutcome> {
  const problems = options.uploadInputs === true ? prepared.blocking : [...prepared.blocking, ...missingUploads(prepared)];
  if (problems.length > 0 && options.force !== true) {
    throw new SubmitError('SUBMIT_PREFLIGHT_FAILED', `${problems.length} problem${problems.length === 1 ? '' : 's'} found before queuing; nothing was queued`, { problems });
  }
  const uploaded = options.uploadInputs === true ? await uploadInputs(host.backend(prepared.serverId), prepared) : [];
  const renames = new Map(uploaded.filter((u) => u.from !== u.to).map((u) => [u.from, u.to]));
  const queued: QueuedPrompt[] = [];
  for (const [index, original] of prepared.prompts.entries()) {
    const prompt = renames.size === 0 ? original : renameInputs(original, renames);
    const promptId = newId();
    try {
      const result = await host.submit(prepared.serverId, {
        prompt,
        promptId,
        ...(prepared.workflow !== undefined && { workflow: prepared.workflow }),
        ...(prepared.front && { front: true }),
        ...(prepared.name !== undefined && { label: fileStem(prepared.name) }),
      });
      queued.push({
        index,
        promptId: result.promptId,
        ...(result.number !== undefined && { number: result.number }),
        warnings: result.nodeErrors.flatMap((nodeError) => problemsOf(prompt, nodeError)),
      });
    } catch (error) {
      const failed = failure(index, promptId, prompt, error);
      const notSent = prepared.prompts.map((_, i) => i).filter((i) => i > index);
      return { ok: false, queued, failed, notSent, uploaded };
    }
  }
  return { ok: true, queued, failed: undefined, notSent: [], uploaded };
}

/** Missing input files we could upload but were not allowed to: the server would refuse them just the same. */
function missingUploads(prepared: PreparedSubmission): NodeProblem[] {
  return prepared.preflight.findings
    .filter((finding) => finding.kind === 'missing-input-file' && prepared.uploadable.has(textOf(finding.value, '')))
    .map(fromFinding);
}

async function uploadInputs(backend: JobBackend, prepared: PreparedSubmission): Promise<{ from: string; to: string }[]> {
  if (prepared.uploadable.size === 0) return [];
  const upload = backend.uploadInput?.bind(backend);
  if (upload === undefined) throw new SubmitError('SUBMIT_UPLOAD_FAILED', `${backend.name} does not accept uploaded input files; nothing was queued`);
  const done: { from: string; to: string }[] = [];
  for (const [reference, bytes] of prepared.uploadable) {
    const slash = reference.lastIndexOf('/');
    const subfolder = slash < 0 ? '' : reference.slice(0, slash);
    const filename = reference.slice(slash + 1);
    try {
      const stored = await upload(bytes, filename, subfolder === '' ? {} : { subfolder });
      done.push({ from: reference, to: stored.subfolder === '' ? stored.name : `${stored.subfolder}/${stored.name}` });
    } catch (error) {
      throw new SubmitError('SUBMIT_UPLOAD_FAILED', `Uploading ${reference} to ${backend.name} failed: ${errorMessage(error)}; nothing was queued`, { cause: error });
    }
  }
  return done;
}

/** Points upload-widget values at the names the server gave the uploaded files (keeping a " [input]" annotation). */
function renameInputs(prompt: ApiPrompt, renames: ReadonlyMap<string, string>): ApiPrompt {
  const copy = structuredClone(prompt);
  for (const node of Object.values(copy)) {
    for (const [name, value] of Object.entries(node.inputs)) {
      if (typeof value !== 'string') continue;
      const match = /^(.*?)( \[input\])?$/.exec(value);
      const target = match?.[1] === undefined ? undefined : renames.get(match[1]);
      if (target !== undefined) node.inputs[name] = `${target}${match?.[2] ?? ''}`;
    }
  }
  return copy;
}

function failure(index: number, promptId: string, prompt: ApiPrompt, error: unknown): FailedPrompt {
  if (error instanceof PromptRejectedError) {
    const problems = error.nodeErrors.flatMap((nodeError) => problemsOf(prompt, nodeError));
    return { index, promptId, code: 'SUBMIT_REJECTED', message: error.message, problems };
  }
  const code = errorCode(error);
  return { index, promptId, code: 'SUBMIT_FAILED', message: `${errorMessage(error)}${code === undefined ? '' : ` [${code}]`}`, problems: [] };
}

function problemsOf(prompt: ApiPrompt, nodeError: PromptRejectedError['nodeErrors'][number]): NodeProblem[] {
  const node = prompt[nodeError.nodeId];
  const classType = nodeError.classType ?? node?.class_type;
  const meta = node?._meta;
  const title = (isRecord(meta) && typeof meta.title === 'string' ? meta.title : undefined) ?? classType ?? nodeError.nodeId;
  return nodeError.errors.map((e) => ({
    nodeId: nodeError.nodeId,
    title,
    ...(classType !== undefined && { classType }),
    ...(e.inputName !== undefined && { input: e.inputName }),
    message: e.details === undefined || e.details === '' ? e.message : `${e.message}: ${e.details}`,
  }));
}

/** `portrait.workflow.json` → `portrait.workflow`: the name a user gave the file, for jobs whose workflow has none. */
function fileStem(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}
