// cancel_job: stops a running job or removes a queued one, on whichever server has it.
import { z } from 'zod';
import { isTerminal } from '../../shared/app-state.js';
import { ComfyTrayError } from '../../core/errors.js';
import { findJob } from '../find-job.js';
import type { McpContext } from '../mcp-context.js';
import { MCP_STATUSES, mcpStatus } from '../mcp-job.js';
import { defineTool, type ToolDefinition } from '../tool.js';
import { promptIdArg, serverArg, unreachableSchema } from '../tool-args.js';

const input = z.object({ prompt_id: promptIdArg, server: serverArg.optional() }).strict();

const output = z.object({
  prompt_id: z.string(),
  server_id: z.string(),
  /** The server stopped or removed it; false when it had already ended (see status). */
  cancelled: z.boolean(),
  /** Its state when asked. */
  status: z.enum(MCP_STATUSES),
  unreachable_servers: z.array(unreachableSchema),
});

export function cancelJobTool(context: McpContext): ToolDefinition {
  return defineTool({
    name: 'cancel_job',
    title: 'Cancel job',
    description:
      'Cancels one job by its prompt id, on whichever configured server has it (or the one named): a running job is interrupted, a queued one removed from the queue. ' +
      'Destructive for that job only; a job that already ended is left as it is (cancelled: false). COMFY_JOB_NOT_FOUND when no server knows the id.',
    input,
    output,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
    run: async (args) => {
      const search = await findJob(context, args.prompt_id, args.server);
      const { job } = search;
      if (!job) {
        const where = search.unreachable.length > 0 ? ` (${search.unreachable.map((u) => u.server_id).join(', ')} could not be asked)` : '';
        throw new ComfyTrayError('COMFY_JOB_NOT_FOUND', `No configured server knows the job ${args.prompt_id}${where}`);
      }
      const base = { prompt_id: job.id, server_id: job.serverId, status: mcpStatus(job.status), unreachable_servers: [...search.unreachable] };
      if (isTerminal(job.status)) return { structured: { ...base, cancelled: false } };
      const cancelled = await context.engine.cancel(job.serverId, job.id);
      // The look at the server that follows a cancel decides what became of the job: the next call sees it ended.
      await context.engine.settled();
      return { structured: { ...base, cancelled } };
    },
  });
}
