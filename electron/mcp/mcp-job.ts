// How the MCP tools show a job: the engine's view (whatever kind of server it runs on) in the names an agent reads
// (snake_case, ISO times, "queued" for pending), with the schema the tools publish as their output.
import { z } from 'zod';
import type { JobStatus, JobView, OutputRef } from '../shared/app-state.js';
import { mayBeImage } from '../core/outputs/image-sniff.js';

export const MCP_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled', 'lost'] as const;
export type McpStatus = (typeof MCP_STATUSES)[number];

const STATUS_OF: Readonly<Record<JobStatus, McpStatus>> = {
  pending: 'queued',
  running: 'running',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
  lost: 'lost',
};

export function mcpStatus(status: JobStatus): McpStatus {
  return STATUS_OF[status];
}

export const MEDIA_KINDS = ['image', 'video', 'audio', '3d', 'latent', 'other'] as const;

export const mcpOutputSchema = z.object({
  node_id: z.string(),
  /** The key the node listed the file under (images, gifs, audio, video, 3d, latents, or a custom one). */
  kind: z.string(),
  index: z.number().int(),
  /** The server's name for the file (untrusted: never used as a path as is). */
  filename: z.string(),
  subfolder: z.string(),
  /** output, temp (a preview the server deletes) or input. */
  type: z.string(),
  media: z.enum(MEDIA_KINDS),
  format: z.string().optional(),
  animated: z.boolean().optional(),
});
export type McpOutput = z.infer<typeof mcpOutputSchema>;

export const mcpJobSchema = z.object({
  prompt_id: z.string(),
  server_id: z.string(),
  server_name: z.string(),
  status: z.enum(MCP_STATUSES),
  /** comfy-tray: queued by Comfy Tray (the app, the CLI or this MCP server); other: by anyone else. */
  submitted_by: z.enum(['comfy-tray', 'other']),
  workflow_name: z.string().optional(),
  /** Queued: 1 runs next. */
  queue_position: z.number().int().optional(),
  created_at: z.string().optional(),
  started_at: z.string().optional(),
  ended_at: z.string().optional(),
  duration_ms: z.number().optional(),
  /** Queued or running: how long earlier runs of the same workflow on this server took. */
  estimated_duration_ms: z.number().optional(),
  progress: z
    .object({
      node_id: z.string().optional(),
      node_title: z.string().optional(),
      node_type: z.string().optional(),
      /** Step of the current node (sampler steps...). */
      value: z.number().optional(),
      max: z.number().optional(),
      /** Whole job, 0 to 100. */
      percent: z.number().optional(),
    })
    .optional(),
  error: z
    .object({
      node_id: z.string().optional(),
      node_title: z.string().optional(),
      node_type: z.string().optional(),
      exception_type: z.string(),
      message: z.string(),
    })
    .optional(),
  /** Lost: the server restarted, or the job vanished without a result. */
  lost_reason: z.enum(['server-restarted', 'vanished']).optional(),
  outputs: z.array(mcpOutputSchema),
  /** Saving its outputs, when this server's outputs are saved by the process that followed it. */
  saved: z.object({ state: z.enum(['pending', 'failed', 'done']), files: z.number().int() }).optional(),
});
export type McpJob = z.infer<typeof mcpJobSchema>;

const VIDEO = /\.(mp4|webm|mkv|mov|avi|m4v|gifv)$/i;
const AUDIO = /\.(flac|mp3|wav|ogg|opus|m4a|aac)$/i;
const MODEL_3D = /\.(obj|fbx|gltf|glb|usdz|stl|ply)$/i;
const LATENT = /\.(latent|safetensors)$/i;

/** What kind of media a file is, by the node's key, its format and its name (never by what the server claims to serve). */
export function mediaOf(ref: Pick<OutputRef, 'kind' | 'filename' | 'format'>): (typeof MEDIA_KINDS)[number] {
  if (ref.kind === '3d' || MODEL_3D.test(ref.filename)) return '3d';
  if (ref.kind === 'latents' || LATENT.test(ref.filename)) return 'latent';
  if (ref.kind === 'audio' || /^audio\//i.test(ref.format ?? '') || AUDIO.test(ref.filename)) return 'audio';
  if (ref.kind === 'video' || ref.kind === 'videos' || /^video\//i.test(ref.format ?? '') || VIDEO.test(ref.filename)) return 'video';
  if (mayBeImage(ref)) return 'image';
  return 'other';
}

export function mcpOutput(ref: OutputRef): McpOutput {
  return {
    node_id: ref.nodeId,
    kind: ref.kind,
    index: ref.index,
    filename: ref.filename,
    subfolder: ref.subfolder,
    type: ref.type,
    media: mediaOf(ref),
    ...(ref.format !== undefined && { format: ref.format }),
    ...(ref.animated === true && { animated: true }),
  };
}

export function mcpJob(job: JobView, serverName: string): McpJob {
  const { progress, error } = job;
  return {
    prompt_id: job.id,
    server_id: job.serverId,
    server_name: serverName,
    status: mcpStatus(job.status),
    submitted_by: job.submittedBy === 'this-app' ? 'comfy-tray' : 'other',
    ...(job.workflowName !== undefined && { workflow_name: job.workflowName }),
    ...(job.queuePosition !== undefined && job.status === 'pending' && { queue_position: job.queuePosition }),
    ...time('created_at', job.createdAt),
    ...time('started_at', job.startedAt),
    ...time('ended_at', job.endedAt),
    ...(job.durationMs !== undefined && { duration_ms: job.durationMs }),
    ...(job.estimatedDurationMs !== undefined && { estimated_duration_ms: job.estimatedDurationMs }),
    ...(progress !== undefined &&
      job.status === 'running' && {
        progress: {
          ...(progress.nodeId !== undefined && { node_id: progress.nodeId }),
          ...(progress.nodeTitle !== undefined && { node_title: progress.nodeTitle }),
          ...(progress.nodeType !== undefined && { node_type: progress.nodeType }),
          ...(progress.value !== undefined && { value: progress.value }),
          ...(progress.max !== undefined && { max: progress.max }),
          ...(progress.overall !== undefined && { percent: Math.round(progress.overall * 1000) / 10 }),
        },
      }),
    ...(error !== undefined && {
      error: {
        ...(error.nodeId !== undefined && { node_id: error.nodeId }),
        ...(error.nodeTitle !== undefined && { node_title: error.nodeTitle }),
        ...(error.nodeType !== undefined && { node_type: error.nodeType }),
        exception_type: error.exceptionType,
        message: error.message,
      },
    }),
    ...(job.lostReason !== undefined && { lost_reason: job.lostReason }),
    outputs: job.outputs.map(mcpOutput),
    ...(job.save !== undefined && { saved: { state: job.save.state, files: job.save.files } }),
  };
}

/** A time as ISO text; one that is not a real date (a server's clock gone wrong) is left out, not failed on. */
function time<K extends string>(key: K, ms: number | undefined): Partial<Record<K, string>> {
  if (ms === undefined) return {};
  const date = new Date(ms);
  return Number.isFinite(date.getTime()) ? ({ [key]: date.toISOString() } as Partial<Record<K, string>>) : {};
}
