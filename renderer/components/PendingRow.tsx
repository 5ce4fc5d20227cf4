// One waiting job: its place in the queue, who submitted it and when, and how long it should take.
import { memo } from 'preact/compat';
import type { JobEntry } from '../models/queue-model.js';
import { formatWhen, jobTitle, takesText } from '../format.js';
import { useServices } from '../services.js';
import { CancelButton } from './CancelButton.js';

export const PendingRow = memo(function PendingRow({ entry, serverName }: { readonly entry: JobEntry; readonly serverName: string }) {
  const { clock } = useServices();
  const job = entry.job.value;
  const who = job.submittedBy === 'this-app' ? 'Comfy Tray' : 'another client';
  return (
    <li class="row row--pending">
      <span class="row__position" aria-label={`Position ${job.queuePosition ?? '?'}`}>
        #{job.queuePosition ?? '?'}
      </span>
      <div class="row__main">
        <div class="row__title">{jobTitle(job)}</div>
        <div class="row__meta">
          from {who}
          {job.createdAt !== undefined && <> · {formatWhen(job.createdAt, clock.now.peek())}</>} · {serverName}
          {job.estimatedDurationMs !== undefined && <> · {takesText(job.estimatedDurationMs)}</>}
        </div>
      </div>
      <CancelButton job={job} />
    </li>
  );
});
