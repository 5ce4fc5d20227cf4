// What can be done with the ticked pending jobs at once: move them to the front or the back (keeping their order;
// offered, not allowed, with the reason when a ticked job's server cannot be steered), remove them (after an inline
// confirmation), or untick them. Jobs of several servers go to each server in turn.
import type { JobEntry } from '../models/queue-model.js';
import { steeringRefusal } from '../models/server-abilities.js';
import { moveJobs, removeJobs } from '../models/steer-actions.js';
import { useServices } from '../services.js';
import { ActionButton } from './ActionButton.js';
import { ConfirmButton } from './ConfirmButton.js';
import { ToBackIcon, ToFrontIcon } from './icons.js';

export function SelectionBar({ entries, selected }: { readonly entries: readonly JobEntry[]; readonly selected: readonly string[] }) {
  const { model, api, feedback } = useServices();
  const chosen = new Set(selected);
  const jobs = entries.filter((entry) => chosen.has(entry.key)).map((entry) => entry.job.peek());
  const count = jobs.length === 1 ? '1 job' : `${jobs.length} jobs`;
  const after = (): void => model.selection.clear();
  const servers = model.servers.peek();
  const refusal = jobs.map((job) => steeringRefusal(servers, job.serverId)).find((why) => why !== undefined);
  return (
    <div class="selection-bar" role="toolbar" aria-label={`${count} selected`}>
      <span class="selection-bar__count">{count} selected</span>
      <ActionButton
        icon={<ToFrontIcon />}
        text="To front"
        label={refusal === undefined ? `Move the ${count} selected to the front` : `Cannot move to the front: ${refusal}`}
        disabled={refusal !== undefined}
        onClick={() => void moveJobs(api, feedback, jobs, 'front').then(after)}
      />
      <ActionButton
        icon={<ToBackIcon />}
        text="To back"
        label={refusal === undefined ? `Move the ${count} selected to the back` : `Cannot move to the back: ${refusal}`}
        disabled={refusal !== undefined}
        onClick={() => void moveJobs(api, feedback, jobs, 'back').then(after)}
      />
      <ConfirmButton text="Remove" label={`Remove the ${count} selected`} question={`Remove the ${count} selected from the queue?`} confirmText="Remove" small onConfirm={() => void removeJobs(api, feedback, jobs).then(after)} />
      <button type="button" class="button button--small" onClick={after}>
        Clear selection
      </button>
    </div>
  );
}
