// list_servers: every configured server with its health, queue, version and what it can do.
import { z } from 'zod';
import type { McpContext } from '../mcp-context.js';
import { defineTool, type ToolDefinition } from '../tool.js';

const input = z.object({}).strict();

const serverSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** comfyui, comfy-cloud or comfycontrol. */
  kind: z.string(),
  url: z.string(),
  /** connected, connecting, reconnecting, offline, auth-failed or incompatible. */
  state: z.string(),
  version: z.string().optional(),
  /** Jobs the server says are left to run (running and queued). */
  queue_remaining: z.number().int().optional(),
  running: z.number().int(),
  queued: z.number().int(),
  /** Idle: connected, nothing running or queued. */
  idle: z.boolean(),
  capabilities: z.record(z.string(), z.unknown()).optional(),
  /** Connected, but something the app needs keeps failing there (its job lists cannot be read...). */
  problem: z.object({ code: z.string(), message: z.string() }).optional(),
  last_error: z.object({ code: z.string(), message: z.string() }).optional(),
});

const output = z.object({ servers: z.array(serverSchema) });

export function listServersTool(context: McpContext): ToolDefinition {
  return defineTool({
    name: 'list_servers',
    title: 'List servers',
    description: 'Every server Comfy Tray follows: its id and name (for the other tools), URL, connection health, version, queue (running and queued jobs), whether it is idle, and its capabilities. Reads only.',
    input,
    output,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    run: async () => {
      const { engine } = context;
      const servers = engine.servers().map((server) => {
        const jobs = engine.jobs(server.id);
        const running = jobs.filter((job) => job.status === 'running').length;
        const queued = jobs.filter((job) => job.status === 'pending').length;
        const connected = server.state === 'connected';
        return {
          id: server.id,
          name: server.name,
          kind: server.kind ?? 'comfyui',
          url: server.url,
          state: server.state,
          ...(server.version !== undefined && { version: server.version }),
          ...(server.queueRemaining !== undefined && { queue_remaining: server.queueRemaining }),
          running,
          queued,
          idle: connected && running === 0 && queued === 0 && (server.queueRemaining ?? 0) === 0,
          ...(connected && server.capabilities !== undefined && { capabilities: { ...server.capabilities } }),
          ...(connected && server.problem !== undefined && { problem: { code: server.problem.code, message: server.problem.message } }),
          ...(connected && server.problem === undefined && server.degraded !== undefined && { problem: { code: server.degraded.code, message: server.degraded.message } }),
          ...(!connected && server.lastError !== undefined && { last_error: { code: server.lastError.code, message: server.lastError.message } }),
        };
      });
      return { structured: { servers } };
    },
  });
}
