// submit_workflow: a workflow (a file, or JSON given inline; API prompt or editor workflow) checked and queued on a
// named server or on the best one, optionally followed to its end with MCP progress notifications.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { readSource } from '../../cli/submit-commands.js';
import type { NodeProblem } from '../../core/submit/errors.js';
import { prepareSubmission, type PreparedSubmission, type SubmissionSource } from '../../core/submit/prepare.js';
import { submitPrepared } from '../../core/submit/submit.js';
import { MAX_REPEAT } from '../../core/workflow/seeds.js';
import { chooseServer } from '../best-server.js';
import { serverName, serverNamed, type McpContext } from '../mcp-context.js';
import { mcpJob, mcpJobSchema } from '../mcp-job.js';
import { whenReady } from '../server-ready.js';
import { defineTool, ToolError, type ToolCall, type ToolDefinition } from '../tool.js';
import { folderArg } from '../tool-args.js';
import { followJobs } from '../follow-jobs.js';

const DEFAULT_WAIT_SECONDS = 600;

const input = z
  .object({
    workflow_path: folderArg.optional().describe('A workflow file: API or editor JSON, or a PNG, WebP, audio or video file with an embedded workflow.'),
    workflow: z.record(z.string(), z.unknown()).optional().describe('The workflow as JSON: an API prompt, or an editor workflow (converted for the server).'),
    server: z
      .string()
      .trim()
      .min(1)
      .max(2000)
      .default('best')
      .describe('Where to queue it: a server\'s id, name or URL, or "best": an idle server with every node type, model and input file the workflow needs (else the least busy one that has them).'),
    wait: z.boolean().default(false).describe('Follow the queued jobs to their end (progress notifications are sent when the client asks for them).'),
    timeout_seconds: z.number().int().min(1).max(86_400).default(DEFAULT_WAIT_SECONDS).describe('With wait: stop waiting after this long (the jobs keep running).'),
    repeat: z.number().int().min(1).max(MAX_REPEAT).default(1).describe('Queue it this many times.'),
    randomize_seeds: z.boolean().default(false).describe('Fresh seeds for every seed input, per repeat (default: the seeds saved in the workflow).'),
    front: z.boolean().default(false).describe('Queue at the front.'),
    upload_inputs: z.boolean().default(false).describe('Upload the workflow file itself when a LoadImage node needs it and the server lacks it.'),
    force: z.boolean().default(false).describe('Queue even when the check found problems (the server then decides).'),
  })
  .strict()
  .refine((args) => (args.workflow_path === undefined) !== (args.workflow === undefined), { message: 'give either workflow_path or workflow, not both and not neither' });

const problemSchema = z.object({ node_id: z.string().optional(), node_title: z.string().optional(), node_type: z.string().optional(), input: z.string().optional(), message: z.string() });

const output = z.object({
  server_id: z.string(),
  server_name: z.string(),
  /** Why this server, when "best" chose it. */
  chosen_because: z.string().optional(),
  /** The file's own API prompt, or the editor workflow converted for this server. */
  origin: z.enum(['api-prompt', 'converted']),
  prompt_ids: z.array(z.string()),
  /** What the check found (only with force, or input files that were uploaded). */
  preflight: z.array(problemSchema),
  /** Outputs the server dropped while queuing the rest, per prompt. */
  server_warnings: z.array(problemSchema),
  warnings: z.array(z.string()),
  uploaded: z.array(z.object({ from: z.string(), to: z.string() })),
  /** With wait: the jobs as they ended (or stand, when the wait timed out). */
  jobs: z.array(mcpJobSchema).optional(),
  timed_out: z.boolean().optional(),
});

export function submitWorkflowTool(context: McpContext): ToolDefinition {
  return defineTool({
    name: 'submit_workflow',
    title: 'Submit workflow',
    description:
      'Queues a workflow (a file path, or inline JSON; API prompt or editor workflow, converted for the server as its editor would) on a named server or on the best one. ' +
      'It is checked first (node types, models, values, input files, each by node); nothing is queued while a problem remains, unless force. ' +
      'Side effects: new jobs on that server (and with upload_inputs, the file in its input folder). With wait, follows the jobs to their end, sending progress notifications.',
    input,
    output,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    run: async (args, call) => {
      const source: SubmissionSource = args.workflow_path !== undefined ? await readSource(args.workflow_path, 'ARGUMENT_INVALID') : { json: args.workflow, name: 'workflow.json' };
      const prepareOptions = { repeat: args.repeat, randomizeSeeds: args.randomize_seeds, front: args.front };
      const { prepared, reason } = await prepareOn(context, source, args.server, { ...prepareOptions, uploadInputs: args.upload_inputs, force: args.force });
      const { engine } = context;
      const serverId = prepared.serverId;
      const follow = args.wait ? followJobs(engine, serverId) : undefined;
      try {
        const outcome = await submitPrepared(engine, prepared, { uploadInputs: args.upload_inputs, force: args.force }, () => {
          const id = randomUUID();
          follow?.add(id);
          return id;
        });
        const queuedIds = outcome.queued.map((queued) => queued.promptId);
        if (outcome.failed !== undefined) {
          throw new ToolError({
            code: outcome.failed.code,
            message: `${outcome.failed.message} (${queuedIds.length === 0 ? 'nothing was queued' : `${queuedIds.length} of ${prepared.prompts.length} queued`})`,
            problems: outcome.failed.problems,
            details: { server_id: serverId, prompt_ids: queuedIds },
          });
        }
        const answer = {
          server_id: serverId,
          server_name: serverName(engine, serverId),
          ...(reason !== undefined && { chosen_because: reason }),
          origin: prepared.origin,
          prompt_ids: queuedIds,
          preflight: prepared.problems.map(problemView),
          server_warnings: outcome.queued.flatMap((queued) => queued.warnings.map(problemView)),
          warnings: [...prepared.warnings],
          uploaded: outcome.uploaded.map((upload) => ({ ...upload })),
        };
        if (follow === undefined) return { structured: answer };
        follow.keepOnly(queuedIds);
        const ended = await follow.until(args.timeout_seconds * 1000, call.signal, (done, total, message) => report(call, done, total, message));
        return { structured: { ...answer, jobs: ended.jobs.map((job) => mcpJob(job, serverName(engine, job.serverId))), timed_out: !ended.all } };
      } finally {
        follow?.stop();
      }
    },
  });
}

async function prepareOn(
  context: McpContext,
  source: SubmissionSource,
  server: string,
  options: { repeat: number; randomizeSeeds: boolean; front: boolean; uploadInputs: boolean; force: boolean },
): Promise<{ prepared: PreparedSubmission; reason?: string }> {
  if (server.toLowerCase() === 'best') return chooseServer(context, source, options);
  const { engine } = context;
  const view = serverNamed(engine, server);
  const ready = await whenReady(engine, view.id, context.readyTimeoutMs);
  if (!ready.ok) throw new ToolError({ code: ready.code, message: `${ready.message}; nothing was queued` });
  return { prepared: await prepareSubmission(engine, source, view.id, options) };
}

/** Progress over all queued jobs: each counts 100, a running one its share done. */
function report(call: ToolCall, done: number, total: number, message: string): void {
  void call.progress(done, total, message).catch(() => undefined);
}

function problemView(problem: NodeProblem): z.infer<typeof problemSchema> {
  return {
    ...(problem.nodeId !== '' && { node_id: problem.nodeId, node_title: problem.title }),
    ...(problem.classType !== undefined && { node_type: problem.classType }),
    ...(problem.input !== undefined && { input: problem.input }),
    message: problem.message,
  };
}
