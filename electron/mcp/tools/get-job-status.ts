// get_job_status: one job, found on whichever server knows it, in any state; optionally its outputs downloaded.
import { z } from 'zod';
import { mayBeImage } from '../../core/outputs/image-sniff.js';
import { findJob } from '../find-job.js';
import { downloadOutputs, type DownloadLog } from '../download-outputs.js';
import { serverName, type McpContext } from '../mcp-context.js';
import { MCP_STATUSES, mcpJobSchema, mcpJob } from '../mcp-job.js';
import { defineTool, type ToolDefinition } from '../tool.js';
import { folderArg, promptIdArg, serverArg, unreachableSchema } from '../tool-args.js';

const input = z
  .object({
    prompt_id: promptIdArg,
    server: serverArg.optional(),
    download_images: z.boolean().default(false).describe('Download the job\'s image outputs (not the temporary previews).'),
    download_all_outputs: z.boolean().default(false).describe('Download every output file of the job: images, video, audio, 3D models, latents.'),
    image_save_path: folderArg
      .optional()
      .describe('Folder to download into: inside the app\'s output folder (a relative path is taken there) or a folder the MCP server was started with (--output-dir). Default: the app\'s output folder.'),
  })
  .strict();

const fileSchema = z.object({
  node_id: z.string(),
  index: z.number().int(),
  filename: z.string(),
  path: z.string(),
  size: z.number().int(),
  already_there: z.boolean(),
});

const output = z.object({
  prompt_id: z.string(),
  status: z.enum([...MCP_STATUSES, 'not_found']),
  /** The server the job is on. */
  server_id: z.string().optional(),
  job: mcpJobSchema.optional(),
  /** Servers asked for it. */
  searched_servers: z.array(z.string()),
  /** Servers that could not be asked (a job there may not have been found). */
  unreachable_servers: z.array(unreachableSchema),
  download_folder: z.string().optional(),
  downloaded_files: z.array(fileSchema).optional(),
  download_failures: z.array(z.object({ node_id: z.string(), index: z.number().int(), filename: z.string(), code: z.string(), message: z.string() })).optional(),
});

export function getJobStatusTool(context: McpContext, log: DownloadLog): ToolDefinition {
  return defineTool({
    name: 'get_job_status',
    title: 'Get job status',
    description:
      'Status of one job by its prompt id, on any configured server (all are searched when none is named): queued (with queue position), running (progress and current node), completed, failed (node, exception, message), cancelled, lost, or not_found; with its outputs of every media kind. ' +
      'Reads only, unless download_images or download_all_outputs is set: then it writes the outputs as new files named {prompt_id}_{node}_{index}_{filename} into image_save_path, which must lie inside the app\'s output folder or an --output-dir folder (else OUTPUT_FOLDER_NOT_ALLOWED); it never overwrites a file.',
    input,
    output,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    run: async (args, call) => {
      const downloading = args.download_images || args.download_all_outputs;
      // Refused before anything is asked or fetched.
      const folder = downloading ? await context.roots.folder(args.image_save_path) : undefined;
      const search = await findJob(context, args.prompt_id, args.server);
      const common = { prompt_id: args.prompt_id, searched_servers: [...search.searched], unreachable_servers: [...search.unreachable] };
      const { job } = search;
      if (!job) return { structured: { ...common, status: 'not_found' as const } };
      const view = mcpJob(job, serverName(context.engine, job.serverId));
      if (folder === undefined) return { structured: { ...common, status: view.status, server_id: job.serverId, job: view } };
      const wanted = job.outputs.filter((ref) => ref.type !== 'temp' && (args.download_all_outputs || mayBeImage(ref)));
      const { files, failures } = await downloadOutputs(context.engine.backend(job.serverId), job.id, wanted, folder, { limits: context.limits, signal: call.signal, log });
      return {
        structured: {
          ...common,
          status: view.status,
          server_id: job.serverId,
          job: view,
          download_folder: folder,
          downloaded_files: files,
          ...(failures.length > 0 && { download_failures: failures }),
        },
      };
    },
  });
}
