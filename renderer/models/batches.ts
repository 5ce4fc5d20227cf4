// Runs of the same workflow queued together ("Queue 200" in the browser, a repeat from a dropped file): jobs of one
// server, one submitter and one name, each queued within a few minutes of the one before. Three or more make a batch,
// which the lists show as one collapsible row with its counts and one progress bar. Jobs known only by their id are
// never grouped (nothing says they belong together). Pure: the lists and the bench call it alike.
import type { JobStatus, JobView } from '../../electron/shared/app-state.js';
import { jobTitle } from '../format.js';

/** A gap this long between two submissions ends a batch. */
export const BATCH_GAP_MS = 3 * 60_000;
/** Two alike are not worth a row of their own. */
export const MIN_BATCH = 3;

export interface BatchSummary {
  readonly id: string;
  readonly serverId: string;
  readonly title: string;
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  /** Cancelled or lost. */
  readonly stopped: number;
  readonly waiting: number;
  readonly running: number;
  /** The key of the running member, whose progress the batch's bar includes. */
  readonly runningKey?: string;
}

export interface Batches {
  /** Job key → batch id, for jobs in a batch. */
  readonly batchOf: ReadonlyMap<string, string>;
  readonly batches: ReadonlyMap<string, BatchSummary>;
}

export interface KeyedJob {
  readonly key: string;
  readonly job: JobView;
  /** When the window first saw it: stands in for the queue time servers without one (ComfyUI before 0.3.69) omit. */
  readonly seen?: number;
}

function queuedAt(item: KeyedJob): number | undefined {
  return item.job.createdAt ?? item.seen;
}

function named(job: JobView): boolean {
  return job.workflowName !== undefined || job.outputTitle !== undefined;
}

export function findBatches(jobs: readonly KeyedJob[], gapMs = BATCH_GAP_MS): Batches {
  const runs = new Map<string, KeyedJob[]>();
  for (const item of jobs) {
    const { job } = item;
    if (!named(job) || queuedAt(item) === undefined) continue;
    const group = `${job.serverId}\u0000${job.submittedBy}\u0000${jobTitle(job)}`;
    let list = runs.get(group);
    if (!list) runs.set(group, (list = []));
    list.push(item);
  }
  const batchOf = new Map<string, string>();
  const batches = new Map<string, BatchSummary>();
  for (const [group, list] of runs) {
    if (list.length < MIN_BATCH) continue;
    list.sort((a, b) => queuedAt(a)! - queuedAt(b)!);
    let start = 0;
    for (let i = 1; i <= list.length; i++) {
      if (i < list.length && queuedAt(list[i]!)! - queuedAt(list[i - 1]!)! <= gapMs) continue;
      if (i - start >= MIN_BATCH) {
        const members = list.slice(start, i);
        const id = `${group}\u0000${members[0]!.job.id}`;
        for (const member of members) batchOf.set(member.key, id);
        batches.set(id, summarize(id, members));
      }
      start = i;
    }
  }
  return { batchOf, batches };
}

function summarize(id: string, members: readonly KeyedJob[]): BatchSummary {
  const count = (statuses: readonly JobStatus[]): number => members.filter((m) => statuses.includes(m.job.status)).length;
  const running = members.find((m) => m.job.status === 'running');
  const first = members[0]!.job;
  return {
    id,
    serverId: first.serverId,
    title: jobTitle(first),
    total: members.length,
    done: count(['completed']),
    failed: count(['failed']),
    stopped: count(['cancelled', 'lost']),
    waiting: count(['pending']),
    running: count(['running']),
    ...(running && { runningKey: running.key }),
  };
}

/** The share of a batch that is over, the running member counting by its own progress. */
export function batchProgress(batch: BatchSummary, runningOverall: number | undefined): number {
  if (batch.total === 0) return 0;
  const over = batch.done + batch.failed + batch.stopped;
  return Math.min(1, (over + (batch.running > 0 ? (runningOverall ?? 0) : 0)) / batch.total);
}

export type ListRow<E> = { readonly kind: 'job'; readonly key: string; readonly entry: E; readonly member?: true } | { readonly kind: 'batch'; readonly key: string; readonly batch: BatchSummary; readonly entries: readonly E[]; readonly open: boolean };

/**
 * A list with its batches folded: the batch's row stands where its first member in this list stood, its members
 * follow it when the batch is open and are left out otherwise. A batch with fewer than MIN_BATCH members in this list
 * (the rest already finished, say) is not folded here.
 */
export function foldBatches<E extends { readonly key: string }>(entries: readonly E[], found: Batches, isOpen: (batchId: string) => boolean): ListRow<E>[] {
  if (found.batches.size === 0) return entries.map((entry) => ({ kind: 'job', key: entry.key, entry }));
  const inList = new Map<string, E[]>();
  for (const entry of entries) {
    const id = found.batchOf.get(entry.key);
    if (id === undefined) continue;
    let members = inList.get(id);
    if (!members) inList.set(id, (members = []));
    members.push(entry);
  }
  const rows: ListRow<E>[] = [];
  for (const entry of entries) {
    const id = found.batchOf.get(entry.key);
    const members = id === undefined ? undefined : inList.get(id);
    if (id === undefined || !members || members.length < MIN_BATCH) {
      rows.push({ kind: 'job', key: entry.key, entry });
      continue;
    }
    if (members[0] !== entry) continue;
    const open = isOpen(id);
    rows.push({ kind: 'batch', key: `batch:${id}`, batch: found.batches.get(id)!, entries: members, open });
    if (open) for (const member of members) rows.push({ kind: 'job', key: member.key, entry: member, member: true });
  }
  return rows;
}
