// Human wording for times, durations and connection states, kept apart from components so it is tested alone.
import type { JobError, ServerView } from '../electron/shared/app-state.js';

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  if (total < 60) return `${total} s`;
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  if (minutes < 60) return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** Time of day for today, date and time otherwise. */
export function formatWhen(at: number, now: number): string {
  const date = new Date(at);
  const time = date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return new Date(now).toDateString() === date.toDateString() ? time : `${date.toLocaleDateString()} ${time}`;
}

export function serverStateText(server: ServerView, now: number): string {
  switch (server.state) {
    case 'connected':
      return 'Connected';
    case 'connecting':
      return 'Connecting…';
    case 'reconnecting':
      return server.nextRetryAt !== undefined && server.nextRetryAt > now
        ? `Reconnecting in ${Math.ceil((server.nextRetryAt - now) / 1000)} s`
        : 'Reconnecting…';
    case 'offline':
      return 'Offline';
    case 'auth-failed':
      return 'Authentication failed';
    case 'incompatible':
      return 'Incompatible server';
  }
}

export function errorReport(error: JobError): string {
  const node = error.nodeTitle ?? error.nodeType;
  const where = node ? `${node}${error.nodeType && error.nodeTitle && error.nodeType !== error.nodeTitle ? ` (${error.nodeType})` : ''}` : 'Unknown node';
  return [`${where}${error.nodeId ? ` #${error.nodeId}` : ''}`, `${error.exceptionType}: ${error.message}`, ...error.traceback].join('\n');
}

export function jobTitle(job: { workflowName?: string; outputTitle?: string; id: string }): string {
  return job.workflowName ?? job.outputTitle ?? `Job ${job.id.slice(0, 8)}`;
}
