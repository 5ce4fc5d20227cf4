// The jobs of a simulated Comfy Cloud account and their documented shapes: jobs API list items and details (times in
// seconds by default, as Cloud's OpenAPI says), the queue in Cloud's item order, and the status endpoint in either
// of its two documented vocabularies.

export type CloudJobState = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface CloudFailure {
  readonly exception_type: string;
  readonly exception_message: string;
  readonly node_id?: string;
  readonly node_type?: string;
}

export interface CloudJob {
  readonly id: string;
  readonly number: number;
  readonly prompt: Record<string, unknown>;
  readonly clientId?: string;
  /** Jobs of another user of the same service: never listed, 403 when asked for. */
  readonly owner: 'me' | 'other';
  state: CloudJobState;
  readonly createdAt: number;
  startedAt?: number;
  endedAt?: number;
  /** Per output node: `{images: [{filename, subfolder, type}]}`. */
  outputs: Record<string, { images: { filename: string; subfolder: string; type: string }[] }>;
  error?: CloudFailure;
  /** A status word the status endpoint says instead of the one the state gives (e.g. `lost`, or an unknown one). */
  statusWord?: string;
  /** Not yet in the jobs API (just submitted, waiting to dispatch): only the status endpoint knows it. */
  unlisted?: boolean;
}

export type TimeUnit = 'seconds' | 'milliseconds';
export type StatusVocabulary = 'openapi' | 'newer';

const JOBS_API_STATUS: Readonly<Record<CloudJobState, string>> = {
  pending: 'pending',
  running: 'in_progress',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
};

const STATUS_WORDS: Readonly<Record<StatusVocabulary, Readonly<Record<CloudJobState, string>>>> = {
  openapi: { pending: 'waiting_to_dispatch', running: 'in_progress', completed: 'completed', failed: 'error', cancelled: 'cancelled' },
  newer: { pending: 'queued_waiting', running: 'executing', completed: 'success', failed: 'non_retryable_error', cancelled: 'cancelled' },
};

export function time(ms: number | undefined, unit: TimeUnit): number | undefined {
  if (ms === undefined) return undefined;
  return unit === 'seconds' ? Math.floor(ms / 1000) : ms;
}

function outputsCount(job: CloudJob): number {
  return Object.values(job.outputs).reduce((n, node) => n + node.images.length, 0);
}

export function listItem(job: CloudJob, unit: TimeUnit): Record<string, unknown> {
  const first = Object.entries(job.outputs)[0];
  return {
    id: job.id,
    status: JOBS_API_STATUS[job.state],
    create_time: time(job.createdAt, unit),
    ...(job.startedAt !== undefined && { execution_start_time: time(job.startedAt, unit) }),
    ...(job.endedAt !== undefined && { execution_end_time: time(job.endedAt, unit) }),
    outputs_count: outputsCount(job),
    ...(first && first[1].images[0] && { preview_output: { ...first[1].images[0], nodeId: first[0], mediaType: 'images' } }),
    ...(job.error && { execution_error: job.error }),
  };
}

export function detail(job: CloudJob, unit: TimeUnit): Record<string, unknown> {
  const ended = job.state === 'completed' || job.state === 'failed' || job.state === 'cancelled';
  return {
    ...listItem(job, unit),
    update_time: time(job.endedAt ?? job.startedAt ?? job.createdAt, unit),
    workflow: { prompt: job.prompt, extra_data: job.clientId === undefined ? {} : { client_id: job.clientId } },
    ...(ended && { outputs: job.outputs }),
    execution_status: { status_str: job.state === 'completed' ? 'success' : job.state === 'failed' ? 'error' : null },
  };
}

export function statusAnswer(job: CloudJob, vocabulary: StatusVocabulary): Record<string, unknown> {
  const at = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());
  return {
    id: job.id,
    status: job.statusWord ?? STATUS_WORDS[vocabulary][job.state],
    created_at: at(job.createdAt),
    updated_at: at(job.endedAt ?? job.startedAt ?? job.createdAt),
    last_state_update: at(job.endedAt ?? job.startedAt ?? job.createdAt),
    assigned_inference: job.state === 'running' ? 'inference-7' : null,
    error_message: job.error?.exception_message ?? null,
  };
}

/** `[job_number, prompt_id, prompt, output_node_ids, metadata]`: indexes 3 and 4 swapped against ComfyUI's. */
export function queueItem(job: CloudJob, unit: TimeUnit): unknown[] {
  const outputNodes = Object.entries(job.prompt)
    .filter(([, node]) => isOutputNode(node))
    .map(([id]) => id);
  return [job.number, job.id, job.prompt, outputNodes, { create_time: time(job.createdAt, unit) }];
}

export function isOutputNode(node: unknown): boolean {
  const type = (node as { class_type?: unknown } | null)?.class_type;
  return type === 'SaveImage' || type === 'SimOutput' || type === 'SimRaise';
}

export const JOBS_API_STATUSES = Object.values(JOBS_API_STATUS);
