// The server's view of jobs, from whichever route the server has (/api/jobs, /queue, /history), normalised into
// one shape. Parsing is lenient about extra fields and strict about the ones we use.
import { z } from 'zod';
import type { JobError, OutputRef } from '../../shared/app-state.js';
import { executionErrorSchema, toJobError } from './execution-error.js';
import { jobName } from '../jobs/job-name.js';
import { outputsOfJob } from './outputs.js';

export type RemoteStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface NodeInfo {
  readonly type: string;
  readonly title?: string;
}

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
  readonly nodes?: Readonly<Record<string, NodeInfo>>;
  readonly outputNodeIds?: readonly string[];
  readonly workflowName?: string;
  /** The API prompt and UI workflow as the server stored them (records only; integers above 2^53 as bigint). */
  readonly prompt?: Readonly<Record<string, unknown>>;
  readonly workflow?: unknown;
  /**
   * The prompt as a queue listing carries it, read without exact integers: for its shape (node types, links) only,
   * never to be sent again. Kept by reference, so it costs nothing unless someone reads it.
   */
  readonly listedPrompt?: Readonly<Record<string, unknown>>;
  /** How many nodes the server took from its cache when it ran the job (records that kept `execution_cached`). */
  readonly cachedNodeCount?: number;
}

export interface ActiveJobs {
  readonly running: readonly RemoteJob[];
  /** In execution order. */
  readonly pending: readonly RemoteJob[];
}

const record = z.record(z.string(), z.unknown());

// ---- /queue ---------------------------------------------------------------------------------------------------

const queueItem = z.array(z.unknown()).min(2);
export const queueBodySchema = z.object({ queue_running: z.array(queueItem), queue_pending: z.array(queueItem) });

/** `[number, prompt_id, prompt, extra_data, outputs]`; Comfy Cloud swaps the last two. */
export function fromQueueItem(item: readonly unknown[], status: 'pending' | 'running'): RemoteJob | undefined {
  const [number, id, prompt] = item;
  if (typeof id !== 'string') return undefined;
  const cloudOrder = Array.isArray(item[3]);
  const extra = asRecord(cloudOrder ? item[4] : item[3]);
  const outputNodes = cloudOrder ? item[3] : item[4];
  const clientId = typeof extra?.client_id === 'string' ? extra.client_id : undefined;
  const createdAt = typeof extra?.create_time === 'number' ? extra.create_time : undefined;
  const listedPrompt = asRecord(prompt);
  return {
    id,
    status,
    ...(typeof number === 'number' && { priority: number }),
    ...(clientId !== undefined && { clientId }),
    ...(createdAt !== undefined && { createdAt }),
    ...nodeInfoOf(prompt),
    ...(listedPrompt && { listedPrompt }),
    ...(Array.isArray(outputNodes) && { outputNodeIds: outputNodes.map(String) }),
    ...nameOf(prompt, extra),
  };
}

export function activeFromQueue(body: unknown): ActiveJobs {
  const parsed = queueBodySchema.parse(body);
  const running = parsed.queue_running.flatMap((item) => fromQueueItem(item, 'running') ?? []);
  const pending = parsed.queue_pending.flatMap((item) => fromQueueItem(item, 'pending') ?? []);
  return { running, pending: sortByExecutionOrder(pending) };
}

/** The pending list is a binary heap's array: execution order is (priority, prompt id). */
export function sortByExecutionOrder(jobs: readonly RemoteJob[]): RemoteJob[] {
  return [...jobs].sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

// ---- /history ---------------------------------------------------------------------------------------------------

const historyEntry = z.object({
  prompt: z.array(z.unknown()).optional(),
  outputs: record.optional(),
  status: z
    .object({
      status_str: z.string().optional(),
      completed: z.boolean().optional(),
      messages: z.array(z.tuple([z.string(), z.unknown()]).rest(z.unknown())).optional(),
    })
    .nullable()
    .optional(),
});
export const historyBodySchema = z.record(z.string(), z.unknown());

/** History entries, oldest first (the server's insertion order). Entries that do not parse are skipped. */
export function fromHistoryBody(body: unknown): RemoteJob[] {
  const entries = historyBodySchema.parse(body);
  return Object.entries(entries).flatMap(([id, entry]) => fromHistoryEntry(id, entry) ?? []);
}

export function fromHistoryEntry(id: string, entry: unknown): RemoteJob | undefined {
  const parsed = historyEntry.safeParse(entry);
  if (!parsed.success) return undefined;
  const { prompt, outputs, status } = parsed.data;
  const messages = status?.messages ?? [];
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
    status?.status_str === undefined || status.status_str === 'success' ? 'completed' : interrupted ? 'cancelled' : 'failed';
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
  id: z.string(),
  status: z.string(),
  priority: z.number().optional(),
  create_time: z.number().optional(),
  execution_start_time: z.number().optional(),
  execution_end_time: z.number().optional(),
  execution_error: z.unknown().optional(),
  outputs: z.unknown().optional(),
  workflow: z.object({ prompt: z.unknown().optional(), extra_data: z.unknown().optional() }).partial().optional(),
  // Detail route only: the history entry's status, whose messages say which nodes came from the cache.
  execution_status: z.object({ messages: z.array(z.unknown()).optional() }).partial().optional(),
});
export const jobsListSchema = z.object({
  jobs: z.array(z.unknown()),
  pagination: z.object({ total: z.number().optional(), has_more: z.boolean().optional() }).partial().optional(),
});

const JOBS_API_STATUS: Record<string, RemoteStatus> = {
  pending: 'pending',
  in_progress: 'running',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
};

export function fromJobsApiItem(item: unknown): RemoteJob | undefined {
  const parsed = jobsApiItem.safeParse(item);
  if (!parsed.success) return undefined;
  const j = parsed.data;
  const status = JOBS_API_STATUS[j.status];
  if (!status) return undefined;
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

/** `listed` counts the items the server sent, parsable or not: what an offset for the next page must skip. */
export function fromJobsList(body: unknown): { jobs: RemoteJob[]; hasMore: boolean; listed: number } {
  const parsed = jobsListSchema.parse(body);
  return { jobs: parsed.jobs.flatMap((item) => fromJobsApiItem(item) ?? []), hasMore: parsed.pagination?.has_more === true, listed: parsed.jobs.length };
}

// ---- shared -----------------------------------------------------------------------------------------------------

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Node types and titles from an API prompt, for showing "KSampler (Sampler)" instead of a bare node id. */
export function nodeInfoOf(prompt: unknown): { nodes?: Record<string, NodeInfo> } {
  const graph = asRecord(prompt);
  if (!graph) return {};
  const nodes: Record<string, NodeInfo> = {};
  for (const [id, node] of Object.entries(graph)) {
    const n = asRecord(node);
    if (typeof n?.class_type !== 'string') continue;
    const title = asRecord(n._meta)?.title;
    nodes[id] = typeof title === 'string' ? { type: n.class_type, title } : { type: n.class_type };
  }
  return { nodes };
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
  const workflow = asRecord(extra?.extra_pnginfo)?.workflow;
  return { ...(graph && { prompt: graph }), ...(workflow !== undefined && { workflow }) };
}

/** What to call the job (job-name.ts): the workflow's own name, else its output's filename prefix, its model, its file. */
function nameOf(prompt: unknown, extra: Record<string, unknown> | undefined, outputs?: readonly OutputRef[]): { workflowName?: string } {
  // Previews (`temp`) carry the editor's scratch names: only saved files say anything about the job.
  const saved = outputs?.filter((output) => output.type === 'output');
  const name = jobName({ prompt, workflow: asRecord(extra?.extra_pnginfo)?.workflow, ...(saved && { outputs: saved }) });
  return name === undefined ? {} : { workflowName: name.name };
}
