// The running job, large: overall progress, the node running now, its step and the elapsed time. Reads its own job
// signal, so progress patches re-render this card and nothing else.
import type { JobEntry } from '../models/queue-model.js';
import { formatDuration, jobTitle } from '../format.js';
import { useServices } from '../services.js';
import { CancelButton } from './CancelButton.js';
import { ProgressBar } from './ProgressBar.js';

export function RunningJob({ entry, serverName }: { readonly entry: JobEntry; readonly serverName: string }) {
  const { clock } = useServices();
  const job = entry.job.value;
  const progress = job.progress;
  const title = jobTitle(job);
  const node = progress?.nodeTitle ?? progress?.nodeType;
  const elapsed = job.startedAt !== undefined ? formatDuration(clock.now.value - job.startedAt) : undefined;
  return (
    <article class="running" aria-label={`Running: ${title}`}>
      <div class="running__head">
        <h3 class="running__title">{title}</h3>
        <CancelButton job={job} />
      </div>
      <ProgressBar value={progress?.overall} label={`${title} progress`} />
      <dl class="running__facts">
        <div>
          <dt>Node</dt>
          <dd>
            {node ?? 'Starting…'}
            {progress?.nodeType && progress.nodeTitle && progress.nodeType !== progress.nodeTitle && <span class="muted"> ({progress.nodeType})</span>}
          </dd>
        </div>
        {progress?.value !== undefined && progress.max !== undefined && (
          <div>
            <dt>Step</dt>
            <dd>
              {progress.value}/{progress.max}
            </dd>
          </div>
        )}
        {elapsed && (
          <div>
            <dt>Elapsed</dt>
            <dd>{elapsed}</dd>
          </div>
        )}
        <div>
          <dt>Server</dt>
          <dd>{serverName}</dd>
        </div>
      </dl>
    </article>
  );
}
