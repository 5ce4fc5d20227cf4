// The lines of the journal's log (version 2): each change the journal makes is one event, applied to memory by
// `applyEvent` and appended as one line, and the same function replays the lines at the next start, so what is read
// back is exactly what was in memory. One operation is always one line: a line cut short by a crash loses that
// operation whole, never half of it. A compaction writes the live state as `server` and `finished` lines.
import { z } from 'zod';
import {
  activeRecord,
  clientIdRecord,
  emptyServer,
  finishedMark,
  finishedRecord,
  type ActiveRecord,
  type FinishedMark,
  type ServerState,
} from './journal-records.js';

/** The client ids a server remembers as ours (enough for every restart in the lifetime of its history). */
export const MAX_OWN_CLIENT_IDS = 50;

const serverId = z.string();
const journalEvent = z.discriminatedUnion('t', [
  /** A whole server but its finished jobs (they follow as `finished` lines): written by compactions. */
  z.object({
    t: z.literal('server'),
    s: serverId,
    clientId: clientIdRecord.optional(),
    ownClientIds: z.array(z.string()),
    baselined: z.boolean(),
    knownIds: z.array(z.string()),
    mark: finishedMark.optional(),
    witness: z.string().optional(),
    active: z.array(activeRecord),
  }),
  /** A job finished (or was recorded again): newest now, no longer active; `forget`: the jobs trimmed for it. */
  z.object({ t: z.literal('finished'), s: serverId, job: finishedRecord, forget: z.array(z.string()).optional() }),
  z.object({ t: z.literal('handled'), s: serverId, id: z.string(), stage: z.string(), value: z.unknown() }),
  z.object({ t: z.literal('client-id'), s: serverId, clientId: z.string(), closedCleanly: z.boolean() }),
  /** The in-flight jobs, whole. */
  z.object({ t: z.literal('active'), s: serverId, jobs: z.array(activeRecord) }),
  /** The in-flight jobs, changed: `remove`d, and `put` in place (new ones at the end). See `activeChange`. */
  z.object({ t: z.literal('active-change'), s: serverId, remove: z.array(z.string()), put: z.array(activeRecord) }),
  /** The history that existed when the server was first watched (the bounded set, whole); the server is baselined. */
  z.object({ t: z.literal('baseline'), s: serverId, knownIds: z.array(z.string()) }),
  /** The finished mark: `add`, then the first `keep` anchors of the previous mark. See `markChange`. */
  z.object({ t: z.literal('mark'), s: serverId, add: z.array(z.string()), keep: z.number().int().nonnegative(), horizon: z.number().optional() }),
  z.object({ t: z.literal('witness'), s: serverId, id: z.string().optional() }),
]);

export type JournalEvent = z.infer<typeof journalEvent>;

/** A line read back: throws (a ZodError) when it is not an event of this version. */
export function parseEvent(value: unknown): JournalEvent {
  return journalEvent.parse(value);
}

export function serverOf(servers: Map<string, ServerState>, id: string): ServerState {
  let server = servers.get(id);
  if (!server) {
    server = emptyServer();
    servers.set(id, server);
  }
  return server;
}

export function applyEvent(servers: Map<string, ServerState>, event: JournalEvent): void {
  if (event.t === 'server') {
    servers.set(event.s, {
      ...(event.clientId && { clientId: { ...event.clientId } }),
      ownClientIds: [...event.ownClientIds],
      baselined: event.baselined,
      knownIds: new Set(event.knownIds),
      ...(event.mark && { mark: copyMark(event.mark) }),
      ...(event.witness !== undefined && { witness: event.witness }),
      finished: new Map(),
      active: event.active.map((job) => ({ ...job })),
    });
    return;
  }
  const server = serverOf(servers, event.s);
  switch (event.t) {
    case 'finished': {
      const id = event.job.id;
      server.finished.delete(id);
      server.finished.set(id, event.job);
      server.active = server.active.filter((job) => job.id !== id);
      for (const gone of event.forget ?? []) server.finished.delete(gone);
      return;
    }
    case 'handled': {
      const record = server.finished.get(event.id);
      if (record) record.handled = { ...record.handled, [event.stage]: event.value };
      return;
    }
    case 'client-id':
      server.clientId = { clientId: event.clientId, closedCleanly: event.closedCleanly };
      if (!server.ownClientIds.includes(event.clientId)) {
        server.ownClientIds.push(event.clientId);
        if (server.ownClientIds.length > MAX_OWN_CLIENT_IDS) server.ownClientIds.shift();
      }
      return;
    case 'active':
      server.active = event.jobs.map((job) => ({ ...job }));
      return;
    case 'active-change':
      server.active = changedActive(server.active, event.remove, event.put);
      return;
    case 'baseline':
      server.knownIds = new Set(event.knownIds);
      server.baselined = true;
      return;
    case 'mark': {
      const anchors = [...event.add, ...(server.mark?.anchors ?? []).slice(0, event.keep)];
      server.mark = { anchors, ...(event.horizon !== undefined && { horizon: event.horizon }) };
      return;
    }
    case 'witness':
      if (event.id === undefined) delete server.witness;
      else server.witness = event.id;
      return;
  }
}

/** The live state as lines, for a compaction: per server, its `server` line, then its finished jobs oldest first. */
export function snapshotLines(servers: ReadonlyMap<string, ServerState>): string[] {
  const lines: string[] = [];
  for (const [s, server] of servers) {
    const line: JournalEvent = {
      t: 'server',
      s,
      ...(server.clientId && { clientId: server.clientId }),
      ownClientIds: server.ownClientIds,
      baselined: server.baselined,
      knownIds: [...server.knownIds],
      ...(server.mark && { mark: copyMark(server.mark) }),
      ...(server.witness !== undefined && { witness: server.witness }),
      active: server.active,
    };
    lines.push(JSON.stringify(line));
    for (const job of server.finished.values()) lines.push(JSON.stringify({ t: 'finished', s, job } satisfies JournalEvent));
  }
  return lines;
}

function copyMark(mark: FinishedMark): { anchors: string[]; horizon?: number } {
  return { anchors: [...mark.anchors], ...(mark.horizon !== undefined && { horizon: mark.horizon }) };
}

// ---- compact changes: what changes often is written as the difference, when replaying it gives the same ----

/**
 * The in-flight jobs going from `before` to `after` as removals and puts, when that is shorter than the whole list
 * and replaying it gives exactly `after`, order included (puts keep an existing job's place and add new ones at the
 * end, as the server's queue grows); undefined otherwise (the whole list is written).
 */
export function activeChange(before: readonly ActiveRecord[], after: readonly ActiveRecord[]): { remove: string[]; put: ActiveRecord[] } | undefined {
  // Nothing held yet (the first look at a server): every job would be a put, never shorter than the list.
  if (before.length === 0) return undefined;
  const was = new Map(before.map((job) => [job.id, job]));
  const kept = new Set(after.map((job) => job.id));
  const remove = before.filter((job) => !kept.has(job.id)).map((job) => job.id);
  const put = after.filter((job) => {
    const old = was.get(job.id);
    return old === undefined || !sameActiveJob(old, job);
  });
  if (remove.length + put.length >= after.length) return undefined;
  const replayed = changedActive(before, remove, put);
  if (replayed.length !== after.length || replayed.some((job, i) => job.id !== after[i]!.id)) return undefined;
  return { remove, put };
}

function changedActive(before: readonly ActiveRecord[], remove: readonly string[], put: readonly ActiveRecord[]): ActiveRecord[] {
  const removed = new Set(remove);
  const puts = new Map(put.map((job) => [job.id, job]));
  const result: ActiveRecord[] = [];
  for (const job of before) {
    if (removed.has(job.id)) continue;
    const replaced = puts.get(job.id);
    puts.delete(job.id);
    result.push({ ...(replaced ?? job) });
  }
  for (const job of puts.values()) result.push({ ...job });
  return result;
}

export function sameActiveJob(x: ActiveRecord, y: ActiveRecord): boolean {
  return (
    x.id === y.id &&
    x.status === y.status &&
    x.submittedBy === y.submittedBy &&
    x.workflowName === y.workflowName &&
    x.createdAt === y.createdAt &&
    x.startedAt === y.startedAt &&
    x.signature === y.signature
  );
}

/**
 * The anchors going from `before` to `after`: after = add + before[0, keep). The newest jobs come first, so a look
 * that found a few new ones adds them in front of the last look's, and the line names only those.
 */
export function markChange(before: readonly string[], after: readonly string[]): { add: string[]; keep: number } {
  for (let keep = Math.min(before.length, after.length); keep > 0; keep--) {
    const start = after.length - keep;
    let same = true;
    for (let i = 0; i < keep && same; i++) same = after[start + i] === before[i];
    if (same) return { add: after.slice(0, start), keep };
  }
  return { add: [...after], keep: 0 };
}

