// The job's status as a word plus a colour: colour alone would not reach everyone.
import type { JobStatus } from '../../electron/shared/app-state.js';

const LABELS: Record<JobStatus, string> = {
  pending: 'Pending',
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
  lost: 'Lost',
};

export function StatusBadge({ status }: { readonly status: JobStatus }) {
  return <span class={`badge badge--${status}`}>{LABELS[status]}</span>;
}
