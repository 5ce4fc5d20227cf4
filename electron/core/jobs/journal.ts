// The core's memory across restarts, per server: which jobs finished (and what was done for them), which were
// still in flight, which client ids were ours, and which history existed before we first saw the server. It is what
// makes `job-finished` exactly-once: a job is announced only after its record is on disk.
import { readFile, rename } from 'node:fs/promises';
import { z } from 'zod';
import type { JobView, TerminalJobStatus } from '../../shared/app-state.js';
import type { ClientIdStore } from '../comfy/comfy-connection.js';
import { errorMessage } from '../errors.js';
import { createLogger } from '../logger.js';
import { CoalescingWriter } from '../store/atomic-file.js';

const outputRef = z.object({
  nodeId: z.string(),
  kind: z.string(),
  index: z.number(),
  filename: z.string(),
  subfolder: z.string(),
  type: z.string(),
  animated: z.boolean().optional(),
  format: z.string().optional(),
});
const jobError = z.object({
  nodeId: z.string().optional(),
  nodeType: z.string().optional(),
  nodeTitle: z.string().optional(),
  exceptionType: z.string(),
  message: z.string(),
  traceback: z.array(z.string()),
  hint: z.string().optional(),
});
const finishedRecord = z.object({
  id: z.string(),
  status: z.enum(['completed', 'failed', 'cancelled', 'lost']),
  submittedBy: z.enum(['this-app', 'other']),
  workflowName: z.string().optional(),
  outputTitle: z.string().optional(),
  createdAt: z.number().optional(),
  startedAt: z.number().optional(),
  endedAt: z.number().optional(),
  durationMs: z.number().optional(),
  outputs: z.array(outputRef).default([]),
  error: jobError.optional(),
  lostReason: z.enum(['server-restarted', 'vanished']).optional(),
  caughtUp: z.boolean().optional(),
  /** What later stages did for this job (saved files, notification shown), keyed by stage. */
  handled: z.record(z.string(), z.unknown()).default({}),
});
const activeRecord = z.object({
  id: z.string(),
  status: z.enum(['pending', 'running']),
  submittedBy: z.enum(['this-app', 'other']),
  workflowName: z.string().optional(),
  createdAt: z.number().optional(),
  startedAt: z.number().optional(),
  /** Workflow signature: a job waiting across a restart keeps its duration estimate before the server lists it. */
  signature: z.string().optional(),
});
const serverRecord = z.object({
  clientId: z.object({ clientId: z.string(), closedCleanly: z.boolean() }).optional(),
  ownClientIds: z.array(z.string()).default([]),
  baselined: z.boolean().default(false),
  knownIds: z.array(z.string()).default([]),
  /** Where the last complete look through the server's finished jobs began (see `FinishedMark`). */
  mark: z.object({ anchors: z.array(z.string()), horizon: z.number().optional() }).optional(),
  witness: z.string().optional(),
  finished: z.array(finishedRecord).default([]),
  active: z.array(activeRecord).default([]),
});
const journalFile = z.object({ version: z.literal(1), servers: z.record(z.string(), serverRecord) });

export type FinishedRecord = z.infer<typeof finishedRecord>;
export type ActiveRecord = z.infer<typeof activeRecord>;

/**
 * The top of the server's list of finished jobs at the last complete look through it: everything from there down
 * was settled then (announced, or there before we first watched the server). The next look reads down to the first
 * of these ids, or to jobs ordered well before `horizon` (server time) should all of them have been deleted. No
 * anchors and no horizon (an empty history, or one a server restart cleared): everything the server lists is newer.
 */
export interface FinishedMark {
  readonly anchors: readonly string[];
  readonly horizon?: number;
}

export interface JournalOptions {
  readonly maxJobsPerServer?: number;
  /**
   * A finished job whose later work is not done yet (outputs still to save): kept past the bound, so that work is
   * not forgotten, though never more than `maxUnfinishedPerServer` of them.
   */
  readonly unfinished?: (record: FinishedRecord) => boolean;
  readonly maxUnfinishedPerServer?: number;
}

interface ServerState {
  clientId?: { clientId: string; closedCleanly: boolean };
  ownClientIds: string[];
  baselined: boolean;
  knownIds: Set<string>;
  mark?: FinishedMark;
  witness?: string;
  finished: Map<string, FinishedRecord>;
  active: ActiveRecord[];
}

const MAX_OWN_CLIENT_IDS = 50;
const MAX_ANCHORS = 50;
const MAX_TRACEBACK_LINES = 60;

export class Journal implements ClientIdStore {
  private readonly servers = new Map<string, ServerState>();
  private readonly writer: CoalescingWriter;
  private saveTimer: NodeJS.Timeout | undefined;

  private readonly log = createLogger('Journal');
  private readonly maxJobsPerServer: number;
  private readonly maxUnfinishedPerServer: number;

  private constructor(
    readonly path: string,
    private readonly options: JournalOptions,
  ) {
    this.maxJobsPerServer = options.maxJobsPerServer ?? 1000;
    this.maxUnfinishedPerServer = options.maxUnfinishedPerServer ?? this.maxJobsPerServer;
    this.writer = new CoalescingWriter(path, () => this.serialize());
  }

  /** Opens the journal; a corrupt file is moved aside (the warning says where) and an empty journal starts. */
  static async open(path: string, options: JournalOptions = {}): Promise<{ journal: Journal; warning?: string }> {
    const journal = new Journal(path, options);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { journal };
      throw error;
    }
    try {
      const parsed = journalFile.parse(JSON.parse(text));
      for (const [id, record] of Object.entries(parsed.servers)) journal.servers.set(id, fromRecord(record));
      return { journal };
    } catch (error) {
      const aside = `${path}.corrupt-${Date.now()}`;
      await rename(path, aside).catch(() => undefined);
      return { journal, warning: `The job journal was unreadable (${errorMessage(error).slice(0, 200)}); it was moved to ${aside} and a new one started.` };
    }
  }

  // ---- client ids (ClientIdStore) ----

  get(serverId: string): { clientId: string; closedCleanly: boolean } | undefined {
    return this.servers.get(serverId)?.clientId;
  }

  set(serverId: string, record: { clientId: string; closedCleanly: boolean }): void {
    const server = this.server(serverId);
    server.clientId = { ...record };
    if (!server.ownClientIds.includes(record.clientId)) {
      server.ownClientIds.push(record.clientId);
      if (server.ownClientIds.length > MAX_OWN_CLIENT_IDS) server.ownClientIds.shift();
    }
    this.scheduleSave();
  }

  isOwnClientId(serverId: string, clientId: string | undefined): boolean {
    return clientId !== undefined && (this.servers.get(serverId)?.ownClientIds.includes(clientId) ?? false);
  }

  // ---- finished jobs ----

  /** True when the job was announced already, or existed before we first watched this server. */
  isSettled(serverId: string, jobId: string): boolean {
    const server = this.servers.get(serverId);
    return server !== undefined && (server.finished.has(jobId) || server.knownIds.has(jobId));
  }

  finishedRecord(serverId: string, jobId: string): FinishedRecord | undefined {
    return this.servers.get(serverId)?.finished.get(jobId);
  }

  finishedJobs(serverId: string): FinishedRecord[] {
    return [...(this.servers.get(serverId)?.finished.values() ?? [])];
  }

  /** Records a finished job and resolves once that is on disk. */
  async recordFinished(serverId: string, view: JobView & { status: TerminalJobStatus }): Promise<void> {
    const server = this.server(serverId);
    const handled = server.finished.get(view.id)?.handled ?? {};
    server.finished.delete(view.id);
    server.finished.set(view.id, toFinishedRecord(view, handled));
    this.trimFinished(serverId, server, view.id);
    server.active = server.active.filter((job) => job.id !== view.id);
    await this.writer.flush();
  }

  /**
   * Oldest out first, except jobs whose later work is unfinished: those are kept beyond the bound, as many as
   * `maxUnfinishedPerServer`; past that the oldest of them go too (a server whose outputs can never be saved must
   * not grow the file forever). The job just recorded always stays.
   */
  private trimFinished(serverId: string, server: ServerState, newest: string): void {
    if (server.finished.size <= this.maxJobsPerServer) return;
    const unfinished = this.options.unfinished;
    const spared = new Set<string>();
    if (unfinished) for (const [id, record] of server.finished) if (id !== newest && unfinished(record)) spared.add(id);
    let excess = server.finished.size - spared.size - this.maxJobsPerServer;
    for (const id of server.finished.keys()) {
      if (excess <= 0 || id === newest) break;
      if (spared.has(id)) continue;
      server.finished.delete(id);
      excess--;
    }
    let extra = spared.size - this.maxUnfinishedPerServer;
    for (const id of spared) {
      if (extra <= 0) break;
      server.finished.delete(id);
      extra--;
      this.log.warn('forgetting a finished job whose later work never completed', { serverId, jobId: id });
    }
  }

  /** Notes what a later stage (saving, notifying) did for a finished job. */
  async markHandled(serverId: string, jobId: string, stage: string, value: unknown): Promise<void> {
    const record = this.servers.get(serverId)?.finished.get(jobId);
    if (!record) return;
    record.handled = { ...record.handled, [stage]: value };
    await this.writer.flush();
  }

  // ---- in-flight jobs, baseline, restart witness ----

  activeJobs(serverId: string): readonly ActiveRecord[] {
    return this.servers.get(serverId)?.active ?? [];
  }

  setActive(serverId: string, jobs: readonly ActiveRecord[]): void {
    const server = this.server(serverId);
    if (sameActive(server.active, jobs)) return;
    server.active = jobs.map((job) => ({ ...job }));
    this.scheduleSave();
  }

  isBaselined(serverId: string): boolean {
    return this.servers.get(serverId)?.baselined === true;
  }

  /** The server's history when we first watched it: never announced as new. */
  async markBaseline(serverId: string, existingIds: readonly string[]): Promise<void> {
    const server = this.server(serverId);
    for (const id of existingIds) server.knownIds.add(id);
    while (server.knownIds.size > this.maxJobsPerServer) {
      const oldest = server.knownIds.values().next().value;
      if (oldest === undefined) break;
      server.knownIds.delete(oldest);
    }
    server.baselined = true;
    await this.writer.flush();
  }

  finishedMark(serverId: string): FinishedMark | undefined {
    return this.servers.get(serverId)?.mark;
  }

  /** Call once what the look found is recorded (announced): a crash before then must look again, not skip. */
  setFinishedMark(serverId: string, mark: FinishedMark): void {
    const server = this.server(serverId);
    const anchors = mark.anchors.slice(0, MAX_ANCHORS);
    const same = server.mark !== undefined && server.mark.horizon === mark.horizon && server.mark.anchors.length === anchors.length && server.mark.anchors.every((id, i) => id === anchors[i]);
    if (same) return;
    server.mark = { anchors, ...(mark.horizon !== undefined && { horizon: mark.horizon }) };
    this.scheduleSave();
  }

  /** A job known to be in the server's history; if it disappears, the history was cleared (a restart). */
  witness(serverId: string): string | undefined {
    return this.servers.get(serverId)?.witness;
  }

  setWitness(serverId: string, jobId: string | undefined): void {
    const server = this.server(serverId);
    if (server.witness === jobId) return;
    if (jobId === undefined) delete server.witness;
    else server.witness = jobId;
    this.scheduleSave();
  }

  async flush(): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
    }
    await this.writer.flush();
  }

  private scheduleSave(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.writer.flush().catch(() => undefined);
    }, 250);
  }

  private server(serverId: string): ServerState {
    let server = this.servers.get(serverId);
    if (!server) {
      server = { ownClientIds: [], baselined: false, knownIds: new Set(), finished: new Map(), active: [] };
      this.servers.set(serverId, server);
    }
    return server;
  }

  private serialize(): string {
    const servers: Record<string, z.input<typeof serverRecord>> = {};
    for (const [id, s] of this.servers) {
      servers[id] = {
        ...(s.clientId && { clientId: s.clientId }),
        ownClientIds: s.ownClientIds,
        baselined: s.baselined,
        knownIds: [...s.knownIds],
        ...(s.mark && { mark: { anchors: [...s.mark.anchors], ...(s.mark.horizon !== undefined && { horizon: s.mark.horizon }) } }),
        ...(s.witness !== undefined && { witness: s.witness }),
        finished: [...s.finished.values()],
        active: s.active,
      };
    }
    return JSON.stringify({ version: 1, servers });
  }
}

function sameActive(a: readonly ActiveRecord[], b: readonly ActiveRecord[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.id !== y.id || x.status !== y.status || x.submittedBy !== y.submittedBy || x.workflowName !== y.workflowName || x.createdAt !== y.createdAt || x.startedAt !== y.startedAt || x.signature !== y.signature) return false;
  }
  return true;
}

function fromRecord(record: z.infer<typeof serverRecord>): ServerState {
  return {
    ...(record.clientId && { clientId: record.clientId }),
    ownClientIds: record.ownClientIds,
    baselined: record.baselined,
    knownIds: new Set(record.knownIds),
    ...(record.mark && { mark: record.mark }),
    ...(record.witness !== undefined && { witness: record.witness }),
    finished: new Map(record.finished.map((job) => [job.id, job])),
    active: record.active,
  };
}

function toFinishedRecord(view: JobView & { status: TerminalJobStatus }, handled: Record<string, unknown>): FinishedRecord {
  return {
    id: view.id,
    status: view.status,
    submittedBy: view.submittedBy,
    ...(view.workflowName !== undefined && { workflowName: view.workflowName }),
    ...(view.outputTitle !== undefined && { outputTitle: view.outputTitle }),
    ...(view.createdAt !== undefined && { createdAt: view.createdAt }),
    ...(view.startedAt !== undefined && { startedAt: view.startedAt }),
    ...(view.endedAt !== undefined && { endedAt: view.endedAt }),
    ...(view.durationMs !== undefined && { durationMs: view.durationMs }),
    outputs: view.outputs.map((o) => ({ ...o })),
    ...(view.error && { error: { ...view.error, traceback: view.error.traceback.slice(-MAX_TRACEBACK_LINES) } }),
    ...(view.lostReason !== undefined && { lostReason: view.lostReason }),
    ...(view.caughtUp === true && { caughtUp: true }),
    handled,
  };
}
