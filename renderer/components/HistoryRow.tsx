// One finished job in the history: status, duration, server, and for a failure the node and the message with a
// Copy error button. Memoised, and it reads its own job signal: neither scrolling nor other jobs re-render it.
import { memo } from 'preact/compat';
import type { JobView } from '../../electron/shared/app-state.js';
import { errorReport, formatDuration, formatWhen, jobTitle } from '../format.js';
import type { JobEntry } from '../models/queue-model.js';
import { useServices } from '../services.js';
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
    return `${node ? `${node}${type}: ` : ''}${job.error.exceptionType}: ${job.error.message.trim()}`;
  }
  if (job.status === 'lost') return job.lostReason === 'server-restarted' ? 'The server restarted while it waited or ran' : 'The server no longer knows this job';
  return undefined;
}

export const HistoryRow = memo(function HistoryRow({ entry, serverName }: { readonly entry: JobEntry; readonly serverName: string }) {
  const { copyText, feedback, clock } = useServices();
  const job = entry.job.value;
  const title = jobTitle(job);
  const took = duration(job);
  const text = detail(job);
  const error = job.error;
  const copy = (): void => {
    if (!error) return;
    void feedback.run('Copying the error…', () => copyText(errorReport(error)), () => 'Error copied to the clipboard');
  };
  return (
    <div class={`row row--${job.status}`}>
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
            Outputs not saved yet: {job.save.reason} (retrying)
          </div>
        )}
      </div>
      {error && (
        <button type="button" class="button" onClick={copy} aria-label={`Copy error of ${title}`}>
          Copy error
        </button>
      )}
    </div>
  );
});
