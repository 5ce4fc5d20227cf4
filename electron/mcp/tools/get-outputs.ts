// get_outputs: a job's output files, with where each is on this machine (saved by the app, or downloaded by this
// server), and small images inline as MCP image content.
import { z } from 'zod';
import type { OutputRef } from '../../shared/app-state.js';
import { ComfyTrayError } from '../../core/errors.js';
import { OutputImageLoader } from '../../core/outputs/output-image.js';
import { savedKey } from '../../core/outputs/saved-stage.js';
import type { DownloadLog } from '../download-outputs.js';
import { findJob } from '../find-job.js';
import type { McpContext } from '../mcp-context.js';
import { MCP_STATUSES, mcpOutput, mcpOutputSchema, mcpStatus } from '../mcp-job.js';
import { defineTool, type ToolDefinition, type ToolImage } from '../tool.js';
import { promptIdArg, serverArg } from '../tool-args.js';

/** Images larger than this are given by path only: an agent's context is not the place for a 20 MB PNG. */
const DEFAULT_INLINE_BYTES = 1024 * 1024;
const MAX_INLINE_BYTES = 8 * 1024 * 1024;
const MAX_INLINE_IMAGES = 8;

const input = z
  .object({
    prompt_id: promptIdArg,
    server: serverArg.optional(),
    include_images: z.boolean().default(false).describe(`Also return image outputs as image content (at most ${MAX_INLINE_IMAGES}, each at most max_image_bytes).`),
    max_image_bytes: z.number().int().min(1024).max(MAX_INLINE_BYTES).default(DEFAULT_INLINE_BYTES),
  })
  .strict();

const output = z.object({
  prompt_id: z.string(),
  server_id: z.string(),
  status: z.enum(MCP_STATUSES),
  outputs: z.array(
    mcpOutputSchema.extend({
      /** Where the app saved it (still there). */
      saved_path: z.string().optional(),
      /** Where this MCP server downloaded it (get_job_status with a download). */
      downloaded_path: z.string().optional(),
      /** Returned as image content in this answer. */
      inline: z.boolean(),
    }),
  ),
});

export function getOutputsTool(context: McpContext, log: DownloadLog): ToolDefinition {
  return defineTool({
    name: 'get_outputs',
    title: 'Get outputs',
    description:
      'The output files of one job (found on any configured server): every media kind, with the path of each file the Comfy Tray app saved or this server downloaded. ' +
      'With include_images, small images are returned as image content (read from the saved file, else fetched from the server). Reads only; writes nothing.',
    input,
    output,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    run: async (args) => {
      const search = await findJob(context, args.prompt_id, args.server);
      const { job } = search;
      if (!job) throw new ComfyTrayError('COMFY_JOB_NOT_FOUND', `No configured server knows the job ${args.prompt_id}`);
      const saved = await context.appSavedFiles(job.serverId, job.id);
      const loader = new OutputImageLoader({ maxBytes: args.max_image_bytes, concurrency: 2 });
      const backend = context.engine.backend(job.serverId);
      const images: ToolImage[] = [];
      const inline = new Set<OutputRef>();
      if (args.include_images) {
        for (const ref of job.outputs) {
          if (images.length >= MAX_INLINE_IMAGES) break;
          const savedPath = saved.get(savedKey(ref)) ?? log.pathOf(job.serverId, job.id, ref);
          // A server gone away costs the picture, not the answer.
          const image = await loader.load(ref, savedPath, (signal) => backend.fetchOutput(ref, undefined, signal)).catch(() => undefined);
          if (!image) continue;
          images.push({ mimeType: image.mime, bytes: image.bytes });
          inline.add(ref);
        }
      }
      const outputs = job.outputs.map((ref) => {
        const savedPath = saved.get(savedKey(ref));
        const downloaded = log.pathOf(job.serverId, job.id, ref);
        return {
          ...mcpOutput(ref),
          ...(savedPath !== undefined && { saved_path: savedPath }),
          ...(downloaded !== undefined && { downloaded_path: downloaded }),
          inline: inline.has(ref),
        };
      });
      return { structured: { prompt_id: job.id, server_id: job.serverId, status: mcpStatus(job.status), outputs }, images };
    },
  });
}
