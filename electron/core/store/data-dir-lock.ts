// One writer per data folder. The journal is written from its writer's memory, so two processes writing it (the app and a
// headless `watch`) would each erase what the other recorded. Whoever writes the journal holds this lock: a file
// created exclusively, naming its holder, removed on release and at process exit. A lock whose holder died (crash,
// SIGKILL, power cut) is taken over, also when the machine restarted since and its pid now names another process;
// one held by a live process is refused with who holds it. A restart is told by the system's boot id (Linux, macOS,
// Windows), else by the machine's uptime going down: unlike a boot time computed from the wall clock, no clock step
// moves it. The uptime alone misses many restarts (a process started at login takes its lock at about the same uptime
// every boot), so a caller that knows more (the app: no other instance of it can be running) says so (`holderGoneIf`).
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, uptime } from 'node:os';
import { basename, dirname, join, win32 } from 'node:path';
import { performance } from 'node:perf_hooks';
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
  /** The system's id of the boot the lock was taken in, where it gives one (`readBootId`). */
  bootId: z.string().max(100).optional(),
  /**
   * The machine's uptime (seconds) when the lock was taken: the boot marker where there is no boot id. It only grows
   * within a boot, so a smaller uptime now means the machine restarted since. (Locks written before this field, with
   * neither marker, are judged by their pid alone.)
   */
  uptimeAtStart: z.number().nonnegative().optional(),
});
export type LockHolder = z.infer<typeof holderSchema>;

/**
 * Thrown by `DataDirLock.acquire` when the folder cannot be had now: a live process holds it (`holder`), or taking
 * over a dead holder's lock could not be finished (`holder` undefined, the message says why).
 */
export class DataDirLockedError extends ComfyTrayError {
  constructor(
    readonly lockPath: string,
    readonly holder: LockHolder | undefined,
    message = `${describeHolder(holder)} is using ${dirname(lockPath)}; stop it first (or delete ${lockPath} if nothing is running)`,
  ) {
    super('DATA_DIR_LOCKED', message);
    this.name = 'DataDirLockedError';
  }
}

export interface LockOptions {
  /** Whether a process is running; tests inject one. Default: signal 0. */
  readonly isAlive?: (pid: number) => boolean;
  /** This boot's id, undefined where the system gives none; tests inject one. Default: `readBootId`, once per process. */
  readonly bootId?: () => Promise<string | undefined>;
  /** The machine's uptime in seconds; tests inject one. Default: the system's (`os.uptime`). */
  readonly uptime?: () => number;
  /** Epoch ms, for the holder's `startedAt` and the age of an unreadable lock; tests inject one. Default: Date.now. */
  readonly now?: () => number;
  /**
   * What the caller knows that the lock file cannot tell: true declares this holder gone although its pid names a
   * live process (a pid reused after a restart the boot markers missed). The app passes
   * `(h) => h.purpose === 'app'`: it holds Electron's single-instance lock, so no other live app instance can hold
   * the folder. Asked only about a lock of this machine held by another pid, never about a takeover guard; it must
   * answer true only when certain, since taking a live holder's lock lets two processes erase each other's journal.
   */
  readonly holderGoneIf?: (holder: LockHolder) => boolean;
}

/** A lock file still being written (by the fallback without hard links) is not judged before this age. */
const UNREADABLE_GRACE_MS = 10_000;
/** Attempts when another process takes over or releases the lock at the same moment. */
const MAX_ATTEMPTS = 5;
/**
 * Some systems count the uptime in whole seconds from the wall clock and the recorded boot time, which a clock step
 * can nudge by a second: only an uptime this much smaller than the recorded one counts as another boot. Taking a live
 * holder's lock would let two processes erase each other's journal; missing a restart only falls back to the pid check.
 */
const UPTIME_SLACK_S = 2;
/** Where Linux gives the current boot's id (a new one at every boot). */
const BOOT_ID_FILE = '/proc/sys/kernel/random/boot_id';
/** Where Windows counts its boots (`BootId`, one more at every boot). */
const WINDOWS_BOOT_KEY = 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Memory Management\\PrefetchParameters';
/** A boot id command answers in milliseconds; one that hangs must not hold up taking the lock for long. */
const BOOT_ID_TIMEOUT_MS = 3_000;
/** Takeover guards tried per stale lock: each one further is needed only after a taker died mid-takeover. */
const MAX_GUARDS = 8;
/** How long a taker waits for another live process's takeover (milliseconds of work) before giving up. */
const TAKEOVER_WAIT_MS = 5_000;
const TAKEOVER_POLL_MS = 5;
const LOCK_NAME = LOCK_FILE.replaceAll('.', '\\.');
/** A takeover guard's name (`removeStale`): the lock's name, a hash of the stale lock's content, its place in line. */
const GUARD_NAME = new RegExp(`^${LOCK_NAME}\\.([0-9a-f]{16})\\.takeover\\d+$`);
/** A lock's or guard's content being written beside it (`createExclusive`). */
const TEMP_NAME = new RegExp(`^${LOCK_NAME}\\.(?:[0-9a-f]{16}\\.takeover\\d+\\.)?[0-9a-f-]{36}\\.tmp$`);
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
    const machine = await thisMachine(options);
    const judge = (found: FoundLock): boolean => isStale(found, machine, options.holderGoneIf);
    const holder = newHolder(purpose, machine);
    const text = JSON.stringify(holder);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (await createExclusive(path, text)) {
        const lock = new DataDirLock(path, holder);
        await clearLeftovers(path, text, machine);
        return lock;
      }
      const found = await readHolder(path, machine);
      if (found === 'gone') continue;
      if (!judge(found)) throw new DataDirLockedError(path, found.holder);
      await removeStale(path, found, judge, machine);
    }
    // Every attempt found the lock gone or stale, and lost the race for it each time.
    throw new DataDirLockedError(path, undefined, `Other Comfy Tray processes kept taking and releasing ${dirname(path)}; try again`);
  }

  /** The live holder of a folder's lock, if any (for read-only commands that only report it). */
  static async holder(dataDir: string, options: LockOptions = {}): Promise<LockHolder | undefined> {
    const machine = await thisMachine(options);
    const found = await readHolder(join(dataDir, LOCK_FILE), machine);
    if (found === 'gone' || isStale(found, machine, options.holderGoneIf)) return undefined;
    return found.holder;
  }

  get held(): boolean {
    return !this.released;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    process.removeListener('exit', this.onExit);
    // Removed only while it is still ours: a lock taken over as stale (this process was frozen for a long time)
    // belongs to its new holder. Ours until it is gone: an acquire in this process meanwhile must find it held, not
    // judge it left by an earlier process with this pid, take it, and then lose its new lock to the rm below.
    try {
      const found = await readHolder(this.path, { now: Date.now });
      if (found !== 'gone' && found.holder?.token === this.holder.token) await rm(this.path, { force: true });
    } finally {
      heldHere.delete(this.holder.token);
    }
  }

  private releaseSync(): void {
    if (this.released) return;
    this.released = true;
    try {
      const holder = parseHolder(readFileSync(this.path, 'utf8'));
      if (holder?.token === this.holder.token) unlinkSync(this.path);
    } catch {
      // Exiting: nothing more can be done, and a leftover lock of a dead process is taken over next time.
    }
    heldHere.delete(this.holder.token);
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

/** What a lock is judged against: this machine now. */
interface Machine {
  readonly isAlive: (pid: number) => boolean;
  /** The kernel's id of this boot, where the system gives one. */
  readonly bootId?: string;
  /** The machine's uptime in seconds, read afresh at each call (undefined where the system refuses to tell). */
  readonly uptime: () => number | undefined;
  readonly now: () => number;
}

/** Runs a program without a shell, resolving what it printed; rejects when it fails or outlasts the timeout. */
export type RunCommand = (file: string, args: readonly string[]) => Promise<string>;

const runCommand: RunCommand = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(file, args, { timeout: BOOT_ID_TIMEOUT_MS, windowsHide: true, maxBuffer: 64 * 1024 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
  });

/**
 * This boot's id, or undefined where the system gives none or refuses to tell (the lock then falls back to the
 * uptime). Linux: the kernel's boot_id; macOS: the kernel's boot session UUID; Windows: the boot counter.
 */
export async function readBootId(platform: NodeJS.Platform = process.platform, run: RunCommand = runCommand): Promise<string | undefined> {
  try {
    if (platform === 'darwin') return cleanBootId(await run('/usr/sbin/sysctl', ['-n', 'kern.bootsessionuuid']));
    if (platform === 'win32') {
      // By its full path: reg.exe is part of Windows, and whatever else is first on PATH must not answer for it.
      const reg = win32.join(process.env.SystemRoot ?? 'C:\\Windows', 'System32', 'reg.exe');
      const output = await run(reg, ['query', WINDOWS_BOOT_KEY, '/v', 'BootId']);
      const count = /^\s*BootId\s+REG_DWORD\s+(0x[0-9a-f]+)\s*$/im.exec(output)?.[1];
      return count === undefined ? undefined : `windows-boot-${Number.parseInt(count, 16)}`;
    }
    return cleanBootId(await readFile(BOOT_ID_FILE, 'utf8'));
  } catch {
    return undefined;
  }
}

function cleanBootId(text: string): string | undefined {
  return text.trim().slice(0, 100) || undefined;
}

/** Read once per process: it cannot change while the process runs. */
let bootIdRead: Promise<string | undefined> | undefined;

async function thisMachine(options: LockOptions): Promise<Machine> {
  const bootId = await (options.bootId ? options.bootId() : (bootIdRead ??= readBootId()));
  const source = options.uptime ?? uptime;
  return {
    isAlive: options.isAlive ?? processIsAlive,
    ...(bootId !== undefined && { bootId }),
    uptime: () => {
      try {
        const seconds = source();
        return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
      } catch {
        // Some sandboxes refuse to tell: the lock is then judged by its pid alone.
        return undefined;
      }
    },
    now: options.now ?? Date.now,
  };
}

function newHolder(purpose: string, machine: Machine): LockHolder {
  const uptimeAtStart = machine.uptime();
  return {
    pid: process.pid,
    hostname: hostname(),
    startedAt: machine.now(),
    purpose,
    token: randomUUID(),
    ...(machine.bootId !== undefined && { bootId: machine.bootId }),
    ...(uptimeAtStart !== undefined && { uptimeAtStart }),
  };
}

/**
 * Taken before this machine last started: its holder ended with that boot, whatever process has its pid now. The
 * uptime is read after the lock file was, so within one boot it is never below what its holder recorded before
 * writing it.
 */
function fromEarlierBoot(holder: LockHolder, machine: Machine): boolean {
  if (holder.bootId !== undefined && machine.bootId !== undefined) return holder.bootId !== machine.bootId;
  if (holder.uptimeAtStart === undefined) return false;
  const now = machine.uptime();
  return now !== undefined && now < holder.uptimeAtStart - UPTIME_SLACK_S;
}

interface FoundLock {
  readonly text: string;
  readonly holder: LockHolder | undefined;
  readonly ageMs: number;
  /** Which file it is (inode and modification time): the same text in a file made later is another lock. */
  readonly identity: string;
}

function isStale(found: FoundLock, machine: Machine, holderGoneIf?: (holder: LockHolder) => boolean): boolean {
  const { holder } = found;
  if (!holder) return found.ageMs > UNREADABLE_GRACE_MS;
  // Another machine sharing the folder: its processes cannot be checked from here.
  if (holder.hostname !== hostname()) return false;
  // After a crash or power cut and a restart, the old pid often names an unrelated process that is alive.
  if (fromEarlierBoot(holder, machine)) return true;
  // Our own pid: held by this process, or left by an earlier process that had the same pid.
  if (holder.pid === process.pid) return !heldHere.has(holder.token);
  if (holderGoneIf?.(holder) === true) return true;
  return !machine.isAlive(holder.pid);
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

async function readHolder(path: string, clock: { now: () => number }): Promise<FoundLock | 'gone'> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path, { bigint: true })]);
    return { text, holder: parseHolder(text), ageMs: clock.now() - Number(info.mtimeMs), identity: `${info.ino}:${info.mtimeNs}` };
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
 * used instead. Guards left behind are cleared by whoever next takes the lock (`clearLeftovers`).
 */
async function removeStale(path: string, stale: FoundLock, judge: (found: FoundLock) => boolean, machine: Machine): Promise<void> {
  const base = `${path}.${guardHash(stale.text)}.takeover`;
  const isThatLock = (found: FoundLock | 'gone'): found is FoundLock => found !== 'gone' && found.identity === stale.identity && found.text === stale.text;
  // Monotonic: a wall-clock step must neither cut the wait short nor make it last for hours.
  const deadline = performance.now() + TAKEOVER_WAIT_MS;
  let guardIndex = 0;
  while (guardIndex < MAX_GUARDS && performance.now() <= deadline) {
    const guard = `${base}${guardIndex}`;
    const holder = newHolder('takeover', machine);
    heldHere.add(holder.token);
    try {
      if (await createExclusive(guard, JSON.stringify(holder))) {
        try {
          // Nothing else removes it meanwhile (its holder is dead, other takers wait for this guard) and nothing
          // can take its name while it is there.
          const now = await readHolder(path, machine);
          if (isThatLock(now) && judge(now)) await rm(path, { force: true });
        } finally {
          await rm(guard, { force: true });
        }
        return;
      }
    } finally {
      heldHere.delete(holder.token);
    }
    const found = await readHolder(guard, machine);
    // Released just now: try the same guard again.
    if (found === 'gone') continue;
    // By its markers and pid only: what the caller declares gone (`holderGoneIf`) is about lock holders.
    if (isStale(found, machine)) {
      guardIndex++;
      continue;
    }
    // A live process is taking over this lock right now; its work takes milliseconds.
    if (!isThatLock(await readHolder(path, machine))) return;
    await delay(TAKEOVER_POLL_MS);
  }
  const left = `${describeHolder(stale.holder)} ended without releasing ${dirname(path)}`;
  if (guardIndex >= MAX_GUARDS) {
    throw new DataDirLockedError(
      path,
      undefined,
      `${left}, and ${MAX_GUARDS} processes that tried to take its lock over ended midway; delete ${path} and the ${basename(base)}* files beside it`,
    );
  }
  throw new DataDirLockedError(
    path,
    undefined,
    `${left}; another Comfy Tray process (pid ${takerPid(await readHolder(`${base}${guardIndex}`, machine))}) is taking its lock over and has not finished; try again (or delete ${path} if nothing is running)`,
  );
}

function takerPid(found: FoundLock | 'gone'): string {
  return found === 'gone' || found.holder === undefined ? 'unknown' : String(found.holder.pid);
}

/** Names a stale lock's takeover guards: a hash of its content. */
function guardHash(lockText: string): string {
  return createHash('sha256').update(lockText).digest('hex').slice(0, 16);
}

/**
 * Removes what takers killed mid-way left beside the lock, once this process holds it: takeover guards (one left
 * between removing a stale lock and removing its guard is never looked for again: its lock is gone) and old temporary
 * files. No guard matters any more: every stale lock is gone for good, so whoever still holds one finds this lock and
 * leaves it. A temporary file is left while it may still be being written.
 */
async function clearLeftovers(path: string, ownText: string, machine: Machine): Promise<void> {
  const dir = dirname(path);
  const ownHash = guardHash(ownText);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const guardOf = GUARD_NAME.exec(name)?.[1];
    const leftover =
      (guardOf !== undefined && guardOf !== ownHash) || (TEMP_NAME.test(name) && (await ageMs(join(dir, name), machine)) > UNREADABLE_GRACE_MS);
    // Best effort: a leftover that cannot be removed now is tried again at the next acquire.
    if (leftover) await rm(join(dir, name), { force: true }).catch(() => undefined);
  }
}

async function ageMs(path: string, machine: Machine): Promise<number> {
  try {
    return machine.now() - (await stat(path)).mtimeMs;
  } catch {
    return 0;
  }
}

function describeHolder(holder: LockHolder | undefined): string {
  if (!holder) return 'Another Comfy Tray process';
  const what = holder.purpose === 'app' ? 'The Comfy Tray app' : `Comfy Tray ${holder.purpose}`;
  const where = holder.hostname === hostname() ? '' : ` on ${holder.hostname}`;
  return `${what} (pid ${holder.pid}${where}, since ${new Date(holder.startedAt).toISOString()})`;
}
