// Comfy Cloud's job records in the one shape the tracker reads: its jobs API (list and detail), its queue (Cloud's
// item order) and its status endpoint. Statuses go through the one table, times become milliseconds.
import { z } from 'zod';
import type { JobError } from '../../../shared/app-state.js';
import { exceptionHint } from '../../comfy/exception-hints.js';
import type { JobsPage } from '../../comfy/jobs-pages.js';
import { fromJobsApiItem, jobsListSchema, activeFromQueue, withCreatedAt, type ActiveJobs, type RemoteJob, type RemoteStatus } from '../../comfy/remote-jobs.js';
import { cloudStatus } from './cloud-status.js';
import { cloudTime } from './cloud-time.js';

/** Our status in the jobs API's own words, so ComfyUI's parser reads a Cloud record. */
const JOBS_API_WORD: Readonly<Record<RemoteStatus, string>> = {
  pending: 'pending',
  running: 'in_progress',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
};

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function failure(exceptionType: string, message: string): JobError {
  const hint = exceptionHint(exceptionType);
  return { exceptionType, message, traceback: [], ...(hint !== undefined && { hint }) };
}

/** A job of the jobs API (list item or detail); undefined when it has no id or status. */
export function fromCloudJob(item: unknown): RemoteJob | undefined {
  const raw = asRecord(item);
  if (!raw || typeof raw.id !== 'string' || typeof raw.status !== 'string') return undefined;
  const meaning = cloudStatus(raw.status);
  const error = asRecord(raw.execution_error);
  const job = fromJobsApiItem({
    ...raw,
    status: JOBS_API_WORD[meaning.status],
    create_time: cloudTime(raw.create_time),
    execution_start_time: cloudTime(raw.execution_start_time),
    execution_end_time: cloudTime(raw.execution_end_time, 'up'),
    // ComfyUI stores the socket's message (with its prompt id); Cloud's record may leave the id out.
    ...(error && { execution_error: { prompt_id: raw.id, ...error } }),
  });
  if (!job || job.error !== undefined || meaning.reason === undefined) return job;
  return { ...job, error: failure(raw.status, meaning.reason) };
}

export function fromCloudJobsList(body: unknown): JobsPage {
  const parsed = jobsListSchema.parse(body);
  return { jobs: parsed.jobs.flatMap((item) => fromCloudJob(item) ?? []), hasMore: parsed.pagination?.has_more === true, listed: parsed.jobs.length };
}

/** `GET /api/queue`: Cloud's items are `[number, id, prompt, output_node_ids, metadata]`, times in seconds. */
export function fromCloudQueue(body: unknown): ActiveJobs {
  const { running, pending } = activeFromQueue(body);
  const inMs = (job: RemoteJob): RemoteJob => withCreatedAt(job, cloudTime(job.createdAt));
  return { running: running.map(inMs), pending: pending.map(inMs) };
}

const statusAnswer = z.object({
  status: z.string(),
  created_at: z.string().nullable().optional(),
  updated_at: z.string().nullable().optional(),
  error_message: z.string().nullable().optional(),
});

/** `GET /api/job/{id}/status` (either documented status set): enough to tell in flight from ended, and why it failed. */
export function fromCloudJobStatus(id: string, body: unknown): RemoteJob {
  const answer = statusAnswer.parse(body);
  const meaning = cloudStatus(answer.status);
  const createdAt = cloudTime(answer.created_at);
  const ended = meaning.status === 'completed' || meaning.status === 'failed' || meaning.status === 'cancelled';
  const endedAt = ended ? cloudTime(answer.updated_at, 'up') : undefined;
  const message = answer.error_message ?? meaning.reason;
  return {
    id,
    status: meaning.status,
    ...(createdAt !== undefined && { createdAt }),
    ...(endedAt !== undefined && { endedAt }),
    ...(meaning.status === 'failed' && { error: failure(answer.status, message ?? 'Comfy Cloud reported that the job failed.') }),
  };
}
