// The running job, large: overall progress, the node running now, its step, the elapsed and expected time left, and
// the live preview. Reads its own job signal, so progress patches re-render this card and nothing else.
import type { JobEntry } from '../models/queue-model.js';
import { formatDuration, formatRate, jobTitle, timeLeftText } from '../format.js';
import { useServices } from '../services.js';
import { CancelButton } from './CancelButton.js';
import { LivePreview } from './LivePreview.js';
import { ProgressBar } from './ProgressBar.js';

export function RunningJob({ entry, serverName }: { readonly entry: JobEntry; readonly serverName: string }) {
  const { clock } = useServices();
  const job = entry.job.value;
  const progress = job.progress;
  const title = jobTitle(job);
  const node = progress?.nodeTitle ?? progress?.nodeType;
  const elapsedMs = job.startedAt !== undefined ? clock.now.value - job.startedAt : undefined;
  const elapsed = elapsedMs !== undefined ? formatDuration(elapsedMs) : undefined;
  // Absent estimate (no earlier run of this workflow on this server): nothing is shown rather than a guess.
  const left = job.estimatedDurationMs !== undefined ? timeLeftText(job.estimatedDurationMs, elapsedMs, progress?.overall) : undefined;
  return (
    <article class="running" aria-label={`Running: ${title}`}>
      <div class="running__head">
        <h3 class="running__title">{title}</h3>
        <CancelButton job={job} />
      </div>
      <ProgressBar value={progress?.overall} label={`${title} progress`} />
      <div class="running__body">
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
          {progress?.stepsPerSecond !== undefined && (
            <div>
              <dt>Speed</dt>
              <dd>{formatRate(progress.stepsPerSecond)}</dd>
            </div>
          )}
          {elapsed && (
            <div>
              <dt>Elapsed</dt>
              <dd>{elapsed}</dd>
            </div>
          )}
          {left && (
            <div>
              <dt>Expected</dt>
              <dd class="running__left">{left}</dd>
            </div>
          )}
          <div>
            <dt>Server</dt>
            <dd>{serverName}</dd>
          </div>
        </dl>
        <LivePreview serverId={job.serverId} jobId={job.id} version={job.previewVersion} title={title} />
      </div>
    </article>
  );
}
