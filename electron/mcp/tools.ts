// The tools the MCP server offers, in the order clients list them.
import type { DownloadLog } from './download-outputs.js';
import type { McpContext } from './mcp-context.js';
import type { ToolDefinition } from './tool.js';
import { cancelJobTool } from './tools/cancel-job.js';
import { getJobStatusTool } from './tools/get-job-status.js';
import { getOutputsTool } from './tools/get-outputs.js';
import { listJobsTool } from './tools/list-jobs.js';
import { listServersTool } from './tools/list-servers.js';
import { submitWorkflowTool } from './tools/submit-workflow.js';

export function mcpTools(context: McpContext, log: DownloadLog): ToolDefinition[] {
  return [
    getJobStatusTool(context, log),
    listJobsTool(context),
    submitWorkflowTool(context),
    cancelJobTool(context),
    getOutputsTool(context, log),
    listServersTool(context),
  ];
}
