// Finds a job by its prompt id on one named server or, when none is named, on every configured server at once: a
// prompt id is unique, so whichever server knows it is the job's. Each server is asked through the engine (its own
// backend, whatever kind), and what the tracker and the journal know stands in for a server that cannot be asked.
import { askingFailed } from '../cli/commands.js';
import { errorCode, errorMessage } from '../core/errors.js';
import type { JobView } from '../shared/app-state.js';
import { serverNamed, type McpContext } from './mcp-context.js';
import { whenReady } from './server-ready.js';

export interface Unreachable {
  readonly server_id: string;
  readonly code: string;
  readonly message: string;
}

export interface JobSearch {
  readonly job: JobView | undefined;
  /** The servers asked, in the order of the settings. */
  readonly searched: readonly string[];
  /** Servers that could not be asked (their answer is what this process knew of them, if anything). */
  readonly unreachable: readonly Unreachable[];
}

export async function findJob(context: McpContext, promptId: string, server?: string): Promise<JobSearch> {
  const { engine } = context;
  const ids = server === undefined ? engine.servers().map((view) => view.id) : [serverNamed(engine, server).id];
  const unreachable: Unreachable[] = [];
  const answers = await Promise.all(
    ids.map(async (serverId): Promise<JobView | undefined> => {
      const known = engine.job(serverId, promptId);
      const ready = await whenReady(engine, serverId, context.readyTimeoutMs);
      if (!ready.ok) {
        unreachable.push({ server_id: serverId, code: ready.code, message: ready.message });
        return known;
      }
      try {
        const asked = await engine.lookupJob(serverId, promptId);
        return asked && withLiveProgress(asked, engine.job(serverId, promptId));
      } catch (error) {
        // Any coded failure of this server (unreachable, refused, a hosted service's own) leaves the others to answer.
        const code = errorCode(error);
        const failure = askingFailed(error) ?? (code === undefined ? undefined : { code, message: errorMessage(error) });
        if (failure === undefined) throw error;
        unreachable.push({ server_id: serverId, ...failure });
        return known;
      }
    }),
  );
  const order = new Map(ids.map((id, index) => [id, index]));
  unreachable.sort((a, b) => (order.get(a.server_id) ?? 0) - (order.get(b.server_id) ?? 0));
  return { job: answers.find((answer) => answer !== undefined), searched: ids, unreachable };
}

/**
 * The server's answer has the queue position and the record; progress only comes live over the socket, which the
 * tracker follows: a running job keeps the tracker's progress.
 */
function withLiveProgress(asked: JobView, tracked: JobView | undefined): JobView {
  if (asked.status !== 'running' || tracked?.status !== 'running' || tracked.progress === undefined) return asked;
  return { ...asked, progress: tracked.progress, ...(tracked.estimatedDurationMs !== undefined && { estimatedDurationMs: tracked.estimatedDurationMs }) };
}
