// Every status ComfyControl documents for a workflow run, and what it is here; one table for the record and the
// stream alike. A value it does not know is in flight, never an end.
import type { RemoteStatus } from '../../comfy/remote-jobs.js';

export interface RunStatusMeaning {
  readonly status: RemoteStatus;
  /** For ends that carry no error fields of their own. */
  readonly reason?: string;
}

export const RUN_STATUSES = {
  accepted: { status: 'pending' },
  uploaded: { status: 'pending' },
  queued: { status: 'pending' },
  running: { status: 'running' },
  completed: { status: 'completed' },
  cancelled: { status: 'cancelled' },
  invalid: { status: 'failed', reason: 'ComfyControl refused the workflow as invalid before running it.' },
  failed: { status: 'failed', reason: 'The run failed.' },
} as const satisfies Readonly<Record<string, RunStatusMeaning>>;

export function runStatus(value: string): RunStatusMeaning & { readonly known: boolean } {
  const meaning: RunStatusMeaning | undefined = Object.hasOwn(RUN_STATUSES, value) ? RUN_STATUSES[value as keyof typeof RUN_STATUSES] : undefined;
  return meaning ? { ...meaning, known: true } : { status: 'running', known: false };
}

export function isEnd(status: RemoteStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}
