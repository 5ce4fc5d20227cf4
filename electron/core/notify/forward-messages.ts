// What a forwarded notification says: the same titles and bodies as the local notifications (notification-model.ts),
// with the facts a webhook receiver can use (server, job, counts).
import type { JobView, ServerView } from '../../shared/app-state.js';
import type { ForwardEvent } from './forward-settings.js';
import type { ForwardMessage } from './forward-request.js';
import { notificationFor, summaryFor, type NotifyContext } from './notification-model.js';

/** Which forwarding switch a job's ending falls under: a lost job produced nothing either, so it counts as failed. */
export function forwardEventOf(job: JobView): ForwardEvent | undefined {
  if (job.status === 'completed') return 'done';
  if (job.status === 'failed' || job.status === 'lost') return 'failed';
  return undefined;
}

export function jobMessage(job: JobView, ctx: NotifyContext): ForwardMessage {
  const content = notificationFor(job, ctx);
  return {
    kind: job.status === 'completed' ? 'done' : 'failed',
    title: content.title,
    body: content.body,
    at: job.endedAt ?? ctx.now,
    server: { id: job.serverId, name: ctx.serverName(job.serverId) },
    job: {
      id: job.id,
      status: job.status,
      ...(job.workflowName !== undefined && { workflowName: job.workflowName }),
      ...(job.durationMs !== undefined && { durationMs: job.durationMs }),
      outputs: job.outputs.length,
    },
  };
}

/** Several endings told at once ("18 done, 2 failed on gpu-box"), or a server's queue that drained. */
export function summaryMessage(jobs: readonly JobView[], ctx: NotifyContext, kind: 'batch' | 'digest' | 'queue-finished'): ForwardMessage {
  const content = summaryFor(jobs, ctx, kind);
  const servers = [...new Set(jobs.map((job) => job.serverId))];
  const counts: Record<string, number> = {};
  for (const job of jobs) counts[job.status] = (counts[job.status] ?? 0) + 1;
  const failed = jobs.some((job) => job.status === 'failed' || job.status === 'lost');
  return {
    kind: kind === 'queue-finished' ? 'queue-finished' : failed ? 'failed' : 'done',
    title: content.title,
    body: content.body,
    at: ctx.now,
    ...(servers.length === 1 && { server: { id: servers[0]!, name: ctx.serverName(servers[0]!) } }),
    counts,
  };
}

export function offlineMessage(server: ServerView, now: number): ForwardMessage {
  const why = server.lastError ? ` (${server.lastError.message})` : '';
  return {
    kind: 'server-offline',
    title: `${server.name} is offline`,
    body: `Comfy Tray cannot reach ${server.name}${why}; it keeps trying.`,
    at: now,
    server: { id: server.id, name: server.name },
  };
}

export function testMessage(targetName: string, now: number): ForwardMessage {
  return { kind: 'test', title: 'Comfy Tray test', body: `Forwarding to ${targetName} works.`, at: now };
}
