// What can be done with a finished job: queue it again, and, once its outputs are on disk, open the first one or
// show it in its folder. Every action reports through the feedback area, with the main process's reason when refused.
import type { JobView } from '../../electron/shared/app-state.js';
import { isTerminal } from '../../electron/shared/app-state.js';
import { errorReport, jobTitle } from '../format.js';
import { useServices } from '../services.js';
import { ActionButton } from './ActionButton.js';
import { ChevronIcon, CopyIcon, FolderIcon, OpenIcon, RerunIcon } from './icons.js';

/** Files exist on disk: saving finished, or at least one file was written before a later one failed. */
export function hasSavedOutput(job: JobView): boolean {
  return job.outputs.length > 0 && (job.save?.state === 'done' || (job.save?.files ?? 0) > 0);
}

export interface HistoryActionsProps {
  readonly job: JobView;
  /** A failed job's details: open or not, the id of the panel, and the toggle. */
  readonly details?: { readonly open: boolean; readonly panelId: string; readonly toggle: () => void };
}

export function HistoryActions({ job, details }: HistoryActionsProps) {
  const { api, feedback, copyText } = useServices();
  const title = jobTitle(job);
  const { serverId, id } = job;
  const error = job.error;
  const rerun = (): void => void feedback.runAction(`Queueing ${title} again…`, () => api.rerunJob(serverId, id), () => `${title}: queued again`);
  const open = (): void => void feedback.runAction(`Opening the output of ${title}…`, () => api.openOutput(serverId, id, 0), () => `Opened the output of ${title}`);
  const reveal = (): void =>
    void feedback.runAction(`Showing the output of ${title} in its folder…`, () => api.showOutputInFolder(serverId, id, 0), () => `Showed the output of ${title} in its folder`);
  const copy = (): void => {
    if (error) void feedback.run('Copying the error…', () => copyText(errorReport(error)), () => 'Error copied to the clipboard');
  };
  const saved = hasSavedOutput(job);
  return (
    <div class="row__actions">
      {details && (
        <button
          type="button"
          class="button button--action"
          aria-expanded={details.open}
          aria-controls={details.open ? details.panelId : undefined}
          aria-label={`${details.open ? 'Hide' : 'Show'} the error of ${title}`}
          title={`${details.open ? 'Hide' : 'Show'} the error of ${title}`}
          onClick={details.toggle}
        >
          <ChevronIcon open={details.open} />
          <span class="button__text">Details</span>
        </button>
      )}
      {error && <ActionButton icon={<CopyIcon />} text="Copy error" label={`Copy error of ${title}`} onClick={copy} />}
      {saved && <ActionButton icon={<OpenIcon />} text="Open" label={`Open output of ${title}`} onClick={open} />}
      {saved && <ActionButton icon={<FolderIcon />} text="Show in folder" label={`Show output of ${title} in its folder`} onClick={reveal} />}
      {isTerminal(job.status) && <ActionButton icon={<RerunIcon />} text="Re-run" label={`Re-run ${title}`} onClick={rerun} />}
    </div>
  );
}
