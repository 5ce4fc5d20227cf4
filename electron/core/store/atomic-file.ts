// Files that are either the old version or the new one, never half of each: write a temporary file beside the
// target, flush it to disk, then rename over the target.
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';

export async function writeFileAtomic(path: string, data: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/**
 * Coalesces writes of a value that changes often: at most one write in flight, the next one carries the latest
 * value. `flush()` resolves once everything requested so far is on disk.
 */
export class CoalescingWriter {
  private inFlight: Promise<void> | undefined;
  private queued = false;
  private waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];

  constructor(
    private readonly path: string,
    private readonly serialize: () => string,
  ) {}

  flush(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.queued = true;
      if (!this.inFlight) this.inFlight = this.loop();
    });
  }

  private async loop(): Promise<void> {
    while (this.queued) {
      this.queued = false;
      const waiters = this.waiters;
      this.waiters = [];
      try {
        await writeFileAtomic(this.path, this.serialize());
        for (const w of waiters) w.resolve();
      } catch (error) {
        for (const w of waiters) w.reject(error);
      }
    }
    this.inFlight = undefined;
  }
}

/**
 * Makes a rename in `dir` durable: the new directory entry reaches the disk (a power loss right after a rename could
 * otherwise bring the old file back). Where directories cannot be opened (Windows), the rename is as durable as the OS
 * makes it.
 */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // EISDIR/EPERM on Windows; nothing more can be done there.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
