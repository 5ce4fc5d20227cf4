// ComfyControl's two views of a run, parsed at the boundary: the record (`GET /v1/workflow/{id}`) and the stream's
// snapshots (`/subscribe`, each a full status, not a delta). Both become the tracker's RemoteJob; a snapshot's
// outputs (signed `src` URLs) become output references the backend can fetch again.
import { z } from 'zod';
import type { JobError, OutputRef } from '../../../shared/app-state.js';
import { exceptionHint } from '../../comfy/exception-hints.js';
import type { RemoteJob } from '../../comfy/remote-jobs.js';
import { isEnd, runStatus } from './run-status.js';

const text = z.string().nullable().optional();
const count = z.number().int().nullable().optional();

export const runRecordSchema = z.object({
  id: z.string().min(1),
  name: text,
  status: z.string(),
  tags: z.array(z.string()).nullable().optional(),
  prompt_id: text,
  queue_number: count,
  error_node: text,
  exception_type: text,
  exception_message: text,
  created_at: text,
  started_at: text,
  completed_at: text,
});
export type RunRecord = z.infer<typeof runRecordSchema>;

const outputSchema = z.object({ id: z.union([z.string(), z.number()]).transform(String), workflow_id: text, src: z.string().url() });

export const runSnapshotSchema = z.object({
  status: z.string(),
  queue_number: count,
  // Entries that do not parse are dropped one by one rather than losing the snapshot.
  outputs: z
    .array(z.unknown())
    .nullable()
    .optional()
    .transform((list) =>
      (list ?? []).flatMap((entry) => {
        const output = outputSchema.safeParse(entry);
        return output.success ? [output.data] : [];
      }),
    ),
  cause: z.object({ node_type: text, exception_type: text, exception_message: text }).nullable().optional(),
  started_at: text,
  completed_at: text,
});
export type RunSnapshot = z.infer<typeof runSnapshotSchema>;

/** A run output: what the saver names the file, and the signed URL it comes from. */
export interface RunOutput {
  readonly ref: OutputRef;
  readonly src: string;
}

function time(value: string | null | undefined): number | undefined {
  if (value == null) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

function runError(status: string, reason: string | undefined, fields: { node?: string | null; type?: string | null; message?: string | null }): JobError | undefined {
  if (fields.type == null && fields.message == null && reason === undefined) return undefined;
  const exceptionType = fields.type ?? status;
  const hint = exceptionHint(exceptionType);
  return {
    ...(fields.node != null && { nodeType: fields.node }),
    exceptionType,
    message: fields.message ?? reason ?? '',
    traceback: [],
    ...(hint !== undefined && { hint }),
  };
}

const MEDIA: readonly [RegExp, string][] = [
  [/\.(png|jpe?g|webp|gif|avif|bmp|tiff?)$/i, 'images'],
  [/\.(mp4|webm|mov|mkv|avi)$/i, 'video'],
  [/\.(flac|mp3|wav|ogg|opus|m4a)$/i, 'audio'],
  [/\.(glb|gltf|obj|fbx|stl|ply|usdz)$/i, '3d'],
];

/**
 * The file name a signed URL ends with (its query is the signature, never kept in a name). The run's id is the
 * subfolder and the output's id the node, so the reference finds its URL again and names stay apart across runs.
 */
export function runOutputs(runId: string, outputs: RunSnapshot['outputs']): RunOutput[] {
  return outputs.map((output, index) => {
    const path = new URL(output.src).pathname;
    const last = decodeURIComponentSafe(path.slice(path.lastIndexOf('/') + 1));
    const filename = last === '' ? `output-${output.id}` : last;
    const kind = MEDIA.find(([pattern]) => pattern.test(filename))?.[1] ?? 'files';
    return { ref: { nodeId: output.id, kind, index, filename, subfolder: runId, type: 'output' }, src: output.src };
  });
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The record as the tracker reads a job (outputs come from the stream: `outputs` is given when known). */
export function fromRunRecord(record: RunRecord, outputs?: readonly OutputRef[]): RemoteJob {
  const meaning = runStatus(record.status);
  const ended = isEnd(meaning.status);
  const createdAt = time(record.created_at);
  const startedAt = time(record.started_at);
  const endedAt = ended ? time(record.completed_at) : undefined;
  const error = meaning.status === 'failed' ? runError(record.status, meaning.reason, { node: record.error_node, type: record.exception_type, message: record.exception_message }) : undefined;
  return {
    id: record.id,
    status: meaning.status,
    ...(record.queue_number != null && meaning.status === 'pending' && { priority: record.queue_number }),
    ...(createdAt !== undefined && { createdAt }),
    ...(startedAt !== undefined && { startedAt }),
    ...(endedAt !== undefined && { endedAt }),
    ...(record.name != null && record.name.trim() !== '' && { workflowName: record.name.trim().slice(0, 200) }),
    ...(ended && outputs !== undefined && { outputs }),
    ...(error && { error }),
  };
}

/** The error a snapshot's `cause` names (failed runs). */
export function snapshotError(snapshot: RunSnapshot): JobError | undefined {
  const meaning = runStatus(snapshot.status);
  if (meaning.status !== 'failed') return undefined;
  return runError(snapshot.status, meaning.reason, { node: snapshot.cause?.node_type, type: snapshot.cause?.exception_type, message: snapshot.cause?.exception_message });
}

export function snapshotTime(value: string | null | undefined): number | undefined {
  return time(value);
}
