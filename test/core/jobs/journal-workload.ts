// A known sequence of journal operations for the crash tests: every kind of change (finished jobs that push older
// ones out, saved stages, baselines, client ids, in-flight lists, marks, witnesses), in groups started together, on a
// journal small enough to be compacted every few groups. The same seed gives the same operations in every process,
// so the state after any number of them can be computed here and compared with what a killed process left.
import type { Journal, JournalOptions } from '../../../electron/core/jobs/journal.js';
import type { ActiveRecord } from '../../../electron/core/jobs/journal-records.js';

export type Op =
  | { readonly kind: 'finished'; readonly server: string; readonly id: string; readonly status: 'completed' | 'failed' }
  | { readonly kind: 'handled'; readonly server: string; readonly id: string; readonly value: unknown }
  | { readonly kind: 'baseline'; readonly server: string; readonly ids: readonly string[] }
  | { readonly kind: 'client-id'; readonly server: string; readonly clientId: string; readonly closedCleanly: boolean }
  | { readonly kind: 'active'; readonly server: string; readonly jobs: readonly ActiveRecord[] }
  | { readonly kind: 'mark'; readonly server: string; readonly anchors: readonly string[]; readonly horizon?: number }
  | { readonly kind: 'witness'; readonly server: string; readonly id?: string };

/** Started together; the group is acknowledged once its durable operations resolved. */
export type Group = readonly Op[];

export const SERVERS = ['gpu-a', 'gpu-b'] as const;

export const WORKLOAD_OPTIONS: JournalOptions = {
  maxJobsPerServer: 6,
  maxUnfinishedPerServer: 3,
  unfinished: (record) => record.handled.saved === 'pending',
  compaction: { minBytes: 1_500, factor: 1 },
};

/** A small deterministic generator (the same numbers in every process). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

export function workload(seed: number, groups: number): Group[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const finishedIds: Record<string, string[]> = { 'gpu-a': [], 'gpu-b': [] };
  const active: Record<string, ActiveRecord[]> = { 'gpu-a': [], 'gpu-b': [] };
  let counter = 0;
  const result: Group[] = [];
  for (let g = 0; g < groups; g++) {
    const group: Op[] = [];
    const size = 1 + Math.floor(next() * 3);
    for (let i = 0; i < size; i++) {
      const server = pick(SERVERS);
      const roll = next();
      if (roll < 0.35) {
        const id = `job-${String(++counter).padStart(4, '0')}`;
        finishedIds[server]!.push(id);
        group.push({ kind: 'finished', server, id, status: next() < 0.8 ? 'completed' : 'failed' });
      } else if (roll < 0.6 && finishedIds[server]!.length > 0) {
        const id = pick(finishedIds[server]!.slice(-8));
        group.push({ kind: 'handled', server, id, value: next() < 0.2 ? 'pending' : { state: 'done', files: { [id]: { path: `/out/${id}.png`, size: counter } } } });
      } else if (roll < 0.65) {
        group.push({ kind: 'baseline', server, ids: Array.from({ length: 1 + Math.floor(next() * 4) }, () => `old-${++counter}`) });
      } else if (roll < 0.72) {
        group.push({ kind: 'client-id', server, clientId: `client-${Math.floor(next() * 5)}`, closedCleanly: next() < 0.5 });
      } else if (roll < 0.85) {
        const list = active[server]!.filter(() => next() < 0.8);
        if (next() < 0.7) list.push({ id: `run-${++counter}`, status: 'pending', submittedBy: next() < 0.5 ? 'this-app' : 'other', createdAt: counter });
        if (list[0] && next() < 0.5) list[0] = { ...list[0], status: 'running', startedAt: counter };
        if (list.length > 2 && next() < 0.2) list.reverse();
        active[server] = list;
        group.push({ kind: 'active', server, jobs: list.map((job) => ({ ...job })) });
      } else if (roll < 0.93) {
        const anchors = finishedIds[server]!.slice(-5).reverse();
        group.push({ kind: 'mark', server, anchors, ...(next() < 0.7 && { horizon: counter }) });
      } else {
        const last = finishedIds[server]!.at(-1);
        group.push({ kind: 'witness', server, ...(last !== undefined && next() < 0.8 && { id: last }) });
      }
    }
    // Every group waits for the disk at least once, so each one is acknowledged.
    if (!group.some(durable)) {
      const server = pick(SERVERS);
      const id = `job-${String(++counter).padStart(4, '0')}`;
      finishedIds[server]!.push(id);
      group.push({ kind: 'finished', server, id, status: 'completed' });
    }
    result.push(group);
  }
  return result;
}

export function durable(op: Op): boolean {
  return op.kind === 'finished' || op.kind === 'handled' || op.kind === 'baseline';
}

/** Applies one operation (to memory at once); resolves when a durable one is on disk. */
export function runOp(journal: Journal, op: Op): Promise<void> {
  switch (op.kind) {
    case 'finished':
      return journal.recordFinished(op.server, { serverId: op.server, id: op.id, status: op.status, submittedBy: 'other', outputs: [], endedAt: 1 });
    case 'handled':
      return journal.markHandled(op.server, op.id, 'saved', op.value);
    case 'baseline':
      return journal.markBaseline(op.server, op.ids);
    case 'client-id':
      journal.set(op.server, { clientId: op.clientId, closedCleanly: op.closedCleanly });
      return Promise.resolve();
    case 'active':
      journal.setActive(op.server, op.jobs);
      return Promise.resolve();
    case 'mark':
      journal.setFinishedMark(op.server, { anchors: op.anchors, ...(op.horizon !== undefined && { horizon: op.horizon }) });
      return Promise.resolve();
    case 'witness':
      journal.setWitness(op.server, op.id);
      return Promise.resolve();
  }
}

/** Everything the journal answers about the servers and ids of a workload, as plain data to compare. */
export function dump(journal: Journal, groups: readonly Group[]): unknown {
  const ids = new Set<string>();
  const clients = new Set<string>();
  for (const op of groups.flat()) {
    if (op.kind === 'finished') ids.add(op.id);
    if (op.kind === 'baseline') for (const id of op.ids) ids.add(id);
    if (op.kind === 'client-id') clients.add(op.clientId);
  }
  return Object.fromEntries(
    SERVERS.map((server) => [
      server,
      {
        clientId: journal.get(server),
        own: [...clients].filter((id) => journal.isOwnClientId(server, id)),
        baselined: journal.isBaselined(server),
        settled: [...ids].filter((id) => journal.isSettled(server, id)),
        finished: journal.finishedJobs(server),
        active: journal.activeJobs(server),
        mark: journal.finishedMark(server),
        witness: journal.witness(server),
      },
    ]),
  );
}

/** The state after each number of operations (index n: after the first n), computed on a journal in `dir`. */
export async function expectedStates(open: () => Promise<Journal>, groups: readonly Group[]): Promise<string[]> {
  const journal = await open();
  const states = [JSON.stringify(dump(journal, groups))];
  const writes: Promise<void>[] = [];
  for (const op of groups.flat()) {
    writes.push(runOp(journal, op));
    states.push(JSON.stringify(dump(journal, groups)));
  }
  await Promise.all(writes);
  await journal.flush();
  return states;
}
