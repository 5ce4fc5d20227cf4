// Every job status Comfy Cloud documents, and what each one is here: the jobs API's five, the status endpoint's
// OpenAPI set and the newer set its documentation lists. One table; a value it does not know is in flight, never
// an end (a job is never announced finished on a word we cannot read).
import type { RemoteStatus } from '../../comfy/remote-jobs.js';

export interface CloudStatusMeaning {
  readonly status: RemoteStatus;
  /** For ends that are failures without an error record of their own. */
  readonly reason?: string;
}

export const CLOUD_STATUSES = {
  // The jobs API (`GET /api/jobs`, `GET /api/jobs/{id}`).
  pending: { status: 'pending' },
  in_progress: { status: 'running' },
  completed: { status: 'completed' },
  failed: { status: 'failed' },
  cancelled: { status: 'cancelled' },
  // `GET /api/job/{id}/status`, OpenAPI.
  waiting_to_dispatch: { status: 'pending' },
  error: { status: 'failed' },
  // `GET /api/job/{id}/status`, the newer documented set.
  submitted: { status: 'pending' },
  queued_waiting: { status: 'pending' },
  preparing: { status: 'running' },
  executing: { status: 'running' },
  // Still running until Comfy Cloud says it stopped.
  cancel_requested: { status: 'running' },
  success: { status: 'completed' },
  non_retryable_error: { status: 'failed', reason: 'Comfy Cloud gave up on the job after an error it will not retry.' },
  lost: { status: 'failed', reason: 'Comfy Cloud lost the job: the machine running it went away.' },
} as const satisfies Readonly<Record<string, CloudStatusMeaning>>;

export type CloudStatus = keyof typeof CLOUD_STATUSES;

/** What a status Comfy Cloud sent means here; unknown values are in flight. */
export function cloudStatus(value: string): CloudStatusMeaning & { readonly known: boolean } {
  const meaning: CloudStatusMeaning | undefined = Object.hasOwn(CLOUD_STATUSES, value) ? CLOUD_STATUSES[value as CloudStatus] : undefined;
  return meaning ? { ...meaning, known: true } : { status: 'running', known: false };
}
