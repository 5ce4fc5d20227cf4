// What the journal remembers of the jobs still queued or running (so that a restart knows them before the first
// look), kept in step with the tracker. Every look of a busy server ends by handing the journal the whole list; when
// nothing in it changed (most looks), comparing each job with the record the journal holds finds so without building
// 10,000 new records for the journal to compare again, and without keeping a copy of its own.
import type { ActiveRecord } from './journal.js';
import type { TrackedJob } from './tracked-job.js';

/**
 * The records for `jobs` (those a listing confirmed), or undefined when they are the ones the journal holds
 * (`current`). Records of unchanged jobs are the journal's own (it copies what it is given).
 */
export function changedActiveRecords(jobs: Iterable<TrackedJob>, current: readonly ActiveRecord[]): ActiveRecord[] | undefined {
  let next: ActiveRecord[] | undefined;
  let index = 0;
  for (const job of jobs) {
    // A job known only from live events is not worth remembering: the next look finds it if it is real.
    if (job.unconfirmed) continue;
    const held = current[index];
    const same = held !== undefined && matches(held, job);
    if (next === undefined && same) {
      index++;
      continue;
    }
    next ??= current.slice(0, index);
    next.push(same ? held : recordOf(job));
    index++;
  }
  if (next === undefined && index === current.length) return undefined;
  return next ?? current.slice(0, index);
}

function matches(record: ActiveRecord, job: TrackedJob): boolean {
  return (
    record.id === job.id &&
    record.status === (job.status === 'running' ? 'running' : 'pending') &&
    record.submittedBy === job.submittedBy &&
    record.workflowName === job.workflowName &&
    record.createdAt === job.createdAt &&
    record.startedAt === job.startedAt &&
    record.signature === job.signature
  );
}

function recordOf(job: TrackedJob): ActiveRecord {
  const record: ActiveRecord = { id: job.id, status: job.status === 'running' ? 'running' : 'pending', submittedBy: job.submittedBy };
  if (job.workflowName !== undefined) record.workflowName = job.workflowName;
  if (job.createdAt !== undefined) record.createdAt = job.createdAt;
  if (job.startedAt !== undefined) record.startedAt = job.startedAt;
  if (job.signature !== undefined) record.signature = job.signature;
  return record;
}
