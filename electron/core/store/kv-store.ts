// A small key-value interface the core persists through: electron-store in the app, a JSON file for tests and the
// headless mode. Values are plain JSON; validation belongs to whoever reads them.
import { readFile, rename } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-file.js';

export interface KeyValueStore {
  get(key: string): unknown;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
}

/**
 * Turns secrets into text that is safe to write to disk (Electron's safeStorage in the app). When `available` is
 * false nothing may be written: `protect` throws, and `unavailableReason` says why in words the user can act on.
 * `reveal` may still read what an earlier, weaker protection wrote, so it can be taken off the disk.
 */
export interface SecretProtector {
  readonly available: boolean;
  readonly unavailableReason?: string;
  protect(plain: string): string;
  reveal(protectedText: string): string;
}

/** For machines with no keychain: secrets are kept in memory only and never written. */
export const NO_SECRET_PROTECTION: SecretProtector = {
  available: false,
  unavailableReason: 'There is no secure storage on this machine',
  protect: () => {
    throw new Error('no secret protection on this machine');
  },
  reveal: () => {
    throw new Error('no secret protection on this machine');
  },
};

/** Kept in memory only: for when the settings file can be neither read nor set aside, and for tests. */
export function memoryKeyValueStore(): KeyValueStore {
  const data = new Map<string, unknown>();
  return {
    get: (key) => data.get(key),
    set: async (key, value) => void data.set(key, structuredClone(value)),
    delete: async (key) => void data.delete(key),
  };
}

export class JsonFileStore implements KeyValueStore {
  private constructor(
    private readonly path: string,
    private data: Record<string, unknown>,
  ) {}

  /**
   * Opens the file; one that cannot be read as a JSON object is moved aside and replaced by an empty store, with the
   * reason returned as a warning — the app must start whatever the file holds.
   */
  static async open(path: string): Promise<{ store: JsonFileStore; warning?: string }> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { store: new JsonFileStore(path, {}) };
      throw error;
    }
    try {
      const value: unknown = JSON.parse(text);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
      return { store: new JsonFileStore(path, value as Record<string, unknown>) };
    } catch (error) {
      const aside = `${path}.corrupt-${Date.now()}`;
      await rename(path, aside).catch(() => undefined);
      return {
        store: new JsonFileStore(path, {}),
        warning: `${path} could not be read (${error instanceof Error ? error.message : String(error)}); it was kept as ${aside} and defaults are used.`,
      };
    }
  }

  get(key: string): unknown {
    return this.data[key];
  }

  async set(key: string, value: unknown): Promise<void> {
    this.data = { ...this.data, [key]: value };
    await writeFileAtomic(this.path, JSON.stringify(this.data, null, 2));
  }

  async delete(key: string): Promise<void> {
    const { [key]: _removed, ...rest } = this.data;
    this.data = rest;
    await writeFileAtomic(this.path, JSON.stringify(this.data, null, 2));
  }
}
