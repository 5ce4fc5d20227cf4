// Picks the server a workflow runs best on: prepared (converted and preflighted) for every connected server at once,
// the ones with every node type, model and input file it needs are kept, and among them an idle one wins, else the
// least busy. A server that cannot describe its nodes (a hosted service without /object_info) cannot be checked: it
// is chosen only when no checked server fits.
import { SubmitError, type NodeProblem } from '../core/submit/errors.js';
import { prepareSubmission, type PrepareOptions, type PreparedSubmission, type SubmissionSource } from '../core/submit/prepare.js';
import { errorCode, errorMessage } from '../core/errors.js';
import type { McpContext } from './mcp-context.js';
import { whenReady } from './server-ready.js';

export interface Choice {
  readonly prepared: PreparedSubmission;
  /** Why this server, in one sentence. */
  readonly reason: string;
}

interface Candidate {
  readonly serverId: string;
  readonly name: string;
  readonly order: number;
  readonly prepared?: PreparedSubmission;
  /** What keeps the workflow from running there. */
  readonly problems: readonly NodeProblem[];
  readonly checked: boolean;
  readonly busy: number;
}

export async function chooseServer(
  context: McpContext,
  source: SubmissionSource,
  options: PrepareOptions & { readonly uploadInputs: boolean; readonly force: boolean },
): Promise<Choice> {
  const { engine } = context;
  const candidates = await Promise.all(
    engine.servers().map(async (server, order): Promise<Candidate> => {
      const base = { serverId: server.id, name: server.name, order, checked: false, busy: 0 };
      const ready = await whenReady(engine, server.id, context.readyTimeoutMs);
      if (!ready.ok) return { ...base, problems: [{ nodeId: '', title: '', message: `${server.name}: not connected (${ready.message}) [${ready.code}]` }] };
      const busy = await queueLength(context, server.id);
      try {
        const prepared = await prepareSubmission(engine, source, server.id, options);
        // Input files that came with the workflow count against a server unless they may be uploaded to it.
        const problems = options.uploadInputs ? prepared.blocking : prepared.problems;
        return { ...base, prepared, problems: problems.map((problem) => on(server.name, problem)), checked: engine.backend(server.id).objectInfo !== undefined, busy };
      } catch (error) {
        // The workflow itself is at fault whichever server is asked (not a workflow at all): no server fits.
        if (error instanceof SubmitError && error.code === 'SUBMIT_NOT_A_WORKFLOW') throw error;
        const problems = error instanceof SubmitError && error.problems.length > 0 ? error.problems : [{ nodeId: '', title: '', message: `${errorMessage(error)}${codeOf(error)}` }];
        return { ...base, problems: problems.map((problem) => on(server.name, problem)) };
      }
    }),
  );
  const usable = candidates.filter((candidate) => candidate.prepared !== undefined && (options.force || candidate.problems.length === 0));
  usable.sort((a, b) => a.problems.length - b.problems.length || Number(b.checked) - Number(a.checked) || a.busy - b.busy || a.order - b.order);
  const best = usable[0];
  if (best?.prepared === undefined) {
    throw new SubmitError('SUBMIT_NO_SERVER_FITS', `No connected server has everything the workflow needs; nothing was queued`, {
      problems: candidates.flatMap((candidate) => candidate.problems),
    });
  }
  return { prepared: best.prepared, reason: reasonFor(best) };
}

/** Jobs running and waiting there now, as the server itself lists them (what this process last heard, if it cannot say). */
async function queueLength(context: McpContext, serverId: string): Promise<number> {
  try {
    const active = await context.engine.backend(serverId).listActive();
    return active.running.length + active.pending.length;
  } catch {
    return context.engine.jobs(serverId).filter((job) => job.status === 'pending' || job.status === 'running').length;
  }
}

function reasonFor(best: Candidate): string {
  if (best.problems.length > 0) return `${best.name} has the fewest problems (${best.problems.length}); queued anyway (force)`;
  const load = best.busy === 0 ? 'idle' : `the least busy (${best.busy} job${best.busy === 1 ? '' : 's'} ahead)`;
  if (!best.checked) return `${best.name} is ${load}; it cannot list its node types and models, so the workflow was not checked against it`;
  return `${best.name} is ${load} and has every node type, model and input file the workflow needs`;
}

function on(server: string, problem: NodeProblem): NodeProblem {
  return problem.message.startsWith(`${server}: `) ? problem : { ...problem, message: `${server}: ${problem.message}` };
}

function codeOf(error: unknown): string {
  const code = error instanceof SubmitError ? error.code : errorCode(error);
  return code === undefined ? '' : ` [${code}]`;
}
