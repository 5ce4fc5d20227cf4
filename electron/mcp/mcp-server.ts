// The MCP protocol side: tools listed with their JSON Schemas, calls validated here (so a bad argument is a tool
// error with the app's code, never a crash nor an uncoded message), answers checked against the published schema, and
// progress sent when the client asked for it. The SDK's low-level Server is used rather than McpServer because
// McpServer answers argument errors itself, without a code.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { createLogger } from '../core/logger.js';
import { argumentFailure, failureOf, failureText, INTERNAL_CODE, type ToolDefinition, type ToolFailure } from './tool.js';

/** Where a failure's code and problems are, for programs (the text says the same for people). */
export const ERROR_META_KEY = 'app.comfytray/error';

const INSTRUCTIONS =
  'Comfy Tray follows every job on every configured ComfyUI server (and hosted services), whoever queued it. ' +
  'Prompt ids are unique across servers: get_job_status, cancel_job and get_outputs find a job without being told its server. ' +
  'Failures carry a stable code in brackets (and in _meta["app.comfytray/error"].code).';

export function createMcpServer(tools: readonly ToolDefinition[], version: string): Server {
  const log = createLogger('MCP');
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const server = new Server({ name: 'comfy-tray', title: 'Comfy Tray', version }, { capabilities: { tools: {} }, instructions: INSTRUCTIONS });
  const listed = tools.map(describeTool);
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listed }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const tool = byName.get(request.params.name);
    // Naming a tool that does not exist is a protocol error (the spec's), not a failure of a tool.
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`);
    const parsed = tool.input.safeParse(request.params.arguments ?? {});
    if (!parsed.success) return failed(argumentFailure(parsed.error));
    const token = request.params._meta?.progressToken;
    let last = Number.NEGATIVE_INFINITY;
    // Notifications go out one after another, and all of them before the answer: a client stops listening for a
    // request's progress once its answer is in, so a last "100 %" sent after it would be lost.
    let sending: Promise<void> = Promise.resolve();
    try {
      const answer = await tool.run(parsed.data, {
        signal: extra.signal,
        progress: (progress, total, message) => {
          // The spec wants each notification's progress larger than the last.
          if (token === undefined || !(progress > last)) return sending;
          last = progress;
          const notification = { method: 'notifications/progress' as const, params: { progressToken: token, progress, ...(total !== undefined && { total }), message } };
          // A notification that could not be sent is not the tool's failure; the next one is still tried.
          sending = sending.then(() => extra.sendNotification(notification)).catch(() => undefined);
          return sending;
        },
      }).finally(() => sending);
      const checked = tool.output.safeParse(answer.structured);
      if (!checked.success) {
        log.error('a tool answered outside its schema', { tool: tool.name, issue: checked.error.issues[0]?.message });
        return failed({ code: INTERNAL_CODE, message: `Comfy Tray's ${tool.name} answered outside its own schema` });
      }
      return {
        structuredContent: checked.data as Record<string, unknown>,
        // For clients that only read text: the same answer as JSON.
        content: [
          { type: 'text', text: JSON.stringify(checked.data) },
          ...(answer.images ?? []).map((image) => ({ type: 'image' as const, mimeType: image.mimeType, data: Buffer.from(image.bytes).toString('base64') })),
        ],
      };
    } catch (error) {
      return failed(failureOf(error, (bug) => log.error('a tool failed', { tool: tool.name, error: bug instanceof Error ? (bug.stack ?? bug.message) : String(bug) })));
    }
  });
  return server;
}

function failed(failure: ToolFailure): CallToolResult {
  return {
    isError: true,
    content: [{ type: 'text', text: failureText(failure) }],
    _meta: {
      [ERROR_META_KEY]: {
        code: failure.code,
        message: failure.message,
        ...(failure.problems !== undefined && { problems: failure.problems }),
        ...(failure.details !== undefined && { details: failure.details }),
      },
    },
  };
}

function describeTool(tool: ToolDefinition): Tool {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: jsonSchema(tool.input, 'input') as Tool['inputSchema'],
    outputSchema: jsonSchema(tool.output, 'output') as NonNullable<Tool['outputSchema']>,
    annotations: { title: tool.title, ...tool.annotations },
  };
}

/** Draft 7, which every MCP client's validator reads; `input` leaves fields with defaults optional. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}
