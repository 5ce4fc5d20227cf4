// The core's memory across restarts, per server: which jobs finished (and what was done for them), which were
// still in flight, which client ids were ours, and which history existed before we first saw the server. It is what
// makes `job-finished` exactly-once: a job is announced only after its record is on disk.
//
// On disk it is an append-only log (`journal.jsonl`, see store/append-log.ts and journal-events.ts): each change is
// one small line, appended and fsync'd, and the file is compacted into a snapshot of the live state now and then. A
// finished job costs a few lines whatever the size of the history kept (the whole file used to be rewritten at each
// change). A version-1 `journal.json` is taken over on first open.
import { readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobView, TerminalJobStatus } from '../../shared/app-state.js';
import type { ClientIdStore } from '../comfy/comfy-connection.js';
import { errorMessage } from '../errors.js';
import { createLogger } from '../logger.js';
import { AppendLog, LogDamagedError, readLog, type CompactionPolicy, type LogContents, type LogFormat } from '../store/append-log.js';
import { activeChange, applyEvent, markChange, parseEvent, sameActiveJob, serverOf, snapshotLines, type JournalEvent } from './journal-events.js';
import type { ActiveRecord, FinishedMark, FinishedRecord, ServerState } from './journal-records.js';
import { parseJournalV1 } from './journal-v1.js';

export type { ActiveRecord, FinishedMark, FinishedRecord } from './journal-records.js';

/** The journal's file in the data folder. */
export const JOURNAL_FILE = 'journal.jsonl';
/** Where versions before the log kept it (one JSON document); taken over and removed on first open. */
export const LEGACY_JOURNAL_FILE = 'journal.json';

const FORMAT: LogFormat = { name: 'comfy-tray-journal', version: 2 };

export interface JournalOptions {
  readonly maxJobsPerServer?: number;
  /**
   * A finished job whose later work is not done yet (outputs still to save): kept past the bound, so that work is
   * not forgotten, though never more than `maxUnfinishedPerServer` of them.
   */
  readonly unfinished?: (record: FinishedRecord) => boolean;
  readonly maxUnfinishedPerServer?: number;
  /**
   * What later stages start with for a job recorded finished for the first time (the output saver's acceptance of
   * its outputs), written in the same line as the job: no crash can leave the job recorded without it.
   */
  readonly initialHandled?: (serverId: string, record: FinishedRecord) => Readonly<Record<string, unknown>> | undefined;
  /** When the log is compacted (the defaults suit the app; tests and benchmarks lower them). */
  readonly compaction?: Partial<CompactionPolicy>;
  /** A version-1 journal to take over when this one does not exist yet (`Journal.openIn` names the app's). */
  readonly legacyPath?: string;
}

const MAX_ANCHORS = 50;
const MAX_TRACEBACK_LINES = 60;
/** Changes that need not be on disk at once (client ids, in-flight jobs, marks) are written together this late. */
const LAZY_WRITE_MS = 250;

export class Journal implements ClientIdStore {
  private readonly servers = new Map<string, ServerState>();
  /**
   * Per server, the finished jobs `options.unfinished` holds on to, kept current as records change, so that trimming
   * a job out does not ask it of every job remembered.
   */
  private readonly held = new Map<string, Set<string>>();
  private log: AppendLog;
  private saveTimer: NodeJS.Timeout | undefined;

  private readonly logger = createLogger('Journal');
  private readonly maxJobsPerServer: number;
  private readonly maxUnfinishedPerServer: number;

  private constructor(
    readonly path: string,
    private readonly options: JournalOptions,
  ) {
    this.maxJobsPerServer = options.maxJobsPerServer ?? 1000;
    this.maxUnfinishedPerServer = options.maxUnfinishedPerServer ?? this.maxJobsPerServer;
    this.log = this.newLog();
  }

  /** The journal of a data folder (`JOURNAL_FILE`), taking over a version-1 `LEGACY_JOURNAL_FILE` found there. */
  static openIn(dataDir: string, options: Omit<JournalOptions, 'legacyPath'> = {}): Promise<{ journal: Journal; warning?: string }> {
    return Journal.open(join(dataDir, JOURNAL_FILE), { ...options, legacyPath: join(dataDir, LEGACY_JOURNAL_FILE) });
  }

  /** Opens the journal; a damaged file is moved aside (the warning says where) and an empty journal starts. */
  static async open(path: string, options: JournalOptions = {}): Promise<{ journal: Journal; warning?: string }> {
    const journal = new Journal(path, options);
    let warning: string | undefined;
    let existed = false;
    try {
      const found = await readLog(path, FORMAT);
      if (found) {
        existed = true;
        journal.replay(found.entries);
        journal.log = journal.newLog(found);
      }
    } catch (error) {
      if (!(error instanceof LogDamagedError)) throw error;
      existed = true;
      journal.servers.clear();
      warning = await setAside(path, error.reason);
    }
    if (options.legacyPath !== undefined) {
      // With the log there, a version-1 file is what a migration stopped between writing the one and removing the
      // other left behind: the log already holds it, and an older version must not pick it up again.
      if (existed) await rm(options.legacyPath, { force: true });
      else warning ??= await journal.migrate(options.legacyPath);
    }
    return warning === undefined ? { journal } : { journal, warning };
  }

  private newLog(found?: LogContents): AppendLog {
    return new AppendLog(this.path, FORMAT, () => snapshotLines(this.servers), found, this.options.compaction);
  }

  private replay(entries: readonly unknown[]): void {
    entries.forEach((entry, index) => {
      let event: JournalEvent;
      try {
        event = parseEvent(entry);
      } catch {
        // Line 1 is the header.
        throw new LogDamagedError(this.path, `line ${index + 2} is not a journal entry`);
      }
      applyEvent(this.servers, event);
    });
    this.judgeAll();
  }

  /** Takes over a version-1 file: written as the log, then removed. Returns a warning when it was unreadable. */
  private async migrate(legacyPath: string): Promise<string | undefined> {
    let text: string;
    try {
      text = await readFile(legacyPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    let servers: Map<string, ServerState>;
    try {
      servers = parseJournalV1(text);
    } catch (error) {
      return setAside(legacyPath, errorMessage(error));
    }
    for (const [id, server] of servers) this.servers.set(id, server);
    this.judgeAll();
    try {
      await this.log.flush();
    } catch (error) {
      // Kept until the log is written (any later write does it); until then the old file is the only copy.
      this.logger.warn('could not write the journal taken over from journal.json; keeping that file', { error: errorMessage(error) });
      return undefined;
    }
    await rm(legacyPath, { force: true });
    this.logger.info('journal.json taken over', { servers: servers.size });
    return undefined;
  }

  // ---- client ids (ClientIdStore) ----

  get(serverId: string): { clientId: string; closedCleanly: boolean } | undefined {
    return this.servers.get(serverId)?.clientId;
  }

  set(serverId: string, record: { clientId: string; closedCleanly: boolean }): void {
    this.change({ t: 'client-id', s: serverId, clientId: record.clientId, closedCleanly: record.closedCleanly });
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
    const server = serverOf(this.servers, serverId);
    const existing = server.finished.get(view.id);
    const job = toFinishedRecord(view, existing?.handled ?? {});
    if (!existing) job.handled = { ...this.options.initialHandled?.(serverId, job) };
    const event = { t: 'finished', s: serverId, job } as const;
    applyEvent(this.servers, event);
    this.judge(serverId, job);
    // In the same line: a crash keeps both or neither.
    const forget = this.trimFinished(serverId, server, view.id);
    this.append(forget.length > 0 ? { ...event, forget } : event);
    await this.log.flush();
  }

  /**
   * Oldest out first, except jobs whose later work is unfinished: those are kept beyond the bound, as many as
   * `maxUnfinishedPerServer`; past that the oldest of them go too (a server whose outputs can never be saved must
   * not grow the file forever). The job just recorded always stays. Returns the ids forgotten. Looks at the oldest
   * jobs only, as many as it forgets or passes over while held.
   */
  private trimFinished(serverId: string, server: ServerState, newest: string): string[] {
    if (server.finished.size <= this.maxJobsPerServer) return [];
    const held = this.held.get(serverId) ?? new Set<string>();
    const spared = held.size - (held.has(newest) ? 1 : 0);
    const forgotten: string[] = [];
    let excess = server.finished.size - spared - this.maxJobsPerServer;
    for (const id of server.finished.keys()) {
      if (excess <= 0 || id === newest) break;
      if (held.has(id)) continue;
      forgotten.push(id);
      excess--;
    }
    let extra = spared - this.maxUnfinishedPerServer;
    for (const id of server.finished.keys()) {
      if (extra <= 0 || id === newest) break;
      if (!held.has(id)) continue;
      forgotten.push(id);
      extra--;
      this.logger.warn('forgetting a finished job whose later work never completed', { serverId, jobId: id });
    }
    for (const id of forgotten) {
      server.finished.delete(id);
      held.delete(id);
    }
    return forgotten;
  }

  private judgeAll(): void {
    for (const [serverId, server] of this.servers) for (const record of server.finished.values()) this.judge(serverId, record);
  }

  /** Keeps `held` current: called whenever a finished record is added or changes. */
  private judge(serverId: string, record: FinishedRecord): void {
    const unfinished = this.options.unfinished;
    if (!unfinished) return;
    let held = this.held.get(serverId);
    if (unfinished(record)) {
      if (!held) this.held.set(serverId, (held = new Set()));
      held.add(record.id);
    } else {
      held?.delete(record.id);
    }
  }

  /** Notes what a later stage (saving, notifying) did for a finished job; resolves once that is on disk. */
  async markHandled(serverId: string, jobId: string, stage: string, value: unknown): Promise<void> {
    if (!this.noteChange(serverId, jobId, stage, value)) return;
    await this.log.flush();
  }

  /**
   * As `markHandled`, without waiting for the disk: for what a crash may lose because it can be told again (the
   * output saver's record of a file its publish claim names). The next write carries it, at the latest the timer's.
   */
  noteHandled(serverId: string, jobId: string, stage: string, value: unknown): void {
    if (this.noteChange(serverId, jobId, stage, value)) this.scheduleSave();
  }

  private noteChange(serverId: string, jobId: string, stage: string, value: unknown): boolean {
    const record = this.servers.get(serverId)?.finished.get(jobId);
    if (!record) return false;
    this.change({ t: 'handled', s: serverId, id: jobId, stage, value });
    this.judge(serverId, record);
    return true;
  }

  // ---- in-flight jobs, baseline, restart witness ----

  activeJobs(serverId: string): readonly ActiveRecord[] {
    return this.servers.get(serverId)?.active ?? [];
  }

  setActive(serverId: string, jobs: readonly ActiveRecord[]): void {
    const server = serverOf(this.servers, serverId);
    if (sameActive(server.active, jobs)) return;
    const change = activeChange(server.active, jobs);
    this.change(change ? { t: 'active-change', s: serverId, ...change } : { t: 'active', s: serverId, jobs: jobs.map((job) => ({ ...job })) });
    this.scheduleSave();
  }

  isBaselined(serverId: string): boolean {
    return this.servers.get(serverId)?.baselined === true;
  }

  /** The server's history when we first watched it: never announced as new. */
  async markBaseline(serverId: string, existingIds: readonly string[]): Promise<void> {
    const known = new Set(serverOf(this.servers, serverId).knownIds);
    for (const id of existingIds) known.add(id);
    for (const id of known) {
      if (known.size <= this.maxJobsPerServer) break;
      known.delete(id);
    }
    this.change({ t: 'baseline', s: serverId, knownIds: [...known] });
    await this.log.flush();
  }

  finishedMark(serverId: string): FinishedMark | undefined {
    return this.servers.get(serverId)?.mark;
  }

  /** Call once what the look found is recorded (announced): a crash before then must look again, not skip. */
  setFinishedMark(serverId: string, mark: FinishedMark): void {
    const server = serverOf(this.servers, serverId);
    const anchors = mark.anchors.slice(0, MAX_ANCHORS);
    const same = server.mark !== undefined && server.mark.horizon === mark.horizon && server.mark.anchors.length === anchors.length && server.mark.anchors.every((id, i) => id === anchors[i]);
    if (same) return;
    this.change({ t: 'mark', s: serverId, ...markChange(server.mark?.anchors ?? [], anchors), ...(mark.horizon !== undefined && { horizon: mark.horizon }) });
    this.scheduleSave();
  }

  /** A job known to be in the server's history; if it disappears, the history was cleared (a restart). */
  witness(serverId: string): string | undefined {
    return this.servers.get(serverId)?.witness;
  }

  setWitness(serverId: string, jobId: string | undefined): void {
    if (serverOf(this.servers, serverId).witness === jobId) return;
    this.change({ t: 'witness', s: serverId, ...(jobId !== undefined && { id: jobId }) });
    this.scheduleSave();
  }

  /** Resolves once every change so far is on disk. */
  async flush(): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
    }
    await this.log.flush();
  }

  private scheduleSave(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      // A failed write is retried (whole) by the next one; the flushes that must succeed report it.
      this.log.flush().catch(() => undefined);
    }, LAZY_WRITE_MS);
  }

  /** Applies a change to memory and queues its line; the caller decides when it must be on disk. */
  private change(event: JournalEvent): void {
    applyEvent(this.servers, event);
    this.append(event);
  }

  /** Serialised now: the objects in memory change later. */
  private append(event: JournalEvent): void {
    this.log.append(JSON.stringify(event));
  }
}

/** Moves a damaged file aside (best effort: the next write replaces it anyway) and says so for the user. */
async function setAside(path: string, reason: string): Promise<string> {
  const aside = `${path}.corrupt-${Date.now()}`;
  await rename(path, aside).catch(() => undefined);
  return `The job journal was unreadable (${reason.slice(0, 200)}); it was moved to ${aside} and a new one started.`;
}

function sameActive(a: readonly ActiveRecord[], b: readonly ActiveRecord[]): boolean {
  return a.length === b.length && a.every((job, i) => sameActiveJob(job, b[i]!));
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
