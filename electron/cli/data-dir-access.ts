// How each headless command uses the shared data folder. The journal is written (appended to, and compacted) from
// its holder's memory, so only the holder of the folder's lock may write it: `watch` takes the lock or refuses; `submit` takes it when free and
// otherwise works on a private copy; `status` only ever reads a private copy.
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JOURNAL_FILE, LEGACY_JOURNAL_FILE } from '../core/jobs/journal.js';
import { DataDirLock, DataDirLockedError, type LockHolder } from '../core/store/data-dir-lock.js';

/**
 * The engine's files in the data folder (electron/core/engine.ts opens them there). The journal is one file that is
 * only ever appended to or replaced by a rename, so a copy made while its holder writes is a state it had, perhaps
 * with a last line cut short (which the copy's reader ignores). A version-1 journal is copied too: the holder may be
 * an older version of the app.
 */
const ENGINE_FILES = [JOURNAL_FILE, LEGACY_JOURNAL_FILE, 'durations.json'] as const;

export interface DataDirUse {
  /** The folder to hand to the engine. */
  readonly dir: string;
  /** This run works on a copy because another process holds the shared folder (`heldBy`, when readable). */
  readonly copied: boolean;
  readonly heldBy?: LockHolder;
  release(): Promise<void>;
}

/** The shared folder, locked for this run; throws DataDirLockedError when another process holds it. */
export async function lockDataDir(dataDir: string, purpose: string): Promise<DataDirUse> {
  const lock = await DataDirLock.acquire(dataDir, purpose);
  return { dir: dataDir, copied: false, release: () => lock.release() };
}

/** The shared folder when free (locked for the run), else a private copy of its engine files. */
export async function lockOrCopyDataDir(dataDir: string, purpose: string): Promise<DataDirUse> {
  try {
    return await lockDataDir(dataDir, purpose);
  } catch (error) {
    if (!(error instanceof DataDirLockedError)) throw error;
    return { ...(await copyDataDir(dataDir)), ...(error.holder !== undefined && { heldBy: error.holder }) };
  }
}

/**
 * A private copy of the engine files, removed on release. What the engine writes there (client ids, a corrupt
 * journal moved aside) never reaches the shared folder.
 */
export async function copyDataDir(dataDir: string): Promise<DataDirUse> {
  const dir = await mkdtemp(join(tmpdir(), 'comfy-tray-'));
  try {
    for (const name of ENGINE_FILES) {
      await copyFile(join(dataDir, name), join(dir, name)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, copied: true, release: () => rm(dir, { recursive: true, force: true }) };
}
