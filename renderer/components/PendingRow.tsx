// One waiting job: a tick box for acting on many, its place in the queue (or "Held" while its server's queue is
// paused), who submitted it and when, how long it should take, and its own Move to front / to back / Remove (moves only
// where the server's queue can be steered; neither tick box nor Remove for a ComfyControl run).
import { memo } from 'preact/compat';
import type { JobEntry } from '../models/queue-model.js';
import { removable, steeringRefusal } from '../models/server-abilities.js';
import { moveJobs } from '../models/steer-actions.js';
import { formatWhen, jobTitle, takesText } from '../format.js';
import { useServices } from '../services.js';
import { ActionButton } from './ActionButton.js';
import { CancelButton } from './CancelButton.js';
import { ToBackIcon, ToFrontIcon } from './icons.js';

export interface PendingRowProps {
  readonly entry: JobEntry;
  readonly serverName: string;
  /** Keys of the pending list in order, for shift-click ranges. */
  readonly order: () => readonly string[];
  /** Shown inside an open batch. */
  readonly member?: boolean;
}

export const PendingRow = memo(function PendingRow({ entry, serverName, order, member = false }: PendingRowProps) {
  const { clock, model, api, feedback } = useServices();
  const job = entry.job.value;
  const title = jobTitle(job);
  const who = job.submittedBy === 'this-app' ? 'Comfy Tray' : 'another client';
  const selected = model.selection.has(entry.key);
  const position = job.queuePosition ?? '?';
  const servers = model.servers.peek();
  const movable = steeringRefusal(servers, job.serverId) === undefined;
  const selectable = movable || removable(servers, job.serverId);
  return (
    <li class={`row row--pending${selected ? ' row--selected' : ''}${job.held ? ' row--held' : ''}${member ? ' row--member' : ''}`}>
      {selectable ? (
        <input
          type="checkbox"
          class="row__select"
          checked={selected}
          aria-label={`Select ${title}`}
          onClick={(e) => {
            // The click already toggled the box; the model decides (shift extends a range), the render follows it.
            e.preventDefault();
            model.selection.toggle(entry.key, order(), e.shiftKey);
          }}
        />
      ) : (
        <span class="row__select" aria-hidden="true" />
      )}
      <span class="row__position" aria-label={job.held ? `Held, ${position} to go back` : `Position ${position}`}>
        {job.held ? `H${position}` : `#${position}`}
      </span>
      <div class="row__main">
        <div class="row__title">
          {job.held && <span class="badge badge--held">Held</span>}
          <span class="row__name">{title}</span>
        </div>
        <div class="row__meta">
          from {who}
          {job.createdAt !== undefined && <> · {formatWhen(job.createdAt, clock.now.peek())}</>} · {serverName}
          {job.estimatedDurationMs !== undefined && <> · {takesText(job.estimatedDurationMs)}</>}
        </div>
      </div>
      <div class="row__actions">
        {movable && (
          <>
            <ActionButton icon={<ToFrontIcon />} text="To front" label={`Move ${title} to the front`} onClick={() => void moveJobs(api, feedback, [job], 'front')} />
            <ActionButton icon={<ToBackIcon />} text="To back" label={`Move ${title} to the back`} onClick={() => void moveJobs(api, feedback, [job], 'back')} />
          </>
        )}
        <CancelButton job={job} />
      </div>
    </li>
  );
});
