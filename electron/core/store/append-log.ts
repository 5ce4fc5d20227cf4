// A file of JSON lines that grows by appending: what changed is written (and fsync'd) as one small line, whatever
// the size of what the file already holds. A header line, then a snapshot of the live state as its owner writes it,
// then the changes since. When the changes outgrow the snapshot by `factor`, the file is compacted: a new snapshot is
// written beside it, fsync'd, renamed over it and the folder fsync'd, so the file is always either the old one or
// the new one. Amortised, each byte appended costs about 1 + 1/factor bytes written; the file, which is read whole
// at start, never holds more than (1 + factor) times the live state (and `minBytes`).
//
// After a crash the last line may be cut short (a write the kill interrupted, never acknowledged): it is ignored, and
// the next write compacts, so nothing is ever appended after it. Anything else unreadable is damage (`LogDamagedError`).
import { randomBytes } from 'node:crypto';
import { closeSync, fdatasync as fdatasyncCallback, openSync, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { mkdir, open, readdir, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ComfyTrayError } from '../errors.js';

/** What the header names: a file of another kind or version is not read as this one. */
export interface LogFormat {
  readonly name: string;
  readonly version: number;
}

export interface CompactionPolicy {
  /** No compaction before this many bytes were appended since the last one. */
  readonly minBytes: number;
  /** Compact once the appended bytes exceed the snapshot's size times this. */
  readonly factor: number;
}

/**
 * Twice the bytes written per change, for a file at most twice the live state (plus 1 MB): reading it at start then
 * costs about what reading the old one-document journal did.
 */
export const DEFAULT_COMPACTION: CompactionPolicy = { minBytes: 1024 * 1024, factor: 1 };

/** What `readLog` found: the entries after the header (snapshot and changes alike, in order), and the sizes. */
export interface LogContents {
  readonly entries: readonly unknown[];
  /** Bytes of the snapshot's lines (header excluded). */
  readonly snapshotBytes: number;
  /** Bytes of complete lines appended after the snapshot. */
  readonly appendedBytes: number;
  /** Bytes of complete lines in the file, header included: where the next line goes. */
  readonly size: number;
  /** The file ends with a line cut short. */
  readonly tornTail: boolean;
}

export class LogDamagedError extends ComfyTrayError {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super('JOURNAL_CORRUPT', `${basename(path)}: ${reason}`);
    this.name = 'LogDamagedError';
  }
}

const headerKey = 'log';
const fdatasync = promisify(fdatasyncCallback);

/**
 * Reads the whole file; undefined when there is none. Removes what a compaction killed midway left beside it (only
 * the one process that holds the data folder opens its log). Throws LogDamagedError when it cannot be trusted.
 */
export async function readLog(path: string, format: LogFormat): Promise<LogContents | undefined> {
  await removeLeftovers(path);
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  // Byte offsets: a newline byte never occurs inside a multi-byte UTF-8 character.
  const end = data.lastIndexOf(0x0a) + 1;
  const lines: unknown[] = [];
  let headerBytes = 0;
  let snapshotBytes = 0;
  for (let start = 0, number = 1; start < end; number++) {
    const newline = data.indexOf(0x0a, start);
    let value: unknown;
    try {
      value = JSON.parse(data.toString('utf8', start, newline));
    } catch {
      throw new LogDamagedError(path, `line ${number} is not JSON`);
    }
    if (number === 1) {
      snapshotBytes = headerSnapshotBytes(path, value, format);
      headerBytes = newline + 1;
    } else {
      lines.push(value);
    }
    start = newline + 1;
  }
  if (headerBytes === 0) throw new LogDamagedError(path, 'no header line');
  const appendedBytes = end - headerBytes - snapshotBytes;
  // A snapshot is written whole before the file takes its name: one cut short is damage, not a crash.
  if (appendedBytes < 0) throw new LogDamagedError(path, `shorter than its snapshot (${end - headerBytes} of ${snapshotBytes} bytes)`);
  return { entries: lines, snapshotBytes, appendedBytes, size: end, tornTail: end < data.length };
}

function headerSnapshotBytes(path: string, value: unknown, format: LogFormat): number {
  if (typeof value !== 'object' || value === null) throw new LogDamagedError(path, 'no header line');
  const header = value as Record<string, unknown>;
  if (header[headerKey] !== format.name) throw new LogDamagedError(path, `not a ${format.name} file`);
  if (header.version !== format.version) throw new LogDamagedError(path, `version ${String(header.version)}, expected ${format.version}`);
  const bytes = header.snapshotBytes;
  if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0) throw new LogDamagedError(path, 'the header has no snapshot size');
  return bytes;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The writing side. `append` queues a line; `flush` resolves once every line queued before it is on disk (lines
 * queued together go out in one write and one fsync). `snapshot` gives the owner's live state as lines: it is called
 * synchronously when a compaction starts, and must then reflect exactly the lines queued so far.
 */
export class AppendLog {
  private queue: string[] = [];
  private waiters: Waiter[] = [];
  private running = false;
  private size: number;
  private snapshotBytes: number;
  private appendedBytes: number;
  /** The next write is a compaction: there is no file yet, it ends with a torn line, or a write failed midway. */
  private rewrite: boolean;
  private readonly policy: CompactionPolicy;

  constructor(
    readonly path: string,
    private readonly format: LogFormat,
    private readonly snapshot: () => readonly string[],
    found?: LogContents,
    policy: Partial<CompactionPolicy> = {},
  ) {
    this.policy = { ...DEFAULT_COMPACTION, ...policy };
    this.size = found?.size ?? 0;
    this.snapshotBytes = found?.snapshotBytes ?? 0;
    this.appendedBytes = found?.appendedBytes ?? 0;
    this.rewrite = found === undefined || found.tornTail;
  }

  /** Queues one line (JSON text without a newline); written by the next flush. */
  append(line: string): void {
    this.queue.push(line);
  }

  /** Resolves once everything queued so far is on disk; rejects when writing it failed (the next flush rewrites). */
  flush(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (this.running) return;
      this.running = true;
      // From the next microtask: lines queued in the same turn of the event loop share one write.
      queueMicrotask(() => void this.run());
    });
  }

  private async run(): Promise<void> {
    while (this.waiters.length > 0) {
      // Taken together with the snapshot (if this write compacts), before anything is awaited.
      const lines = this.queue;
      const waiters = this.waiters;
      this.queue = [];
      this.waiters = [];
      try {
        if (lines.length > 0 || this.rewrite) await this.write(lines);
        for (const waiter of waiters) waiter.resolve();
      } catch (error) {
        // Part of it may be in the file: whatever comes next goes into a new one, which holds these lines too.
        this.rewrite = true;
        for (const waiter of waiters) waiter.reject(error);
      }
    }
    this.running = false;
  }

  private async write(lines: readonly string[]): Promise<void> {
    const data = Buffer.from(lines.length > 0 ? `${lines.join('\n')}\n` : '', 'utf8');
    const limit = Math.max(this.policy.minBytes, this.policy.factor * this.snapshotBytes);
    if (this.rewrite || this.appendedBytes + data.length > limit) return this.compact();
    let fd: number;
    try {
      fd = openSync(this.path, 'r+');
    } catch (error) {
      // Deleted behind our back (its folder too, perhaps): written anew, whole.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return this.compact();
      throw error;
    }
    try {
      for (let offset = 0; offset < data.length; ) offset += writeSync(fd, data, offset, data.length - offset, this.size + offset);
      await fdatasync(fd);
    } finally {
      closeSync(fd);
    }
    this.size += data.length;
    this.appendedBytes += data.length;
  }

  /**
   * Writes the live state as a new file. The snapshot covers every line applied so far, those of the batch being
   * written and any queued since: they are all dropped here, in the same turn (their flushes resolve with this write).
   */
  private async compact(): Promise<void> {
    const body = this.snapshot()
      .map((line) => `${line}\n`)
      .join('');
    this.queue = [];
    const bodyBytes = Buffer.byteLength(body);
    const header = JSON.stringify({ [headerKey]: this.format.name, version: this.format.version, snapshotBytes: bodyBytes });
    const data = Buffer.from(`${header}\n${body}`, 'utf8');
    const temp = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await mkdir(dirname(this.path), { recursive: true });
      const handle = await open(temp, 'wx', 0o600);
      try {
        await writeAll(handle, data, 0);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.path);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw error;
    }
    this.size = data.length;
    this.snapshotBytes = bodyBytes;
    this.appendedBytes = 0;
    this.rewrite = false;
    // The rename itself must survive a power cut, or the next start could find the old file.
    await syncDirectory(dirname(this.path));
  }
}

async function writeAll(handle: FileHandle, data: Buffer, position: number): Promise<void> {
  for (let offset = 0; offset < data.length; ) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset, position + offset);
    offset += bytesWritten;
  }
}

/** Windows (and some file systems) cannot open or fsync a folder; there the rename is as durable as it gets. */
const NO_DIRECTORY_SYNC = new Set(['EISDIR', 'EPERM', 'EACCES', 'EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'EBADF']);

async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    if (!NO_DIRECTORY_SYNC.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}

/** Temporary files of compactions a kill interrupted: `<name>.<12 hex>.tmp`. */
async function removeLeftovers(path: string): Promise<void> {
  const dir = dirname(path);
  const prefix = `${basename(path)}.`;
  const names = await readdir(dir).catch(() => [] as string[]);
  const left = names.filter((name) => name.startsWith(prefix) && /^[0-9a-f]{12}\.tmp$/.test(name.slice(prefix.length)));
  await Promise.all(left.map((name) => rm(join(dir, name), { force: true }).catch(() => undefined)));
}

