// The server's view of jobs, from whichever route the server has (/api/jobs, /queue, /history), normalised into
// one shape. Parsing is lenient about extra fields and strict about the ones we use.
import { z } from 'zod';
import type { JobError, OutputRef } from '../../shared/app-state.js';
import { executionErrorSchema, toJobError } from './execution-error.js';
import { jobName, workflowOwnName } from './job-name.js';
import { digestOfListedPrompt, digestOfPrompt, type PromptDigest } from './listed-prompt.js';
import { promptShape, type NodeTable } from './prompt-shape.js';
import { outputsOfJob } from './outputs.js';
import { ListingScanError, scanQueueListing, type ScannedItem, type ScannedListing, type Span } from './queue-listing-scan.js';
import { parseJson } from '../json.js';

export type RemoteStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

export type { NodeInfo, NodeTable } from './prompt-shape.js';

export interface RemoteJob {
  readonly id: string;
  readonly status: RemoteStatus;
  readonly priority?: number;
  /** `extra_data.client_id` of the submitter, when the route tells it. */
  readonly clientId?: string;
  readonly createdAt?: number;
  readonly startedAt?: number;
  readonly endedAt?: number;
  /** Present when the record is authoritative about outputs (history entry, jobs API detail). */
  readonly outputs?: readonly OutputRef[];
  readonly error?: JobError;
  readonly nodes?: NodeTable;
  readonly outputNodeIds?: readonly string[];
  readonly workflowName?: string;
  /** The API prompt and UI workflow as the server stored them (records only; integers above 2^53 as bigint). */
  readonly prompt?: Readonly<Record<string, unknown>>;
  readonly workflow?: unknown;
  /**
   * The workflow signature (workflow-signature.ts), where the record works it out itself: a queue listing reads its
   * prompts without building them (listed-prompt.ts). Other records give `prompt`, and the tracker hashes that.
   */
  readonly signature?: string;
  /**
   * Read from a queue listing: its prompt-derived fields (nodes, name, signature) are the same at every look, so a job
   * that has read them once need not read them again (tracked-job.ts).
   */
  readonly listed?: boolean;
  /** How many nodes the server took from its cache when it ran the job (records that kept `execution_cached`). */
  readonly cachedNodeCount?: number;
}

export interface ActiveJobs {
  readonly running: readonly RemoteJob[];
  /** In execution order. */
  readonly pending: readonly RemoteJob[];
}

const record = z.record(z.string(), z.unknown());
/** A field the app can do without: a `null` or a value of another type counts as absent, never drops the job. */
const optionalNumber = z.number().optional().catch(undefined);
const optionalRecord = record.optional().catch(undefined);

/**
 * Told the field that made the parser leave an item out (once per item), so the backend can report, once per route
 * and field, what the server failed to send.
 */
export type DropReporter = (field: string) => void;

// ---- /queue ---------------------------------------------------------------------------------------------------

const queueItem = z.array(z.unknown()).min(2);
export const queueBodySchema = z.object({ queue_running: z.array(queueItem), queue_pending: z.array(queueItem) });
/** An array, checked without the copy `z.array` makes of it (a listing holds 10,000 items; each is read apart). */
const anyArray = z.custom<readonly unknown[]>((value) => Array.isArray(value), 'expected an array');
const queueEnvelope = z.object({ queue_running: anyArray, queue_pending: anyArray });

function isQueueItem(item: unknown): item is readonly unknown[] {
  return Array.isArray(item) && item.length >= 2;
}

/** `[number, prompt_id, prompt, extra_data, outputs]`; Comfy Cloud swaps the last two. */
export function fromQueueItem(item: readonly unknown[], status: 'pending' | 'running'): RemoteJob | undefined {
  const [number, id, prompt] = item;
  if (typeof id !== 'string') return undefined;
  const cloudOrder = Array.isArray(item[3]);
  const extra = asRecord(cloudOrder ? item[4] : item[3]);
  const outputNodes = cloudOrder ? item[3] : item[4];
  const clientId = typeof extra?.client_id === 'string' ? extra.client_id : undefined;
  const createdAt = typeof extra?.create_time === 'number' ? extra.create_time : undefined;
  const parts = new ParsedParts(asRecord(prompt), workflowOf(extra), Array.isArray(outputNodes) ? outputNodes : undefined);
  return new ListedJob(id, status, typeof number === 'number' ? number : undefined, clientId, createdAt, parts);
}

/** What a queue item holds beyond its fields: read only when asked (see ListedJob). */
interface ListedParts {
  /** The node table, signature and name its prompt gives (listed-prompt.ts). */
  readonly digest: PromptDigest;
  /** The UI workflow stored in extra_data (`extra_pnginfo.workflow`), for the name its client may have given it. */
  readonly workflow: unknown;
  readonly outputNodes: readonly unknown[] | undefined;
}

/** The parts of an item of a parsed body. */
class ParsedParts implements ListedParts {
  private read: PromptDigest | undefined;

  constructor(
    private readonly prompt: Readonly<Record<string, unknown>> | undefined,
    readonly workflow: unknown,
    readonly outputNodes: readonly unknown[] | undefined,
  ) {}

  get digest(): PromptDigest {
    this.read ??= digestOfPrompt(this.prompt);
    return this.read;
  }
}

/**
 * A queue item. Its node table, its name and its output nodes are read from the listing only when asked for (the name
 * once): a queue is listed again at every look, and a job already known (all but the new ones) never asks.
 */
class ListedJob implements RemoteJob {
  readonly listed = true;
  private name: { workflowName?: string } | undefined;

  constructor(
    readonly id: string,
    readonly status: 'pending' | 'running',
    readonly priority: number | undefined,
    readonly clientId: string | undefined,
    readonly createdAt: number | undefined,
    private readonly parts: ListedParts,
  ) {}

  get outputNodeIds(): readonly string[] | undefined {
    return this.parts.outputNodes?.map(String);
  }

  get nodes(): NodeTable | undefined {
    return this.parts.digest.nodes;
  }

  get signature(): string | undefined {
    return this.parts.digest.signature;
  }

  get workflowName(): string | undefined {
    // As jobName orders its sources: the workflow's own name first, then what the prompt says.
    this.name ??= { workflowName: workflowOwnName(this.parts.workflow) ?? this.parts.digest.name };
    return this.name.workflowName;
  }

  withCreatedAt(createdAt: number | undefined): ListedJob {
    return new ListedJob(this.id, this.status, this.priority, this.clientId, createdAt, this.parts);
  }
}

/**
 * The parts of an item of a scanned /queue body (queue-listing-scan.ts), each read from its place in the body when
 * asked for. A job already known reads none; one that is new has its prompt read in place when it fits the template of
 * a workflow met lately, or parsed on its own (listed-prompt.ts). Only the item read last keeps what was read (a job's
 * fields are read one after the other): what a whole listing gives, kept until the look ends, would live long enough
 * for the garbage collector to copy and promote it.
 */
interface ReadParts {
  digest?: PromptDigest;
  workflow?: unknown;
  outputNodes?: readonly unknown[] | undefined;
}
let lastRead: { item: ScannedItem; parsed: ReadParts } | undefined;

class ScannedParts implements ListedParts {
  constructor(
    private readonly text: string,
    private readonly item: ScannedItem,
  ) {}

  get digest(): PromptDigest {
    const parsed = this.parsed();
    const span = this.item.prompt;
    parsed.digest ??= span === undefined ? {} : digestOfListedPrompt(this.text, span.start, span.end);
    return parsed.digest;
  }

  /**
   * Read from extra_data only when the scanner saw it name `extra_pnginfo`: without it no workflow is stored there, and
   * the browser's extra_data is often the largest part of an item.
   */
  get workflow(): unknown {
    const parsed = this.parsed();
    if (!('workflow' in parsed)) parsed.workflow = this.item.extraHasPngInfo ? workflowOf(asRecord(this.value(this.item.extra))) : undefined;
    return parsed.workflow;
  }

  get outputNodes(): readonly unknown[] | undefined {
    const parsed = this.parsed();
    if (!('outputNodes' in parsed)) {
      const value = this.value(this.item.outputs);
      parsed.outputNodes = Array.isArray(value) ? value : undefined;
    }
    return parsed.outputNodes;
  }

  /** What was parsed of this item so far. Keyed by the item, which holds no reference to the body. */
  private parsed(): ReadParts {
    if (lastRead?.item !== this.item) lastRead = { item: this.item, parsed: {} };
    return lastRead.parsed;
  }

  /** One element of the item; one that is not JSON (the scanner only matched its brackets) counts as absent. */
  private value(span: Span | undefined): unknown {
    if (span === undefined) return undefined;
    try {
      return parseJson(this.text.slice(span.start, span.end));
    } catch {
      return undefined;
    }
  }
}

/**
 * The job with another creation time (Comfy Cloud lists seconds). A listed queue item stays a queue item: spreading
 * it would lose its node table and name, which it reads only when asked.
 */
export function withCreatedAt(job: RemoteJob, createdAt: number | undefined): RemoteJob {
  if (job instanceof ListedJob) return job.withCreatedAt(createdAt);
  const { createdAt: _raw, ...rest } = job;
  return createdAt === undefined ? rest : { ...rest, createdAt };
}

export function activeFromQueue(body: unknown, dropped?: DropReporter): ActiveJobs {
  // The envelope through the schema; the items (10,000 on a busy server) by hand, as the schema would copy each. A
  // malformed item fails the whole body, with the schema's own error.
  const parsed = queueEnvelope.parse(body);
  if (!parsed.queue_running.every(isQueueItem) || !parsed.queue_pending.every(isQueueItem)) queueBodySchema.parse(body);
  // A plain loop: flatMap would make a one-item array per item, 10,000 per look.
  const read = (items: readonly unknown[], status: 'pending' | 'running'): RemoteJob[] => {
    const jobs: RemoteJob[] = [];
    for (const item of items) {
      if (!isQueueItem(item)) continue;
      const job = fromQueueItem(item, status);
      if (job) jobs.push(job);
      else dropped?.('the prompt id (item[1])');
    }
    return jobs;
  };
  const running = read(parsed.queue_running, 'running');
  const pending = read(parsed.queue_pending, 'pending');
  return { running, pending: sortByExecutionOrder(pending) };
}

/**
 * `activeFromQueue` for a /queue body still in text: scanned (queue-listing-scan.ts), so that a look builds no prompt
 * but those of jobs new to the app. A body the scanner does not expect is parsed whole by `parseWhole` (the caller's
 * JSON parse, with its errors) and read as before: the scanner only ever makes a look cheaper, never stricter.
 */
export function activeFromQueueText(text: string, parseWhole: (text: string) => unknown, dropped?: DropReporter): ActiveJobs {
  let listing: ScannedListing;
  try {
    listing = scanQueueListing(text);
  } catch (error) {
    if (!(error instanceof ListingScanError)) throw error;
    return activeFromQueue(parseWhole(text), dropped);
  }
  const read = (items: readonly ScannedItem[], status: 'pending' | 'running'): RemoteJob[] => {
    const jobs: RemoteJob[] = [];
    for (const item of items) {
      if (item.id === undefined) {
        dropped?.('the prompt id (item[1])');
        continue;
      }
      jobs.push(new ListedJob(item.id, status, item.number, item.clientId, item.createdAt, new ScannedParts(text, item)));
    }
    return jobs;
  };
  return { running: read(listing.running, 'running'), pending: sortByExecutionOrder(read(listing.pending, 'pending')) };
}

/** The pending list is a binary heap's array: execution order is (priority, prompt id). */
export function sortByExecutionOrder(jobs: readonly RemoteJob[]): RemoteJob[] {
  return [...jobs].sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

// ---- /history ---------------------------------------------------------------------------------------------------

// Strict only where the job's end depends on it: `status_str` says success or error (a wrong type there must not
// turn a failure into a success). Everything else that is not what ComfyUI sends counts as absent.
const historyEntry = z.object({
  prompt: z.array(z.unknown()).optional().catch(undefined),
  outputs: optionalRecord,
  status: z
    .object({
      status_str: z.string().nullable().optional(),
      completed: z.boolean().optional().catch(undefined),
      messages: z.array(z.unknown()).optional().catch(undefined),
    })
    .nullable()
    .optional(),
});
export const historyBodySchema = z.record(z.string(), z.unknown());

/** History entries, oldest first (the server's insertion order). Entries that do not parse are skipped (and told). */
export function fromHistoryBody(body: unknown, dropped?: DropReporter): RemoteJob[] {
  const entries = historyBodySchema.parse(body);
  return Object.entries(entries).flatMap(([id, entry]) => {
    const job = fromHistoryEntry(id, entry);
    if (!job) dropped?.('a usable "status" (status_str)');
    return job ? [job] : [];
  });
}

export function fromHistoryEntry(id: string, entry: unknown): RemoteJob | undefined {
  const parsed = historyEntry.safeParse(entry);
  if (!parsed.success) return undefined;
  const { prompt, outputs, status } = parsed.data;
  const messages = (status?.messages ?? []).filter((m): m is [string, unknown, ...unknown[]] => Array.isArray(m) && typeof m[0] === 'string');
  let startedAt: number | undefined;
  let endedAt: number | undefined;
  let error: JobError | undefined;
  let interrupted = false;
  const cachedNodeCount = cachedCountOf(messages);
  for (const [type, data] of messages) {
    const ts = asRecord(data)?.timestamp;
    if (type === 'execution_start' && typeof ts === 'number') startedAt = ts;
    if (type === 'execution_success' || type === 'execution_error' || type === 'execution_interrupted') {
      if (typeof ts === 'number') endedAt = ts;
    }
    if (type === 'execution_interrupted') interrupted = true;
    if (type === 'execution_error') {
      const e = executionErrorSchema.safeParse(data);
      if (e.success) error = toJobError(e.data);
    }
  }
  // The jobs API's rule: no status at all (very old servers) counts as completed.
  const remoteStatus: RemoteStatus =
    status?.status_str == null || status.status_str === 'success' ? 'completed' : interrupted ? 'cancelled' : 'failed';
  const extra = prompt ? asRecord(prompt[3]) : undefined;
  const clientId = typeof extra?.client_id === 'string' ? extra.client_id : undefined;
  const createdAt = typeof extra?.create_time === 'number' ? extra.create_time : undefined;
  return {
    id,
    status: remoteStatus,
    ...(prompt && typeof prompt[0] === 'number' && { priority: prompt[0] }),
    ...(clientId !== undefined && { clientId }),
    ...(createdAt !== undefined && { createdAt }),
    ...(startedAt !== undefined && { startedAt }),
    ...(endedAt !== undefined && { endedAt }),
    ...(cachedNodeCount !== undefined && { cachedNodeCount }),
    outputs: outputsOfJob(outputs ?? {}),
    ...(error && { error }),
    ...(prompt ? nodeInfoOf(prompt[2]) : {}),
    ...nameOf(prompt?.[2], extra, outputsOfJob(outputs ?? {})),
    ...storedGraphs(prompt?.[2], extra),
  };
}

// ---- /api/jobs --------------------------------------------------------------------------------------------------

const jobsApiItem = z.object({
  id: z.string().min(1),
  status: z.string(),
  priority: optionalNumber,
  create_time: optionalNumber,
  execution_start_time: optionalNumber,
  execution_end_time: optionalNumber,
  execution_error: z.unknown().optional(),
  outputs: z.unknown().optional(),
  workflow: z.object({ prompt: z.unknown().optional(), extra_data: z.unknown().optional() }).partial().optional().catch(undefined),
  // Detail route only: the history entry's status, whose messages say which nodes came from the cache (and, on
  // servers whose jobs API predates the `cancelled` status, that a "failed" job was interrupted).
  execution_status: z.object({ messages: z.array(z.unknown()).optional().catch(undefined) }).partial().optional().catch(undefined),
});
export const jobsListSchema = z.object({
  jobs: anyArray,
  // Only `has_more` is read, and a page shorter than asked ends the reading anyway: a broken total is no reason to
  // refuse the jobs themselves.
  pagination: z.object({ has_more: z.boolean().optional().catch(undefined) }).partial().optional().catch(undefined),
});

const JOBS_API_STATUS = new Map<string, RemoteStatus>([
  ['pending', 'pending'],
  ['in_progress', 'running'],
  ['completed', 'completed'],
  ['failed', 'failed'],
  ['cancelled', 'cancelled'],
]);

export function fromJobsApiItem(item: unknown): RemoteJob | undefined {
  const plain = plainJobsItem(item);
  if (plain !== null) return plain;
  const parsed = jobsApiItem.safeParse(item);
  if (!parsed.success) return undefined;
  const j = parsed.data;
  const listed = JOBS_API_STATUS.get(j.status);
  if (!listed) return undefined;
  // ComfyUI 0.8.0 reports an interrupted job as `failed`; its record's messages tell the truth.
  const status = listed === 'failed' && hasMessage(j.execution_status?.messages, 'execution_interrupted') ? 'cancelled' : listed;
  const errorParsed = j.execution_error === undefined ? undefined : executionErrorSchema.safeParse(j.execution_error);
  const extra = asRecord(j.workflow?.extra_data);
  const clientId = typeof extra?.client_id === 'string' ? extra.client_id : undefined;
  const finished = status === 'completed' || status === 'failed' || status === 'cancelled';
  const cachedNodeCount = cachedCountOf(j.execution_status?.messages ?? []);
  const outputs = finished && j.outputs !== undefined ? outputsOfJob(j.outputs) : undefined;
  return {
    id: j.id,
    status,
    ...(j.priority !== undefined && { priority: j.priority }),
    ...(j.create_time !== undefined && { createdAt: j.create_time }),
    ...(j.execution_start_time !== undefined && { startedAt: j.execution_start_time }),
    ...(j.execution_end_time !== undefined && { endedAt: j.execution_end_time }),
    ...(cachedNodeCount !== undefined && { cachedNodeCount }),
    ...(clientId !== undefined && { clientId }),
    // Only the detail route carries `outputs`; list items are not authoritative about them.
    ...(outputs && { outputs }),
    ...(errorParsed?.success && { error: toJobError(errorParsed.data) }),
    ...(j.workflow?.prompt !== undefined ? nodeInfoOf(j.workflow.prompt) : {}),
    ...nameOf(j.workflow?.prompt, extra, outputs),
    ...storedGraphs(j.workflow?.prompt, extra),
  };
}

/**
 * A list item that carries none of the fields that need the schema (an error, outputs, the workflow, the record's
 * status), read by hand with the same rules: a queue lists 10,000 of them at every look, where the schema cost more
 * than parsing the JSON. Null: not such an item (the schema reads it).
 */
function plainJobsItem(item: unknown): RemoteJob | undefined | null {
  const j = asRecord(item);
  if (!j || j.execution_error !== undefined || j.outputs !== undefined || j.workflow !== undefined || j.execution_status !== undefined) return null;
  const { id, status } = j;
  if (typeof id !== 'string' || id === '' || typeof status !== 'string') return undefined;
  const listed = JOBS_API_STATUS.get(status);
  if (!listed) return undefined;
  const priority = finiteOrUndefined(j.priority);
  const createdAt = finiteOrUndefined(j.create_time);
  const startedAt = finiteOrUndefined(j.execution_start_time);
  const endedAt = finiteOrUndefined(j.execution_end_time);
  const job: { -readonly [K in keyof RemoteJob]: RemoteJob[K] } = { id, status: listed };
  if (priority !== undefined) job.priority = priority;
  if (createdAt !== undefined) job.createdAt = createdAt;
  if (startedAt !== undefined) job.startedAt = startedAt;
  if (endedAt !== undefined) job.endedAt = endedAt;
  return job;
}

/** What `optionalNumber` accepts (zod's numbers are finite), else undefined. */
function finiteOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** `listed` counts the items the server sent, parsable or not: what an offset for the next page must skip. */
export function fromJobsList(body: unknown, dropped?: DropReporter): { jobs: RemoteJob[]; hasMore: boolean; listed: number } {
  const parsed = jobsListSchema.parse(body);
  const jobs = parsed.jobs.flatMap((item) => {
    const job = fromJobsApiItem(item);
    if (!job) dropped?.(missingJobsField(item));
    return job ? [job] : [];
  });
  return { jobs, hasMore: parsed.pagination?.has_more === true, listed: parsed.jobs.length };
}

/** Why a jobs API item could not be used: the field the app depends on that it lacks. */
function missingJobsField(item: unknown): string {
  const fields = asRecord(item);
  if (!fields) return 'a job object';
  if (typeof fields.id !== 'string' || fields.id === '') return '"id"';
  if (typeof fields.status !== 'string') return '"status"';
  return `a known "status" (got ${JSON.stringify(fields.status).slice(0, 40)})`;
}

function hasMessage(messages: readonly unknown[] | undefined, type: string): boolean {
  return (messages ?? []).some((message) => Array.isArray(message) && message[0] === type);
}

// ---- shared -----------------------------------------------------------------------------------------------------

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * Node types and titles from an API prompt, for showing "KSampler (Sampler)" instead of a bare node id. The table is
 * shared with every other job of the same workflow (node-tables.ts): it is frozen.
 */
export function nodeInfoOf(prompt: unknown): { nodes?: NodeTable } {
  const shape = promptShape(prompt);
  return shape ? { nodes: shape.nodes } : {};
}

/** Nodes listed by the run's `execution_cached` message, when the record kept it. */
function cachedCountOf(messages: readonly unknown[]): number | undefined {
  for (const message of messages) {
    if (!Array.isArray(message) || message[0] !== 'execution_cached') continue;
    const nodes = asRecord(message[1])?.nodes;
    return Array.isArray(nodes) ? nodes.length : undefined;
  }
  return undefined;
}

function storedGraphs(prompt: unknown, extra: Record<string, unknown> | undefined): { prompt?: Record<string, unknown>; workflow?: unknown } {
  const graph = asRecord(prompt);
  const workflow = workflowOf(extra);
  return { ...(graph && { prompt: graph }), ...(workflow !== undefined && { workflow }) };
}

/** What to call the job (job-name.ts): the workflow's own name, else its output's filename prefix, its model, its file. */
function nameOf(prompt: unknown, extra: Record<string, unknown> | undefined, outputs?: readonly OutputRef[]): { workflowName?: string } {
  return nameOfWorkflow(prompt, workflowOf(extra), outputs);
}

function nameOfWorkflow(prompt: unknown, workflow: unknown, outputs?: readonly OutputRef[]): { workflowName?: string } {
  // Previews (`temp`) carry the editor's scratch names: only saved files say anything about the job.
  const saved = outputs?.filter((output) => output.type === 'output');
  const name = jobName({ prompt, workflow, ...(saved && { outputs: saved }) });
  return name === undefined ? {} : { workflowName: name.name };
}

/** The UI workflow an extra_data holds (`extra_pnginfo.workflow`). */
function workflowOf(extra: Record<string, unknown> | undefined): unknown {
  return asRecord(extra?.extra_pnginfo)?.workflow;
}
