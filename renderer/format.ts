// Human wording for times, durations and connection states, kept apart from components so it is tested alone.
import type { JobError, ServerKind, ServerView } from '../electron/shared/app-state.js';

export const KIND_NAMES: Readonly<Record<ServerKind, string>> = { comfyui: 'ComfyUI', 'comfy-cloud': 'Comfy Cloud', comfycontrol: 'ComfyControl' };

/** How rows name a job's server: its name, and the service it runs on when that is not a ComfyUI of the user's. */
export function serverLabel(server: Pick<ServerView, 'name' | 'kind'>): string {
  const kind = server.kind ?? 'comfyui';
  return kind === 'comfyui' || server.name === KIND_NAMES[kind] ? server.name : `${server.name} · ${KIND_NAMES[kind]}`;
}

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  if (total < 60) return `${total} s`;
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  if (minutes < 60) return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

// Made once: toLocaleTimeString builds a new formatter per call, about a millisecond each, which a first render of
// the window pays for every row it shows (docs/benchmarks.md §6).
let timeFormat: Intl.DateTimeFormat | undefined;
let dateFormat: Intl.DateTimeFormat | undefined;

/** Time of day for today, date and time otherwise. */
export function formatWhen(at: number, now: number): string {
  const date = new Date(at);
  const time = (timeFormat ??= new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })).format(date);
  return new Date(now).toDateString() === date.toDateString() ? time : `${(dateFormat ??= new Intl.DateTimeFormat(undefined)).format(date)} ${time}`;
}

export function serverStateText(server: ServerView, now: number): string {
  switch (server.state) {
    case 'connected':
      // "Connected, cannot list jobs": live events work, other clients' jobs and catch-up do not.
      if (server.problem) return `Connected, ${server.problem.message.split(':', 1)[0]}`;
      // No socket (a proxy refuses WebSockets): jobs are still seen start and end, without live progress.
      return server.degraded ? 'Connected, following by polling (no WebSocket)' : 'Connected';
    case 'connecting':
      return 'Connecting…';
    case 'reconnecting':
      return server.nextRetryAt !== undefined && server.nextRetryAt > now
        ? `Reconnecting in ${Math.ceil((server.nextRetryAt - now) / 1000)} s`
        : 'Reconnecting…';
    case 'offline':
      return 'Offline';
    case 'auth-failed':
      return AUTH_STATE_TEXT[server.lastError?.code ?? ''] ?? 'Authentication failed';
    case 'incompatible':
      return 'Incompatible server';
  }
}

/** Refusals that are not about a password: what the account or the certificate needs. */
const AUTH_STATE_TEXT: Readonly<Record<string, string>> = {
  CLOUD_NO_CREDITS: 'No credits left',
  CLOUD_SUBSCRIPTION_INACTIVE: 'Subscription not active',
  COMFY_TLS_UNTRUSTED: 'Certificate not trusted',
  COMFY_TLS_FINGERPRINT_MISMATCH: 'Certificate changed',
};

export function errorReport(error: JobError): string {
  const node = error.nodeTitle ?? error.nodeType;
  const where = node ? `${node}${error.nodeType && error.nodeTitle && error.nodeType !== error.nodeTitle ? ` (${error.nodeType})` : ''}` : 'Unknown node';
  return [`${where}${error.nodeId ? ` #${error.nodeId}` : ''}`, `${error.exceptionType}: ${error.message}`, ...(error.hint ? [error.hint] : []), ...error.traceback].join('\n');
}

export function jobTitle(job: { workflowName?: string; outputTitle?: string; id: string }): string {
  return job.workflowName ?? job.outputTitle ?? `Job ${job.id.slice(0, 8)}`;
}

/** A duration said roughly, as people estimate: "less than a minute", "about 3 min", "about 1 h 05 min". */
export function roughly(ms: number): string {
  if (ms < 45_000) return 'less than a minute';
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 60) return `about ${minutes} min`;
  return `about ${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/**
 * How long a running job still needs. The estimate (earlier runs of the same workflow) is the only clue at the start;
 * the job's own progress is a better one as it advances, but early on it is noisy (loading models barely counts as
 * progress while taking real time). So the two are blended, trusting progress in proportion to how far it says the
 * job is: at 10% mostly the estimate, at 90% mostly the progress. Never below zero.
 */
export function remainingMs(estimateMs: number, elapsedMs: number, overall?: number): number {
  // Past the estimate it has nothing more to say (0), rather than pulling the blend below what progress shows.
  const byEstimate = Math.max(0, estimateMs - elapsedMs);
  if (overall === undefined || !(overall > 0) || overall >= 1 || elapsedMs <= 0) return byEstimate;
  const byProgress = (elapsedMs * (1 - overall)) / overall;
  return (1 - overall) * byEstimate + overall * byProgress;
}

/** "about 2 min left", or "finishing…" once the expected time is used up; without an elapsed time, the estimate. */
export function timeLeftText(estimateMs: number, elapsedMs: number | undefined, overall?: number): string {
  if (elapsedMs === undefined) return takesText(estimateMs);
  const left = remainingMs(estimateMs, elapsedMs, overall);
  return left <= 0 ? 'finishing…' : `${roughly(left)} left`;
}

/** For a job that has not started: "takes about 3 min". */
export function takesText(estimateMs: number): string {
  return `takes ${roughly(estimateMs)}`;
}

/** Memory sizes as people read them: "10.2 GB", "512 MB". Binary units, as the OS and ComfyUI count them. */
export function formatBytes(bytes: number): string {
  const gb = bytes / 1024 ** 3;
  if (gb >= 1) return `${gb >= 100 ? Math.round(gb) : gb.toFixed(1)} GB`;
  return `${Math.round(bytes / 1024 ** 2)} MB`;
}

/** A sampler's speed as its own progress bar says it: "12.3 it/s", or "2.40 s/it" when a step takes over a second. */
export function formatRate(stepsPerSecond: number): string {
  if (!(stepsPerSecond > 0)) return '';
  if (stepsPerSecond >= 1) return `${stepsPerSecond >= 10 ? stepsPerSecond.toFixed(1) : stepsPerSecond.toFixed(2)} it/s`;
  return `${(1 / stepsPerSecond).toFixed(2)} s/it`;
}
