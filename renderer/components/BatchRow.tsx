// A batch (runs of one workflow queued together) as one row: its name and size, what became of its jobs (done,
// failed, stopped, waiting), one progress bar over all of them (the running one counting by its own progress), and a
// toggle that shows its jobs one by one. In the pending list it can also be ticked, moved and removed as a whole.
import type { ComponentChildren } from 'preact';
import { batchProgress, type BatchSummary } from '../models/batches.js';
import type { JobEntry } from '../models/queue-model.js';
import { removable, steeringRefusal } from '../models/server-abilities.js';
import { moveJobs } from '../models/steer-actions.js';
import { useServices } from '../services.js';
import { ActionButton } from './ActionButton.js';
import { ChevronIcon, ToBackIcon, ToFrontIcon } from './icons.js';
import { ProgressBar } from './ProgressBar.js';

function counts(batch: BatchSummary): string {
  const parts = [
    batch.done > 0 && `${batch.done} done`,
    batch.failed > 0 && `${batch.failed} failed`,
    batch.stopped > 0 && `${batch.stopped} cancelled or lost`,
    batch.running > 0 && `${batch.running} running`,
    batch.waiting > 0 && `${batch.waiting} waiting`,
  ].filter((part): part is string => typeof part === 'string');
  return parts.join(' · ');
}

/** The bar reads the running member's own signal: its progress patches re-render this bar, nothing else. */
function BatchBar({ batch }: { batch: BatchSummary }) {
  const { model } = useServices();
  const runningKey = batch.runningKey;
  const slash = runningKey?.indexOf('/') ?? -1;
  const running = runningKey === undefined || slash < 0 ? undefined : model.entry(runningKey.slice(0, slash), runningKey.slice(slash + 1));
  const overall = running?.job.value.progress?.overall;
  return <ProgressBar value={batchProgress(batch, overall)} label={`${batch.title} batch progress`} />;
}

export interface BatchRowProps {
  readonly batch: BatchSummary;
  /** The batch's members in this list, in its order. */
  readonly entries: readonly JobEntry[];
  readonly open: boolean;
  /** Which list it is in: each list opens its batches on its own. */
  readonly list: 'pending' | 'history';
  /** The pending list's variant: a tick box for the whole batch, and moves. */
  readonly pending?: { readonly order: () => readonly string[] };
  readonly as?: 'li' | 'div';
}

export function BatchRow({ batch, entries, open, list, pending, as = 'div' }: BatchRowProps) {
  const { model, api, feedback } = useServices();
  const keys = entries.map((entry) => entry.key);
  const ticked = pending ? model.selection.within(keys).length : 0;
  const all = ticked === keys.length;
  const jobs = (): ReturnType<JobEntry['job']['peek']>[] => entries.map((entry) => entry.job.peek());
  const servers = model.servers.peek();
  const movable = steeringRefusal(servers, batch.serverId) === undefined;
  const selectable = movable || removable(servers, batch.serverId);
  const here = entries.length === batch.total ? `${batch.total} jobs` : `${entries.length} of ${batch.total} jobs`;
  const body: ComponentChildren = (
    <>
      {pending && !selectable && <span class="row__select" aria-hidden="true" />}
      {pending && selectable && (
        <input
          type="checkbox"
          class="row__select"
          checked={all}
          ref={(input) => {
            if (input) input.indeterminate = ticked > 0 && !all;
          }}
          aria-label={`Select the ${entries.length} jobs of ${batch.title}`}
          onClick={(e) => {
            e.preventDefault();
            if (all) model.selection.setAll(model.selection.within(pending.order()).filter((key) => !keys.includes(key)));
            else model.selection.setAll([...new Set([...model.selection.within(pending.order()), ...keys])]);
          }}
        />
      )}
      <button type="button" class="button button--small batch__toggle" aria-expanded={open} aria-label={`${open ? 'Hide' : 'Show'} the ${entries.length} jobs of ${batch.title}`} onClick={() => model.toggleBatch(`${list}:${batch.id}`)}>
        <ChevronIcon open={open} />
      </button>
      <div class="row__main">
        <div class="row__title">
          <span class="badge badge--batch">Batch</span>
          <span class="row__name">{batch.title}</span>
          <span class="batch__size muted">{here}</span>
        </div>
        <div class="row__meta batch__counts">{counts(batch)}</div>
        <BatchBar batch={batch} />
      </div>
      {pending && movable && (
        <div class="row__actions">
          <ActionButton icon={<ToFrontIcon />} text="To front" label={`Move the ${entries.length} jobs of ${batch.title} to the front`} onClick={() => void moveJobs(api, feedback, jobs(), 'front')} />
          <ActionButton icon={<ToBackIcon />} text="To back" label={`Move the ${entries.length} jobs of ${batch.title} to the back`} onClick={() => void moveJobs(api, feedback, jobs(), 'back')} />
        </div>
      )}
    </>
  );
  return as === 'li' ? <li class="row row--batch">{body}</li> : <div class="row row--batch">{body}</div>;
}
