// One writer per data folder. The journal is rewritten whole from memory, so two processes writing it (the app and a
// headless `watch`) would each erase what the other recorded. Whoever writes the journal holds this lock: a file
// created exclusively, naming its holder, removed on release and at process exit. A lock whose holder died (crash,
// SIGKILL, power cut) is taken over, also when the machine restarted since and its pid now names another process;
// one held by a live process is refused with who holds it.
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, uptime } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
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
  /** The kernel's id of the boot the lock was taken in, where the system gives one (Linux). */
  bootId: z.string().max(100).optional(),
  /** Epoch ms when the machine started, as the holder computed it: the boot marker where there is no boot id. */
  bootedAt: z.number().optional(),
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
/**
 * A boot time computed as now minus uptime moves when the wall clock is stepped (NTP, a user setting the time), so
 * only a lock whose machine started this much earlier than now counts as from another boot. A crash that soon
 * after boot falls back to the pid check.
 */
const BOOT_TIME_TOLERANCE_MS = 10 * 60_000;
/** Where Linux gives the current boot's id (a new one at every boot). */
const BOOT_ID_FILE = '/proc/sys/kernel/random/boot_id';
/** Takeover guards tried per stale lock: each one further is needed only after a taker died mid-takeover. */
const MAX_GUARDS = 8;
/** How long a taker waits for another live process's takeover (milliseconds of work) before giving up. */
const TAKEOVER_WAIT_MS = 5_000;
const TAKEOVER_POLL_MS = 5;
/** Tokens of the locks and takeover guards this process holds now. */
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
    const path = join(dataDir, LOCK_FILE);
    await mkdir(dataDir, { recursive: true });
    const boot = await currentBoot();
    const judge = (found: FoundLock): boolean => isStale(found, options.isAlive ?? processIsAlive, boot);
    const holder = newHolder(purpose, boot);
    let current: LockHolder | undefined;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (await createExclusive(path, JSON.stringify(holder))) return new DataDirLock(path, holder);
      const found = await readHolder(path);
      if (found === 'gone') continue;
      current = found.holder;
      if (!judge(found)) throw new DataDirLockedError(path, current);
      await removeStale(path, found, judge, boot);
    }
    throw new DataDirLockedError(path, current);
  }

  /** The live holder of a folder's lock, if any (for read-only commands that only report it). */
  static async holder(dataDir: string, options: LockOptions = {}): Promise<LockHolder | undefined> {
    const found = await readHolder(join(dataDir, LOCK_FILE));
    if (found === 'gone' || isStale(found, options.isAlive ?? processIsAlive, await currentBoot())) return undefined;
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

interface BootMarker {
  readonly bootId?: string;
  readonly bootedAt?: number;
}

let bootIdRead: Promise<string | undefined> | undefined;

/** This boot of the machine: the kernel's boot id where readable, and the boot time computed from the uptime. */
async function currentBoot(): Promise<BootMarker> {
  bootIdRead ??= readFile(BOOT_ID_FILE, 'utf8').then(
    (text) => text.trim().slice(0, 100) || undefined,
    () => undefined,
  );
  const bootId = await bootIdRead;
  const bootedAt = bootTime();
  return { ...(bootId !== undefined && { bootId }), ...(bootedAt !== undefined && { bootedAt }) };
}

function bootTime(): number | undefined {
  try {
    return Math.round(Date.now() - uptime() * 1000);
  } catch {
    // Some sandboxes refuse to tell: the lock is then judged by its pid alone.
    return undefined;
  }
}

function newHolder(purpose: string, boot: BootMarker): LockHolder {
  return { pid: process.pid, hostname: hostname(), startedAt: Date.now(), purpose, token: randomUUID(), ...boot };
}

/** Taken before this machine last started: its holder ended with that boot, whatever process has its pid now. */
function fromEarlierBoot(holder: LockHolder, boot: BootMarker): boolean {
  if (holder.bootId !== undefined && boot.bootId !== undefined) return holder.bootId !== boot.bootId;
  return holder.bootedAt !== undefined && boot.bootedAt !== undefined && boot.bootedAt - holder.bootedAt > BOOT_TIME_TOLERANCE_MS;
}

interface FoundLock {
  readonly text: string;
  readonly holder: LockHolder | undefined;
  readonly ageMs: number;
  /** Which file it is (inode and modification time): the same text in a file made later is another lock. */
  readonly identity: string;
}

function isStale(found: FoundLock, isAlive: (pid: number) => boolean, boot: BootMarker): boolean {
  const { holder } = found;
  if (!holder) return found.ageMs > UNREADABLE_GRACE_MS;
  // Another machine sharing the folder: its processes cannot be checked from here.
  if (holder.hostname !== hostname()) return false;
  // After a crash or power cut and a restart, the old pid often names an unrelated process that is alive.
  if (fromEarlierBoot(holder, boot)) return true;
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
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path, { bigint: true })]);
    return { text, holder: parseHolder(text), ageMs: Date.now() - Number(info.mtimeMs), identity: `${info.ino}:${info.mtimeNs}` };
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
 * Removes a dead holder's lock, so that takers race for its name again with exclusive creates. Removing a file only
 * if it is still the one judged stale cannot be done in one step, so one process at a time does it: the one that
 * creates this stale lock's takeover guard (a file named after the lock's content). The stale lock, once removed,
 * never comes back (its token is unique), so whoever holds a guard after that finds another lock and leaves it. A
 * guard whose holder died mid-takeover is never removed while others may be judging it: the next guard in line is
 * used instead, and the dead ones are cleared once the stale lock is gone, when no guard matters any more.
 */
async function removeStale(path: string, stale: FoundLock, judge: (found: FoundLock) => boolean, boot: BootMarker): Promise<void> {
  const base = `${path}.${createHash('sha256').update(stale.text).digest('hex').slice(0, 16)}.takeover`;
  const isThatLock = (found: FoundLock | 'gone'): found is FoundLock => found !== 'gone' && found.identity === stale.identity && found.text === stale.text;
  const deadline = Date.now() + TAKEOVER_WAIT_MS;
  let guardIndex = 0;
  while (guardIndex < MAX_GUARDS && Date.now() <= deadline) {
    const guard = `${base}${guardIndex}`;
    const holder = newHolder('takeover', boot);
    heldHere.add(holder.token);
    try {
      if (await createExclusive(guard, JSON.stringify(holder))) {
        let gone: boolean;
        try {
          // Nothing else removes it meanwhile (its holder is dead, other takers wait for this guard) and nothing
          // can take its name while it is there.
          const now = await readHolder(path);
          gone = !isThatLock(now) || judge(now);
          if (isThatLock(now) && gone) await rm(path, { force: true });
        } finally {
          await rm(guard, { force: true });
        }
        if (gone) for (let dead = 0; dead < guardIndex; dead++) await rm(`${base}${dead}`, { force: true });
        return;
      }
    } finally {
      heldHere.delete(holder.token);
    }
    const found = await readHolder(guard);
    // Released just now: try the same guard again.
    if (found === 'gone') continue;
    if (judge(found)) {
      guardIndex++;
      continue;
    }
    // A live process is taking over this lock right now; its work takes milliseconds.
    if (!isThatLock(await readHolder(path))) return;
    await delay(TAKEOVER_POLL_MS);
  }
  throw new DataDirLockedError(path, stale.holder);
}

function describeHolder(holder: LockHolder | undefined): string {
  if (!holder) return 'Another Comfy Tray process';
  const what = holder.purpose === 'app' ? 'The Comfy Tray app' : `Comfy Tray ${holder.purpose}`;
  const where = holder.hostname === hostname() ? '' : ` on ${holder.hostname}`;
  return `${what} (pid ${holder.pid}${where}, since ${new Date(holder.startedAt).toISOString()})`;
}
