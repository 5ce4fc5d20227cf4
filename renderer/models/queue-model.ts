// The window's state as signals, fed by the snapshot + patches bridge. Every job has its own signal so a progress
// patch re-renders only that job's row; the lists (running, pending, history) are recomputed only when a change
// can move a job between or within them (status, position, name, end time), never for progress alone.
import { batch, computed, signal, type ReadonlySignal, type Signal } from '@preact/signals';
import type { JobStatus, JobView, ServerView } from '../../electron/shared/app-state.js';
import type { AppSnapshot, VersionedPatches } from '../../electron/shared/ipc-contract.js';
import { findBatches, type Batches } from './batches.js';
import { Selection } from './selection.js';

export interface JobEntry {
  /** `serverId/jobId`: stable across updates, used as the row key. */
  readonly key: string;
  readonly job: ReadonlySignal<JobView>;
}

export type StatusFilter = 'all' | JobStatus;

export interface QueueLists {
  readonly running: readonly JobEntry[];
  readonly pending: readonly JobEntry[];
  readonly history: readonly JobEntry[];
  /** Jobs before filtering: tells "nothing queued yet" from "nothing matches the filter". */
  readonly total: number;
}

export type PatchResult = 'applied' | 'stale' | 'gap';

export function jobKey(serverId: string, jobId: string): string {
  return `${serverId}/${jobId}`;
}

/** A change in any of these can move the job in a list; anything else (progress, previews) cannot. */
function movesInLists(a: JobView, b: JobView): boolean {
  return (
    a.status !== b.status ||
    a.queuePosition !== b.queuePosition ||
    a.held !== b.held ||
    a.workflowName !== b.workflowName ||
    a.outputTitle !== b.outputTitle ||
    a.endedAt !== b.endedAt ||
    a.createdAt !== b.createdAt
  );
}

function matchesSearch(job: JobView, needle: string): boolean {
  if (needle === '') return true;
  return (
    job.id.toLowerCase().includes(needle) ||
    (job.workflowName?.toLowerCase().includes(needle) ?? false) ||
    (job.outputTitle?.toLowerCase().includes(needle) ?? false)
  );
}

const newestFirst = (a: JobView, b: JobView): number => (b.endedAt ?? b.createdAt ?? 0) - (a.endedAt ?? a.createdAt ?? 0);
/** The server's queue first, then what the app holds off it (queued again after it, in held order). */
const executionOrder = (a: JobView, b: JobView): number =>
  Number(a.held === true) - Number(b.held === true) ||
  (a.queuePosition ?? Number.MAX_SAFE_INTEGER) - (b.queuePosition ?? Number.MAX_SAFE_INTEGER) ||
  (a.createdAt ?? 0) - (b.createdAt ?? 0);

export class QueueModel {
  /** False until the first snapshot: the window shows "Loading…" rather than a misleading empty state. */
  readonly loaded = signal(false);
  readonly servers = signal<readonly ServerView[]>([]);
  readonly serverFilter = signal<string>('all');
  readonly statusFilter = signal<StatusFilter>('all');
  readonly search = signal('');
  /** Pending jobs ticked for Remove / Move. */
  readonly selection = new Selection();
  /** History rows opened to show their failure in full (job keys). */
  readonly expanded = signal<ReadonlySet<string>>(new Set());
  /** Batches opened to show their jobs one by one (`pending:` or `history:` and the batch id). */
  readonly openBatches = signal<ReadonlySet<string>>(new Set());
  /** Compact rows: more jobs in view, less detail per row. */
  readonly compact = signal(false);

  toggleBatch(id: string): void {
    const next = new Set(this.openBatches.peek());
    if (!next.delete(id)) next.add(id);
    this.openBatches.value = next;
  }

  toggleExpanded(key: string): void {
    const next = new Set(this.expanded.peek());
    if (!next.delete(key)) next.add(key);
    this.expanded.value = next;
  }

  private version = -1;
  /** The same entry object for a job's whole life, so memoised rows keep their props. */
  private readonly entries = new Map<string, { readonly key: string; readonly job: Signal<JobView>; readonly seen: number; readonly order: number }>();
  /** Counts entries as they come: the order the main process listed them in (the server's queue order). */
  private nextOrder = 0;
  /** Bumped when the set of jobs changes or a job may move in a list. */
  private readonly structure = signal(0);

  /** What the filters and search let through. */
  readonly lists: ReadonlySignal<QueueLists> = computed(() =>
    this.build(this.serverFilter.value, this.statusFilter.value, this.search.value.trim().toLowerCase()),
  );
  /** Everything, for the per-server counts. */
  readonly allLists: ReadonlySignal<QueueLists> = computed(() => this.build('all', 'all', ''));
  /** Runs of the same workflow queued together, over every job (batches.ts); recomputed when a job changes state. */
  readonly batches: ReadonlySignal<Batches> = computed(() => {
    const _structure = this.structure.value;
    return findBatches([...this.entries.values()].map((entry) => ({ key: entry.key, job: entry.job.peek(), seen: entry.seen, order: entry.order })));
  });

  entry(serverId: string, jobId: string): JobEntry | undefined {
    return this.entries.get(jobKey(serverId, jobId));
  }

  applySnapshot(snapshot: AppSnapshot): void {
    // An older snapshot than what the window already has (a late reply to getSnapshot) would undo patches.
    if (snapshot.version < this.version) return;
    this.version = snapshot.version;
    batch(() => {
      const seen = new Set<string>();
      for (const job of snapshot.jobs) {
        seen.add(jobKey(job.serverId, job.id));
        this.upsert(job);
      }
      for (const key of [...this.entries.keys()]) {
        if (!seen.has(key)) this.remove(key);
      }
      this.servers.value = snapshot.servers;
      this.loaded.value = true;
    });
  }

  /**
   * `applied`; `stale` when the snapshot already holds it (or none came yet); `gap` when batches were missed (the main
   * process sends none while the window is hidden): applying this one would leave the missed changes out for good,
   * a job could stay "running" forever. The caller then asks for a fresh snapshot.
   */
  applyPatches(batchOfPatches: VersionedPatches): PatchResult {
    // Before the first snapshot, or already part of it: the snapshot is the truth.
    if (!this.loaded.peek() || batchOfPatches.version <= this.version) return 'stale';
    // The store numbers its batches one by one from the snapshot's version.
    if (batchOfPatches.version !== this.version + 1) return 'gap';
    this.version = batchOfPatches.version;
    batch(() => {
      for (const patch of batchOfPatches.patches) {
        switch (patch.type) {
          case 'server-updated': {
            const servers = this.servers.peek();
            const i = servers.findIndex((s) => s.id === patch.server.id);
            this.servers.value = i < 0 ? [...servers, patch.server] : servers.map((s, k) => (k === i ? patch.server : s));
            break;
          }
          case 'job-updated':
            this.upsert(patch.job);
            break;
          case 'job-removed':
            this.remove(jobKey(patch.serverId, patch.jobId));
            break;
        }
      }
    });
    return 'applied';
  }

  private build(server: string, status: StatusFilter, needle: string): QueueLists {
    // Subscribes the computed lists to structural changes only.
    const _structure = this.structure.value;
    const running: JobEntry[] = [];
    const pending: JobEntry[] = [];
    const history: JobEntry[] = [];
    for (const entry of this.entries.values()) {
      // peek: reading the value would make every progress patch rebuild the lists.
      const job = entry.job.peek();
      if (server !== 'all' && job.serverId !== server) continue;
      if (status !== 'all' && job.status !== status) continue;
      if (!matchesSearch(job, needle)) continue;
      if (job.status === 'running') running.push(entry);
      else if (job.status === 'pending') pending.push(entry);
      else history.push(entry);
    }
    return {
      running,
      pending: pending.sort((a, b) => executionOrder(a.job.peek(), b.job.peek())),
      history: history.sort((a, b) => newestFirst(a.job.peek(), b.job.peek())),
      total: this.entries.size,
    };
  }

  private upsert(job: JobView): void {
    const key = jobKey(job.serverId, job.id);
    const existing = this.entries.get(key)?.job;
    if (!existing) {
      this.entries.set(key, { key, job: signal(job), seen: Date.now(), order: this.nextOrder++ });
      this.structure.value++;
      return;
    }
    const moved = movesInLists(existing.peek(), job);
    existing.value = job;
    if (moved) this.structure.value++;
  }

  private remove(key: string): void {
    if (this.entries.delete(key)) this.structure.value++;
  }
}
