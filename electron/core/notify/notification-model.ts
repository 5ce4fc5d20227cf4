// What to say when jobs end, decided by pure functions: one job, a batch, a "while you were away" digest, or a
// drained queue. The shell only shows what these return.
import type { JobView, OutputRef } from '../../shared/app-state.js';
import { firstLine } from '../errors.js';
import { serverSavesOutputs, type Settings } from '../store/settings-schema.js';

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
  return kindSwitchedOn(job, ctx.settings);
}

/** Whether the switch for this job's kind of ending is on: the server's own switch, else the global one. */
export function kindSwitchedOn(job: JobView, settings: Settings): boolean {
  const kind = KIND_OF[job.status];
  if (!kind) return false;
  const server = settings.servers.find((s) => s.id === job.serverId);
  return server?.notifications?.[kind] ?? settings.notifications.kinds[kind];
}

/**
 * Whether the saver is about to put this job's thumbnail image on disk, so its notification is worth holding for
 * it: saving is on for the server and the job has an image the saver keeps.
 */
export function awaitsSavedImage(job: JobView, settings: Settings): boolean {
  if (job.status !== 'completed' || job.save?.state === 'done') return false;
  if (!serverSavesOutputs(settings, settings.servers.find((s) => s.id === job.serverId))) return false;
  return job.outputs.some(isImage);
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

/**
 * "18 done, 2 failed on gpu-box": several endings told at once. Endings on several servers are counted per server
 * ("12 done on gpu-box, 3 done and 1 failed on laptop"), so no count hides where it happened.
 */
export function summaryFor(jobs: readonly JobView[], ctx: NotifyContext, kind: 'batch' | 'digest' | 'queue-finished'): NotificationContent {
  const servers = [...new Set(jobs.map((job) => job.serverId))];
  const single = servers.length === 1 ? servers[0] : undefined;
  const title =
    kind === 'digest'
      ? 'While you were away'
      : kind === 'queue-finished'
        ? `Queue finished on ${single !== undefined ? ctx.serverName(single) : `${servers.length} servers`}`
        : `${jobs.length} jobs finished`;
  const body =
    single !== undefined
      ? `${countByStatus(jobs)}${kind === 'queue-finished' ? '' : ` on ${ctx.serverName(single)}`}`
      : servers.map((id) => `${joinWithAnd(countParts(jobs.filter((job) => job.serverId === id)))} on ${ctx.serverName(id)}`).join(', ');
  const failedOnly = jobs.every((job) => job.status === 'failed');
  return {
    kind,
    title,
    body,
    target: single !== undefined ? { serverId: single } : {},
    actions: [],
    silent: !ctx.settings.notifications.sound || (kind === 'digest' && !failedOnly),
  };
}

export function countByStatus(jobs: readonly JobView[]): string {
  return countParts(jobs).join(', ');
}

/** "3 done", "1 failed"…, in a fixed order, leaving out what did not happen. */
function countParts(jobs: readonly JobView[]): string[] {
  const count = (status: JobView['status']) => jobs.filter((job) => job.status === status).length;
  const parts = [
    [count('completed'), 'done'],
    [count('failed'), 'failed'],
    [count('cancelled'), 'cancelled'],
    [count('lost'), 'lost'],
  ] as const;
  return parts.filter(([n]) => n > 0).map(([n, word]) => `${n} ${word}`);
}

function joinWithAnd(parts: readonly string[]): string {
  return parts.length < 2 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]!}`;
}

export interface SaveFailure {
  readonly serverId: string;
  readonly jobId: string;
  readonly code: string;
  readonly reason: string;
  /** Outputs still missing. */
  readonly pending: number;
}

/** Whether a save failure is worth telling: it is a failure of the server's jobs, so it follows the failure switch. */
export function wantsSaveFailedNotification(serverId: string, ctx: NotifyContext): boolean {
  const { notifications } = ctx.settings;
  if (!notifications.enabled || isPaused(ctx.settings, ctx.now)) return false;
  const server = ctx.settings.servers.find((s) => s.id === serverId);
  return server?.notifications?.failure ?? notifications.kinds.failure;
}

/** Outputs could not be saved (told once per job; the saver keeps retrying). */
export function saveFailedNotification(failure: SaveFailure, ctx: Pick<NotifyContext, 'serverName' | 'settings'>): NotificationContent {
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

/** Several jobs' outputs could not be saved, usually for one reason (a full disk fails every job after it). */
export function saveFailedSummary(failures: readonly SaveFailure[], ctx: Pick<NotifyContext, 'serverName' | 'settings'>): NotificationContent {
  if (failures.length === 1) return saveFailedNotification(failures[0]!, ctx);
  const servers = [...new Set(failures.map((f) => f.serverId))];
  const reasons = new Map<string, number>();
  for (const failure of failures) {
    const reason = shortSaveReason(failure);
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  const why = reasons.size === 1 ? [...reasons.keys()][0]! : [...reasons].map(([reason, n]) => `${reason} (${n})`).join(', ');
  return {
    kind: 'save-failed',
    title: `Could not save outputs of ${failures.length} jobs`,
    body: `${why} · ${servers.map(ctx.serverName).join(', ')} · will retry`,
    target: servers.length === 1 ? { serverId: servers[0]! } : {},
    actions: [],
    silent: !ctx.settings.notifications.sound,
  };
}

/** Words for the saver's error codes: the long messages name each file, which a summary of many jobs cannot. */
const SAVE_REASONS: Record<string, string> = {
  OUTPUT_DISK_FULL: 'disk full',
  OUTPUT_TOO_LARGE: 'file too large',
  OUTPUT_PERMISSION_DENIED: 'permission denied',
  OUTPUT_FOLDER_MISSING: 'output folder missing',
  OUTPUT_NOT_FOUND: 'gone from the server',
  OUTPUT_TRUNCATED: 'download cut short',
  OUTPUT_PATH_ESCAPE: 'unsafe file name',
};

function shortSaveReason(failure: SaveFailure): string {
  return SAVE_REASONS[failure.code] ?? firstLine(failure.reason, 80);
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
