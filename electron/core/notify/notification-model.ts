// What to say when jobs end, decided by pure functions: one job, a batch, a "while you were away" digest, or a
// drained queue. The shell only shows what these return.
import type { JobView, OutputRef } from '../../shared/app-state.js';
import { firstLine } from '../errors.js';
import type { Settings } from '../store/settings-schema.js';

export type NotificationKind = 'success' | 'failure' | 'cancelled' | 'lost' | 'batch' | 'digest' | 'queue-finished' | 'save-failed' | 'notice';

export interface NotificationContent {
  readonly kind: NotificationKind;
  readonly title: string;
  readonly body: string;
  /** What a click opens: the job in the window (or the list, for summaries). */
  readonly target: { readonly serverId?: string; readonly jobId?: string };
  /** An image output to show as thumbnail; the shell finds its saved file. */
  readonly thumbnail?: { readonly serverId: string; readonly jobId: string; readonly output: OutputRef };
  readonly actions: readonly ('open-image' | 'show-in-folder')[];
  readonly silent: boolean;
}

export interface NotifyContext {
  readonly settings: Settings;
  readonly serverName: (serverId: string) => string;
  readonly now: number;
}

const KIND_OF: Record<JobView['status'], 'success' | 'failure' | 'cancelled' | 'lost' | undefined> = {
  completed: 'success',
  failed: 'failure',
  cancelled: 'cancelled',
  lost: 'lost',
  pending: undefined,
  running: undefined,
};

export function isPaused(settings: Settings, now: number): boolean {
  const until = settings.notifications.pausedUntil;
  return until !== undefined && (until === -1 || until > now);
}

/** Whether this job's ending is worth telling, by the global, per-kind and per-server settings. */
export function wantsNotification(job: JobView, ctx: NotifyContext): boolean {
  const { notifications } = ctx.settings;
  if (!notifications.enabled || isPaused(ctx.settings, ctx.now)) return false;
  const kind = KIND_OF[job.status];
  if (!kind) return false;
  const key = kind === 'success' ? 'success' : kind === 'failure' ? 'failure' : kind;
  const server = ctx.settings.servers.find((s) => s.id === job.serverId);
  return server?.notifications?.[key] ?? notifications.kinds[key];
}

export function jobName(job: JobView): string {
  return job.workflowName ?? job.outputTitle ?? `Job ${job.id.slice(0, 8)}`;
}

export function notificationFor(job: JobView, ctx: NotifyContext): NotificationContent {
  const server = ctx.serverName(job.serverId);
  const silent = !ctx.settings.notifications.sound;
  const target = { serverId: job.serverId, jobId: job.id };
  switch (job.status) {
    case 'completed': {
      const count = job.outputs.length;
      const image = job.outputs.find(isImage);
      return {
        kind: 'success',
        title: jobName(job),
        body: [server, job.durationMs !== undefined ? formatDuration(job.durationMs) : undefined, `${count} ${count === 1 ? 'output' : 'outputs'}`]
          .filter(Boolean)
          .join(' · '),
        target,
        ...(image && { thumbnail: { serverId: job.serverId, jobId: job.id, output: image } }),
        actions: image ? ['open-image', 'show-in-folder'] : count > 0 ? ['show-in-folder'] : [],
        silent,
      };
    }
    case 'failed': {
      const error = job.error;
      const node = error?.nodeTitle ?? error?.nodeType;
      const where = node && error?.nodeType && node !== error.nodeType ? `${node} (${error.nodeType})` : node;
      return {
        kind: 'failure',
        title: `Failed: ${jobName(job)}`,
        body: [where ? `${where}: ${firstLine(error?.message ?? '', 200) || error?.exceptionType}` : firstLine(error?.message ?? 'The job failed', 200), server].join(' · '),
        target,
        actions: [],
        silent,
      };
    }
    case 'cancelled':
      return { kind: 'cancelled', title: `Cancelled: ${jobName(job)}`, body: server, target, actions: [], silent };
    case 'lost':
      return {
        kind: 'lost',
        title: `Lost: ${jobName(job)}`,
        body: job.lostReason === 'server-restarted' ? `${server} restarted; the job is gone.` : `The job vanished from ${server} without a result.`,
        target,
        actions: [],
        silent,
      };
    case 'pending':
    case 'running':
      throw new Error('only finished jobs are notified');
  }
}

/** "18 done, 2 failed on gpu-box": several endings told at once. */
export function summaryFor(jobs: readonly JobView[], ctx: NotifyContext, kind: 'batch' | 'digest' | 'queue-finished'): NotificationContent {
  const servers = [...new Set(jobs.map((job) => job.serverId))];
  const where = servers.length === 1 ? ctx.serverName(servers[0]!) : `${servers.length} servers`;
  const counts = countByStatus(jobs);
  const title = kind === 'digest' ? 'While you were away' : kind === 'queue-finished' ? `Queue finished on ${where}` : `${jobs.length} jobs finished`;
  const failedOnly = jobs.every((job) => job.status === 'failed');
  return {
    kind,
    title,
    body: `${counts}${kind === 'queue-finished' ? '' : ` on ${where}`}`,
    target: servers.length === 1 ? { serverId: servers[0]! } : {},
    actions: [],
    silent: !ctx.settings.notifications.sound || (kind === 'digest' && !failedOnly),
  };
}

export function countByStatus(jobs: readonly JobView[]): string {
  const count = (status: JobView['status']) => jobs.filter((job) => job.status === status).length;
  const parts = [
    [count('completed'), 'done'],
    [count('failed'), 'failed'],
    [count('cancelled'), 'cancelled'],
    [count('lost'), 'lost'],
  ] as const;
  return parts
    .filter(([n]) => n > 0)
    .map(([n, word]) => `${n} ${word}`)
    .join(', ');
}

/** Outputs could not be saved (told once per job; the saver keeps retrying). */
export function saveFailedNotification(
  failure: { serverId: string; jobId: string; code: string; reason: string; pending: number },
  ctx: Pick<NotifyContext, 'serverName' | 'settings'>,
): NotificationContent {
  const files = failure.pending === 1 ? '1 output' : `${failure.pending} outputs`;
  return {
    kind: 'save-failed',
    title: `Could not save ${files}`,
    body: `${firstLine(failure.reason, 200)} · ${ctx.serverName(failure.serverId)} · will retry`,
    target: { serverId: failure.serverId, jobId: failure.jobId },
    actions: [],
    silent: !ctx.settings.notifications.sound,
  };
}

/** Something the user must know about the app itself (a settings file set aside, credentials to re-enter). */
export function noticeFor(message: string): NotificationContent {
  return { kind: 'notice', title: 'Comfy Tray', body: firstLine(message, 300), target: {}, actions: [], silent: true };
}

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

function isImage(ref: OutputRef): boolean {
  return ref.type !== 'temp' && /\.(png|jpe?g|webp|gif|avif)$/i.test(ref.filename);
}
