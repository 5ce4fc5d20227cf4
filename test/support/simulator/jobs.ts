// The /api/jobs view (comfy_execution/jobs.py as shipped in 0.28.0): computed from queue + history per request.
import { isRecord } from './json.js';
import type { HistoryEntry, JsonObject, QueueItem, SimJobsApi } from './types.js';

export const JOB_STATUSES = ['pending', 'in_progress', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** The statuses each /api/jobs generation knows (ComfyUI 0.8.0 had no `cancelled`). */
export function jobStatusesOf(flavour: SimJobsApi): readonly JobStatus[] {
  return flavour === 'v0.8' ? JOB_STATUSES.filter((status) => status !== 'cancelled') : JOB_STATUSES;
}

const PREVIEWABLE = new Set(['images', 'video', 'audio', '3d', 'text']);
const THREE_D = ['.obj', '.fbx', '.gltf', '.glb', '.usdz'];
const TEXT_EXT = ['.txt', '.md', '.json'];

export type Job = Record<string, unknown>;

function prune(record: Record<string, unknown>): Job {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== null && v !== undefined));
}

function metadata(extra: JsonObject): { createTime: unknown; workflowId: unknown } {
  const pnginfo = isRecord(extra.extra_pnginfo) ? extra.extra_pnginfo : {};
  const workflow = isRecord(pnginfo.workflow) ? pnginfo.workflow : {};
  return { createTime: extra.create_time, workflowId: workflow.id };
}

function normalizeItem(item: unknown): unknown {
  if (typeof item === 'string') {
    return THREE_D.some((ext) => item.toLowerCase().endsWith(ext)) ? { filename: item, type: 'output', subfolder: '', mediaType: '3d' } : null;
  }
  return isRecord(item) ? item : null;
}

function isPreviewable(mediaType: string, item: JsonObject): boolean {
  if (PREVIEWABLE.has(mediaType)) return true;
  const fmt = typeof item.format === 'string' ? item.format : '';
  if (fmt.startsWith('video/') || fmt.startsWith('audio/')) return true;
  const name = typeof item.filename === 'string' ? item.filename.toLowerCase() : '';
  return THREE_D.some((e) => name.endsWith(e)) || TEXT_EXT.some((e) => name.endsWith(e));
}

function textPreview(value: string): JsonObject {
  return value.length <= 1024 ? { content: value } : { content: value.slice(0, 1024), truncated: true };
}

/** get_outputs_summary: (count, preview_output). */
export function outputsSummary(outputs: Record<string, unknown>): [number, JsonObject | undefined] {
  let count = 0;
  let preview: JsonObject | undefined;
  let fallback: JsonObject | undefined;
  for (const [nodeId, nodeOutputs] of Object.entries(outputs)) {
    if (!isRecord(nodeOutputs)) continue;
    for (const [mediaType, items] of Object.entries(nodeOutputs)) {
      if (mediaType === 'animated' || !Array.isArray(items)) continue;
      for (const raw of items) {
        let item: JsonObject;
        if (!isRecord(raw)) {
          const normalized = normalizeItem(raw);
          if (!isRecord(normalized)) {
            if (mediaType === 'text' && preview === undefined && fallback === undefined && raw !== null) {
              fallback = { ...textPreview(String(raw)), nodeId, mediaType };
            }
            continue;
          }
          item = normalized;
        } else item = raw;
        count++;
        if (preview !== undefined || !isPreviewable(mediaType, item)) continue;
        const enriched: JsonObject = { ...item, nodeId };
        if (!Object.hasOwn(item, 'mediaType')) enriched.mediaType = mediaType;
        if (item.type === 'output') preview = enriched;
        else fallback ??= enriched;
      }
    }
  }
  return [count, preview ?? fallback];
}

function normalizeOutputs(outputs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [nodeId, nodeOutputs] of Object.entries(outputs)) {
    if (!isRecord(nodeOutputs)) {
      out[nodeId] = nodeOutputs;
      continue;
    }
    const node: Record<string, unknown> = {};
    for (const [mediaType, items] of Object.entries(nodeOutputs)) {
      node[mediaType] =
        mediaType === 'animated' || !Array.isArray(items) ? items : items.filter((i) => i !== null).map((i) => normalizeItem(i) ?? i);
    }
    out[nodeId] = node;
  }
  return out;
}

export function queueJob(item: QueueItem, status: 'pending' | 'in_progress'): Job {
  const { createTime, workflowId } = metadata(item.extraData);
  return prune({ id: item.promptId, status, priority: item.number, create_time: createTime, outputs_count: 0, workflow_id: workflowId });
}

export function historyJob(promptId: string, entry: HistoryEntry, includeOutputs: boolean, flavour: SimJobsApi = 'v0.28'): Job {
  const [priority, , prompt, extraData] = entry.prompt;
  const { createTime, workflowId } = metadata(extraData);
  const status = entry.status;
  let start: unknown;
  let end: unknown;
  let error: unknown;
  let interrupted = false;
  for (const message of status.messages) {
    const [event, data] = message;
    if (event === 'execution_start') start = data.timestamp;
    else if (event === 'execution_success' || event === 'execution_error' || event === 'execution_interrupted') {
      end = data.timestamp;
      if (event === 'execution_error') error = data;
      if (event === 'execution_interrupted') interrupted = true;
    }
  }
  const jobStatus: JobStatus = status.status_str === 'error' ? (interrupted && flavour !== 'v0.8' ? 'cancelled' : 'failed') : 'completed';
  const [count, preview] = outputsSummary(entry.outputs);
  const job = prune({
    id: promptId,
    status: jobStatus,
    priority,
    create_time: createTime,
    execution_start_time: start,
    execution_end_time: end,
    execution_error: error,
    outputs_count: count,
    preview_output: preview,
    workflow_id: workflowId,
  });
  if (includeOutputs) {
    job.outputs = normalizeOutputs(entry.outputs);
    job.execution_status = status;
    job.workflow = { prompt, extra_data: extraData };
  }
  return job;
}

export interface JobsQuery {
  statuses: readonly JobStatus[];
  workflowId: string | undefined;
  sortBy: 'created_at' | 'execution_duration';
  sortOrder: 'asc' | 'desc';
  limit: number | undefined;
  offset: number;
}

export function listJobs(running: QueueItem[], pending: QueueItem[], history: [string, HistoryEntry][], query: JobsQuery, flavour: SimJobsApi = 'v0.28'): [Job[], number] {
  let jobs: Job[] = [];
  if (query.statuses.includes('in_progress')) jobs.push(...running.map((i) => queueJob(i, 'in_progress')));
  if (query.statuses.includes('pending')) jobs.push(...pending.map((i) => queueJob(i, 'pending')));
  const wanted = query.statuses.filter((s) => s === 'completed' || s === 'failed' || s === 'cancelled');
  if (wanted.length > 0) {
    for (const [id, entry] of history) {
      const job = historyJob(id, entry, false, flavour);
      if ((wanted as readonly string[]).includes(String(job.status))) jobs.push(job);
    }
  }
  if (query.workflowId) jobs = jobs.filter((j) => j.workflow_id === query.workflowId);
  const key = (job: Job): number => {
    if (query.sortBy === 'execution_duration') {
      const s = typeof job.execution_start_time === 'number' ? job.execution_start_time : 0;
      const e = typeof job.execution_end_time === 'number' ? job.execution_end_time : 0;
      return s && e ? e - s : 0;
    }
    return typeof job.create_time === 'number' ? job.create_time : 0;
  };
  jobs.sort((a, b) => (query.sortOrder === 'desc' ? key(b) - key(a) : key(a) - key(b)));
  const total = jobs.length;
  if (query.offset > 0) jobs = jobs.slice(query.offset);
  if (query.limit !== undefined) jobs = jobs.slice(0, query.limit);
  return [jobs, total];
}

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isCanonicalUuid(value: unknown): value is string {
  return typeof value === 'string' && CANONICAL_UUID.test(value);
}
