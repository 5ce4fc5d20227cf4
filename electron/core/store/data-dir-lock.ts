// One writer per data folder. The journal is rewritten whole from memory, so two processes writing it (the app and a
// headless `watch`) would each erase what the other recorded. Whoever writes the journal holds this lock: a file
// created exclusively, naming its holder, removed on release and at process exit. A lock whose holder died (crash,
// SIGKILL, power cut) is taken over; one held by a live process is refused with who holds it.
import { randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { ComfyTrayError } from '../errors.js';

export const LOCK_FILE = 'comfy-tray.lock';

const holderSchema = z.object({
  pid: z.number().int().positive(),
  hostname: z.string(),
  /** Epoch ms when the lock was taken. */
  startedAt: z.number(),
  /** What holds it, for the message: 'app', 'watch', 'submit'. */
  purpose: z.string().max(50),
  /** Tells this holding apart from an earlier one by the same pid (a restarted container is pid 1 again). */
  token: z.string(),
});
export type LockHolder = z.infer<typeof holderSchema>;

/** Thrown by `DataDirLock.acquire` when a live process holds the folder. */
export class DataDirLockedError extends ComfyTrayError {
  constructor(
    readonly lockPath: string,
    readonly holder: LockHolder | undefined,
  ) {
    super('DATA_DIR_LOCKED', `${describeHolder(holder)} is using ${dirname(lockPath)}; stop it first (or delete ${lockPath} if nothing is running)`);
    this.name = 'DataDirLockedError';
  }
}

export interface LockOptions {
  /** Whether a process is running; tests inject one. Default: signal 0. */
  readonly isAlive?: (pid: number) => boolean;
}

/** A lock file still being written (by the fallback without hard links) is not judged before this age. */
const UNREADABLE_GRACE_MS = 10_000;
/** Attempts when another process takes over or releases the lock at the same moment. */
const MAX_ATTEMPTS = 5;
/** Tokens of the locks this process holds now. */
const heldHere = new Set<string>();

export class DataDirLock {
  private released = false;
  private readonly onExit = (): void => this.releaseSync();

  private constructor(
    readonly path: string,
    readonly holder: LockHolder,
  ) {
    // Released even when the process ends without calling `release` (process.exit, an uncaught error). SIGKILL
    // leaves the file behind; the next taker sees its holder is dead.
    process.once('exit', this.onExit);
    heldHere.add(holder.token);
  }

  /** Takes the folder's lock (creating the folder), or throws DataDirLockedError naming the live holder. */
  static async acquire(dataDir: string, purpose: string, options: LockOptions = {}): Promise<DataDirLock> {
    const isAlive = options.isAlive ?? processIsAlive;
    const path = join(dataDir, LOCK_FILE);
    await mkdir(dataDir, { recursive: true });
    const holder: LockHolder = { pid: process.pid, hostname: hostname(), startedAt: Date.now(), purpose, token: randomUUID() };
    let current: LockHolder | undefined;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (await createExclusive(path, JSON.stringify(holder))) return new DataDirLock(path, holder);
      const found = await readHolder(path);
      if (found === 'gone') continue;
      current = found.holder;
      if (!isStale(found, isAlive)) throw new DataDirLockedError(path, current);
      await removeStale(path, found.text);
    }
    throw new DataDirLockedError(path, current);
  }

  /** The live holder of a folder's lock, if any (for read-only commands that only report it). */
  static async holder(dataDir: string, options: LockOptions = {}): Promise<LockHolder | undefined> {
    const found = await readHolder(join(dataDir, LOCK_FILE));
    if (found === 'gone' || isStale(found, options.isAlive ?? processIsAlive)) return undefined;
    return found.holder;
  }

  get held(): boolean {
    return !this.released;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    process.removeListener('exit', this.onExit);
    heldHere.delete(this.holder.token);
    // Removed only while it is still ours: a lock taken over as stale (this process was frozen for a long time)
    // belongs to its new holder.
    const found = await readHolder(this.path);
    if (found !== 'gone' && found.holder?.token === this.holder.token) await rm(this.path, { force: true });
  }

  private releaseSync(): void {
    if (this.released) return;
    this.released = true;
    heldHere.delete(this.holder.token);
    try {
      const holder = parseHolder(readFileSync(this.path, 'utf8'));
      if (holder?.token === this.holder.token) unlinkSync(this.path);
    } catch {
      // Exiting: nothing more can be done, and a leftover lock of a dead process is taken over next time.
    }
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface FoundLock {
  readonly text: string;
  readonly holder: LockHolder | undefined;
  readonly ageMs: number;
}

function isStale(found: FoundLock, isAlive: (pid: number) => boolean): boolean {
  const { holder } = found;
  if (!holder) return found.ageMs > UNREADABLE_GRACE_MS;
  // Another machine sharing the folder: its processes cannot be checked from here.
  if (holder.hostname !== hostname()) return false;
  // Our own pid: held by this process, or left by an earlier process that had the same pid.
  if (holder.pid === process.pid) return !heldHere.has(holder.token);
  return !isAlive(holder.pid);
}

/**
 * Creates the lock file with its whole content or not at all: the content is written beside it, then hard-linked
 * to the lock's name (which fails if the name exists). Where hard links are not supported, an exclusive create.
 */
async function createExclusive(path: string, content: string): Promise<boolean> {
  const temp = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(temp, content, { flag: 'wx', mode: 0o644 });
    try {
      await link(temp, path);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw error;
    }
    try {
      await writeFile(path, content, { flag: 'wx', mode: 0o644 });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  } finally {
    await rm(temp, { force: true });
  }
}

async function readHolder(path: string): Promise<FoundLock | 'gone'> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { text, holder: parseHolder(text), ageMs: Date.now() - info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const parsed = holderSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Moves a dead holder's lock out of the way. Two processes may judge the same lock stale at once; the rename lets
 * only one of them move it, and a lock that turns out to be a fresh one (taken in between) is put back.
 */
async function removeStale(path: string, staleText: string): Promise<void> {
  const aside = `${path}.${randomUUID()}.stale`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    const moved = await readFile(aside, 'utf8');
    if (moved !== staleText) await link(aside, path).catch(() => undefined);
  } finally {
    await rm(aside, { force: true });
  }
}

function describeHolder(holder: LockHolder | undefined): string {
  if (!holder) return 'Another Comfy Tray process';
  const what = holder.purpose === 'app' ? 'The Comfy Tray app' : `Comfy Tray ${holder.purpose}`;
  const where = holder.hostname === hostname() ? '' : ` on ${holder.hostname}`;
  return `${what} (pid ${holder.pid}${where}, since ${new Date(holder.startedAt).toISOString()})`;
}
