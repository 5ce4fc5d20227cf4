// Cancels a running job or removes a pending one (the core's cancel does both), with feedback either way.
import type { JobView } from '../../electron/shared/app-state.js';
import { jobTitle } from '../format.js';
import { useServices } from '../services.js';

export function CancelButton({ job }: { readonly job: JobView }) {
  const { api, feedback } = useServices();
  const title = jobTitle(job);
  const verb = job.status === 'running' ? 'Cancel' : 'Remove';
  const onClick = (): void => {
    void feedback.run(
      job.status === 'running' ? `Cancelling ${title}…` : `Removing ${title} from the queue…`,
      () => api.cancelJob(job.serverId, job.id),
      (done) => (done ? `${title}: ${verb === 'Cancel' ? 'cancelled' : 'removed'}` : `${title} had already finished`),
    );
  };
  return (
    <button type="button" class="button button--danger" onClick={onClick} aria-label={`${verb} ${title}`}>
      {verb}
    </button>
  );
}
