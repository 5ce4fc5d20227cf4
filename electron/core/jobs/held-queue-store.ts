// The jobs this app took off a server's queue and holds until it queues them again (a paused queue, a job being
// moved), kept on disk so that no crash can lose one: a job is written here, flushed to the disk, before the request
// that deletes it from the server goes out, and it leaves this file only once it is back on the server (or ran, or the
// user removed it). Apart from the journal on purpose: small, rewritten whole and atomically, each write synced.
import { readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { QueuePlacement } from '../comfy/queue-records.js';
import { errorMessage } from '../errors.js';
import { syncDirectory, writeFileAtomic } from '../store/atomic-file.js';

export type HoldReason = 'paused' | 'moving';

export interface HeldJob {
  readonly id: string;
  /** The API prompt and extra_data exactly as the server listed them (see queue-records.ts). */
  readonly promptJson: string;
  readonly extraDataJson?: string;
  readonly clientId?: string;
  /** Its queue number on the server when it was taken off. */
  readonly priority?: number;
  /** Held while the queue is paused, or only between the delete and the re-queue of a move. */
  readonly reason: HoldReason;
  /** Where a move puts it back (a paused job goes back at the end, in held order). */
  readonly placement?: QueuePlacement;
  readonly heldAt: number;
  /** For showing it while held (the server no longer lists it). */
  readonly submittedBy: 'this-app' | 'other';
  readonly workflowName?: string;
  readonly createdAt?: number;
}

const placement = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('append') }),
  z.object({ kind: z.literal('front') }),
  z.object({ kind: z.literal('number'), number: z.number().finite() }),
]);
const heldJob = z.object({
  id: z.string().min(1).max(200),
  promptJson: z.string().min(2),
  extraDataJson: z.string().optional(),
  clientId: z.string().optional(),
  priority: z.number().optional(),
  reason: z.enum(['paused', 'moving']),
  placement: placement.optional(),
  heldAt: z.number(),
  submittedBy: z.enum(['this-app', 'other']),
  workflowName: z.string().optional(),
  createdAt: z.number().optional(),
});
const serverHeld = z.object({ paused: z.boolean(), pausedAt: z.number().optional(), jobs: z.array(heldJob) });
const heldFile = z.object({ version: z.literal(1), servers: z.record(z.string(), serverHeld) });

interface ServerHeld {
  paused: boolean;
  pausedAt?: number;
  jobs: HeldJob[];
}

export class HeldQueueStore {
  private readonly servers = new Map<string, ServerHeld>();
  /** Writes one after another: each carries everything changed before it. */
  private writing: Promise<void> = Promise.resolve();

  private constructor(readonly path: string) {}

  /**
   * Reads the held jobs. An unreadable file is moved aside, not deleted (it holds prompts that exist nowhere else), and
   * the warning says where it went.
   */
  static async open(path: string): Promise<{ store: HeldQueueStore; warning?: string }> {
    const store = new HeldQueueStore(path);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { store };
      throw error;
    }
    try {
      const parsed = heldFile.parse(JSON.parse(text));
      for (const [id, record] of Object.entries(parsed.servers)) store.servers.set(id, record);
      return { store };
    } catch (error) {
      const aside = `${path}.corrupt-${Date.now()}`;
      await rename(path, aside).catch(() => undefined);
      return { store, warning: `The list of jobs held off paused queues was unreadable (${errorMessage(error).slice(0, 200)}); it was moved to ${aside}.` };
    }
  }

  paused(serverId: string): boolean {
    return this.servers.get(serverId)?.paused === true;
  }

  pausedAt(serverId: string): number | undefined {
    return this.servers.get(serverId)?.pausedAt;
  }

  /** In the order they go back on the server. */
  jobs(serverId: string): readonly HeldJob[] {
    return this.servers.get(serverId)?.jobs ?? [];
  }

  job(serverId: string, id: string): HeldJob | undefined {
    return this.jobs(serverId).find((job) => job.id === id);
  }

  async setPaused(serverId: string, paused: boolean, at: number): Promise<void> {
    const server = this.server(serverId);
    server.paused = paused;
    if (paused) server.pausedAt = at;
    else delete server.pausedAt;
    await this.persist();
  }

  /** Write-ahead: resolves once these jobs are on disk, before anything may delete them from the server. */
  async add(serverId: string, jobs: readonly HeldJob[]): Promise<void> {
    if (jobs.length === 0) return;
    const server = this.server(serverId);
    const adding = new Set(jobs.map((job) => job.id));
    server.jobs = [...server.jobs.filter((job) => !adding.has(job.id)), ...jobs];
    await this.persist();
  }

  async remove(serverId: string, ids: Iterable<string>): Promise<void> {
    const gone = new Set(ids);
    const server = this.servers.get(serverId);
    if (!server || gone.size === 0 || !server.jobs.some((job) => gone.has(job.id))) return;
    server.jobs = server.jobs.filter((job) => !gone.has(job.id));
    await this.persist();
  }

  /** Puts these held jobs first (or last), keeping their order among themselves. */
  async reorder(serverId: string, ids: readonly string[], to: 'front' | 'back'): Promise<void> {
    const server = this.servers.get(serverId);
    if (!server) return;
    const moving = new Set(ids);
    const moved = server.jobs.filter((job) => moving.has(job.id));
    const rest = server.jobs.filter((job) => !moving.has(job.id));
    server.jobs = to === 'front' ? [...moved, ...rest] : [...rest, ...moved];
    await this.persist();
  }

  /** Resolves once every change made so far is on disk. */
  flush(): Promise<void> {
    return this.writing;
  }

  private server(serverId: string): ServerHeld {
    let server = this.servers.get(serverId);
    if (!server) {
      server = { paused: false, jobs: [] };
      this.servers.set(serverId, server);
    }
    return server;
  }

  private persist(): Promise<void> {
    // Each write serialises the state at its turn, so a later write never loses an earlier change.
    const next = this.writing.catch(() => undefined).then(async () => {
      await writeFileAtomic(this.path, this.serialize());
      await syncDirectory(dirname(this.path));
    });
    this.writing = next;
    return next;
  }

  private serialize(): string {
    const servers: Record<string, ServerHeld> = {};
    for (const [id, server] of this.servers) if (server.paused || server.jobs.length > 0) servers[id] = server;
    return JSON.stringify({ version: 1, servers });
  }
}
