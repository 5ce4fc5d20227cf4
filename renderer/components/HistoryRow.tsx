// One finished job in the history: the first output's thumbnail, status, duration, server, for a failure the node and
// the message, and the job's actions (copy error, open, show in folder, re-run). Memoised, and it reads its own job
// signal: neither scrolling nor other jobs re-render it.
import { memo } from 'preact/compat';
import type { JobView } from '../../electron/shared/app-state.js';
import { formatDuration, formatWhen, jobTitle } from '../format.js';
import type { JobEntry } from '../models/queue-model.js';
import type { ThumbnailCache } from '../models/thumbnail-cache.js';
import { useServices } from '../services.js';
import { FailureDetails } from './FailureDetails.js';
import { HistoryActions } from './HistoryActions.js';
import { OutputThumbnail } from './OutputThumbnail.js';
import { StatusBadge } from './StatusBadge.js';

function duration(job: JobView): string | undefined {
  if (job.durationMs !== undefined) return formatDuration(job.durationMs);
  if (job.startedAt !== undefined && job.endedAt !== undefined) return formatDuration(job.endedAt - job.startedAt);
  return undefined;
}

function detail(job: JobView): string | undefined {
  if (job.status === 'failed' && job.error) {
    const node = job.error.nodeTitle ?? job.error.nodeType;
    const type = job.error.nodeType && job.error.nodeType !== node ? ` (${job.error.nodeType})` : '';
    const said = `${node ? `${node}${type}: ` : ''}${job.error.exceptionType}: ${job.error.message.trim()}`;
    return job.error.hint ? `${said} — ${job.error.hint}` : said;
  }
  if (job.status === 'lost') return job.lostReason === 'server-restarted' ? 'The server restarted while it waited or ran' : 'The server no longer knows this job';
  return undefined;
}

export interface HistoryRowProps {
  readonly entry: JobEntry;
  readonly serverName: string;
  readonly thumbnails: ThumbnailCache;
  /** Shown inside an open batch. */
  readonly member?: boolean;
}

export const HistoryRow = memo(function HistoryRow({ entry, serverName, thumbnails, member = false }: HistoryRowProps) {
  const { clock, model } = useServices();
  const job = entry.job.value;
  const title = jobTitle(job);
  const took = duration(job);
  const text = detail(job);
  const error = job.status === 'failed' ? job.error : undefined;
  const open = error !== undefined && model.expanded.value.has(entry.key);
  const panelId = `failure-${entry.key.replace(/[^a-zA-Z0-9_-]/g, '_')}`;
  const row = (
    <div class={`row row--${job.status}${member ? ' row--member' : ''}`}>
      {job.status === 'completed' && job.outputs.length > 0 && <OutputThumbnail serverId={job.serverId} jobId={job.id} outputs={job.outputs} title={title} cache={thumbnails} />}
      <div class="row__main">
        <div class="row__title">
          <StatusBadge status={job.status} />
          {job.save?.state === 'failed' && (
            <>
              {' '}
              <span class="badge badge--save-failed">Save failed</span>
            </>
          )}{' '}
          <span class="row__name">{title}</span>
        </div>
        <div class="row__meta">
          {serverName}
          {took && <> · {took}</>}
          {job.endedAt !== undefined && <> · {formatWhen(job.endedAt, clock.now.peek())}</>}
          {job.outputs.length > 0 && <> · {job.outputs.length} output{job.outputs.length === 1 ? '' : 's'}</>}
        </div>
        {text && (
          <div class="row__detail" title={text}>
            {text}
          </div>
        )}
        {job.save?.state === 'failed' && job.save.reason && (
          <div class="row__detail" title={job.save.reason}>
            {job.save.gaveUp ? <>Outputs not saved: {job.save.reason}</> : <>Outputs not saved yet: {job.save.reason} (retrying)</>}
          </div>
        )}
      </div>
      <HistoryActions job={job} {...(error && { details: { open, panelId, toggle: () => model.toggleExpanded(entry.key) } })} />
    </div>
  );
  if (!open || !error) return row;
  return (
    <div class="row-expanded">
      {row}
      <FailureDetails id={panelId} error={error} title={title} />
    </div>
  );
});
