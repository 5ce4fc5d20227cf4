// list_jobs: the jobs of every server (or one), as the Jobs API lists them: filtered by status, sorted by creation
// or duration, one page at a time. Answered from the engine's trackers (live state) and the journal behind them
// (what finished, including while nothing was watching), so it asks no server anything.
import { z } from 'zod';
import type { JobView } from '../../shared/app-state.js';
import { serverName, serverNamed, type McpContext } from '../mcp-context.js';
import { MCP_STATUSES, mcpJob, mcpJobSchema, mcpStatus } from '../mcp-job.js';
import { defineTool, type ToolDefinition } from '../tool.js';
import { serverArg } from '../tool-args.js';

const MAX_LIMIT = 500;

const input = z
  .object({
    status: z.array(z.enum(MCP_STATUSES)).max(MCP_STATUSES.length).optional().describe('Only jobs in these states (default: all).'),
    server: serverArg.optional().describe('Only the jobs of this server: its id, name or URL (default: every server).'),
    sort_by: z.enum(['created', 'duration']).default('created'),
    sort_order: z.enum(['asc', 'desc']).default('desc'),
    offset: z.number().int().min(0).max(1_000_000).default(0),
    limit: z.number().int().min(1).max(MAX_LIMIT).default(50),
  })
  .strict();

const output = z.object({
  jobs: z.array(mcpJobSchema),
  /** Jobs that match, over all pages. */
  total: z.number().int(),
  offset: z.number().int(),
  limit: z.number().int(),
  has_more: z.boolean(),
});

export function listJobsTool(context: McpContext): ToolDefinition {
  return defineTool({
    name: 'list_jobs',
    title: 'List jobs',
    description:
      'Jobs across every configured server (or one): queued, running and finished ones, whoever queued them, as Comfy Tray follows them live and remembers them in its journal. ' +
      'Filter by status and server, sort by created time or duration, page with offset and limit (at most 500). Reads only; asks no server.',
    input,
    output,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    run: async (args) => {
      const { engine } = context;
      const serverId = args.server === undefined ? undefined : serverNamed(engine, args.server).id;
      const wanted = args.status === undefined ? undefined : new Set(args.status);
      const matching = engine.jobs(serverId).filter((job) => wanted === undefined || wanted.has(mcpStatus(job.status)));
      const sorted = matching.sort(compare(args.sort_by, args.sort_order));
      const page = sorted.slice(args.offset, args.offset + args.limit);
      return {
        structured: {
          jobs: page.map((job) => mcpJob(job, serverName(engine, job.serverId))),
          total: sorted.length,
          offset: args.offset,
          limit: args.limit,
          has_more: args.offset + page.length < sorted.length,
        },
      };
    },
  });
}

/**
 * As the Jobs API sorts: jobs without the value (a duration of a job not finished) come last in either order; ties
 * keep a stable order by server and id, so pages do not overlap.
 */
function compare(by: 'created' | 'duration', order: 'asc' | 'desc'): (a: JobView, b: JobView) => number {
  const value = (job: JobView): number | undefined => (by === 'created' ? (job.createdAt ?? job.startedAt ?? job.endedAt) : job.durationMs);
  const sign = order === 'asc' ? 1 : -1;
  return (a, b) => {
    const x = value(a);
    const y = value(b);
    if (x !== undefined && y !== undefined && x !== y) return sign * (x - y);
    if (x === undefined && y !== undefined) return 1;
    if (y === undefined && x !== undefined) return -1;
    return a.serverId === b.serverId ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.serverId < b.serverId ? -1 : 1;
  };
}
