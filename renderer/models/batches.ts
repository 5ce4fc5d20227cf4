// Runs of the same workflow queued together ("Queue 200" in the browser, a repeat from a dropped file): consecutive
// jobs of one server (nothing else queued between them) with one submitter and one name, each queued within a few
// minutes of the one before. Three or more make a batch,
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
  /** The order the window first saw jobs in (the server lists its queue in order): breaks ties of `seen`. */
  readonly order?: number;
}

function queuedAt(item: KeyedJob): number | undefined {
  return item.job.createdAt ?? item.seen;
}

/**
 * The group a job belongs to (server, submitter, name) as a small number, or -1 for a job known only by its id. Nested
 * maps rather than one joined string: this runs for every job of the window at every change of state.
 */
class GroupIds {
  private readonly ids = new Map<string, Map<string, Map<string, number>>>();
  private next = 0;

  of(job: JobView): number {
    const name = job.workflowName ?? job.outputTitle;
    if (name === undefined) return -1;
    let bySubmitter = this.ids.get(job.serverId);
    if (!bySubmitter) this.ids.set(job.serverId, (bySubmitter = new Map()));
    let byName = bySubmitter.get(job.submittedBy);
    if (!byName) bySubmitter.set(job.submittedBy, (byName = new Map()));
    let id = byName.get(name);
    if (id === undefined) byName.set(name, (id = this.next++));
    return id;
  }
}

export function findBatches(jobs: readonly KeyedJob[], gapMs = BATCH_GAP_MS): Batches {
  // Per server, every job in the order it was queued: a batch is a stretch of consecutive jobs alike. Anything else
  // queued in between (another workflow, another client's job) ends the stretch: those were not queued together.
  // A 10,000-job window calls this at every change of state, and first of all on its first render: numbers in typed
  // arrays, one pass to place every job, and no sort at all when the jobs already come in (or against) queue order.
  const groups = new GroupIds();
  const byServer = new Map<string, number[]>();
  const at = new Float64Array(jobs.length);
  const order = new Float64Array(jobs.length);
  const group = new Int32Array(jobs.length);
  for (let i = 0; i < jobs.length; i++) {
    const item = jobs[i]!;
    const time = queuedAt(item);
    if (time === undefined) continue;
    at[i] = time;
    order[i] = item.order ?? 0;
    group[i] = groups.of(item.job);
    let list = byServer.get(item.job.serverId);
    if (!list) byServer.set(item.job.serverId, (list = []));
    list.push(i);
  }
  const before = (a: number, b: number): number => at[a]! - at[b]! || order[a]! - order[b]! || (jobs[a]!.key < jobs[b]!.key ? -1 : jobs[a]!.key > jobs[b]!.key ? 1 : 0);
  const batchOf = new Map<string, string>();
  const batches = new Map<string, BatchSummary>();
  for (const list of byServer.values()) {
    inQueueOrder(list, before);
    let start = 0;
    for (let i = 1; i <= list.length; i++) {
      const g = group[list[start]!]!;
      if (i < list.length && g >= 0 && group[list[i]!] === g && at[list[i]!]! - at[list[i - 1]!]! <= gapMs) continue;
      if (g >= 0 && i - start >= MIN_BATCH) {
        const members = list.slice(start, i).map((index) => jobs[index]!);
        const first = members[0]!.job;
        const id = `${first.serverId}\u0000${first.submittedBy}\u0000${jobTitle(first)}\u0000${first.id}`;
        for (const member of members) batchOf.set(member.key, id);
        batches.set(id, summarize(id, members));
      }
      start = i;
    }
  }
  return { batchOf, batches };
}

/** Sorts in place, but first looks whether the list is already in order (or in reverse), as it usually is. */
function inQueueOrder(list: number[], before: (a: number, b: number) => number): void {
  let ascending = true;
  let descending = true;
  for (let i = 1; i < list.length && (ascending || descending); i++) {
    const c = before(list[i - 1]!, list[i]!);
    if (c > 0) ascending = false;
    if (c < 0) descending = false;
  }
  if (ascending) return;
  if (descending) list.reverse();
  else list.sort(before);
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
