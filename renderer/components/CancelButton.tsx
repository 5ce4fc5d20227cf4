// Cancels the running job (cancelJob interrupts it) or removes a pending one from the queue (removePending, which
// says why when it cannot), with feedback either way. ComfyControl runs are cancelled in ComfyControl: no button.
import type { JobView } from '../../electron/shared/app-state.js';
import { jobTitle } from '../format.js';
import { useServices } from '../services.js';

export function CancelButton({ job }: { readonly job: JobView }) {
  const { api, feedback, model } = useServices();
  // A job's server keeps its kind: read once, no subscription to every server change.
  if (model.servers.peek().find((server) => server.id === job.serverId)?.kind === 'comfycontrol') return null;
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
