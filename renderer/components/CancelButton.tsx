// Cancels the running job (cancelJob interrupts it) or removes a pending one from the queue (removePending, which
// says why when it cannot), with feedback either way.
import type { JobView } from '../../electron/shared/app-state.js';
import { jobTitle } from '../format.js';
import { useServices } from '../services.js';

export function CancelButton({ job }: { readonly job: JobView }) {
  const { api, feedback } = useServices();
  const title = jobTitle(job);
  const running = job.status === 'running';
  const onClick = (): void => {
    if (running) {
      void feedback.run(`Cancelling ${title}…`, () => api.cancelJob(job.serverId, job.id), (done) => (done ? `${title}: cancelled` : `${title} had already finished`));
    } else {
      void feedback.runAction(`Removing ${title} from the queue…`, () => api.removePending(job.serverId, [job.id]), () => `${title}: removed from the queue`);
    }
  };
  const verb = running ? 'Cancel' : 'Remove';
  return (
    <button type="button" class="button button--danger" onClick={onClick} aria-label={`${verb} ${title}`}>
      {verb}
    </button>
  );
}
