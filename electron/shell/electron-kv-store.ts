// The core's KeyValueStore on electron-store (atomic writes, the app's own settings file). The app must start
// whatever that file holds: one that is not a JSON object is moved aside, with defaults and a warning; one that can
// be neither read nor moved aside leaves the app running on defaults kept in memory, with a warning that says so.
import { readFileSync, renameSync } from 'node:fs';
import ElectronStore from 'electron-store';
import { errorMessage } from '../core/errors.js';
import { memoryKeyValueStore, type KeyValueStore } from '../core/store/kv-store.js';

export interface ElectronKvOptions {
  /** The folder of `settings.json`; electron-store's default (the app's user data folder) when not given. */
  readonly cwd?: string;
  /** Names the copy of a broken file (`settings.json.corrupt-<now>`). */
  readonly now?: () => number;
}

export function openElectronKvStore(options: ElectronKvOptions = {}): { store: KeyValueStore; warning?: string } {
  const now = options.now ?? Date.now;
  let backend: ElectronStore;
  try {
    backend = new ElectronStore({
      name: 'settings',
      ...(options.cwd !== undefined && { cwd: options.cwd }),
      // A file that is not JSON reads as empty instead of throwing, and is left as it is until written: it is
      // checked below, where it can be set aside before anything overwrites it.
      clearInvalidConfig: true,
      // Keys are plain names: a dot in one must not turn into nesting.
      accessPropertiesByDotNotation: false,
    });
  } catch (error) {
    return { store: memoryKeyValueStore(), warning: `Your settings file could not be opened (${errorMessage(error)}); defaults are used until the app quits, and changes are not saved.` };
  }
  const problem = unreadable(backend.path);
  if (problem === undefined) return { store: adapt(backend) };
  const aside = `${backend.path}.corrupt-${now()}`;
  try {
    renameSync(backend.path, aside);
  } catch (error) {
    return {
      store: memoryKeyValueStore(),
      warning: `Your settings file could not be read (${problem}) nor set aside (${errorMessage(error)}); defaults are used until the app quits, and changes are not saved.`,
    };
  }
  return { store: adapt(backend), warning: `Your settings file could not be read (${problem}); it was kept as ${aside} and defaults are used.` };
}

/** Why the file cannot be used as a store, or undefined when it can (a missing file is a fresh start). */
function unreadable(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return errorMessage(error);
  }
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? undefined : 'not a JSON object';
  } catch (error) {
    return errorMessage(error);
  }
}

function adapt(backend: ElectronStore): KeyValueStore {
  return {
    get: (key) => backend.get(key),
    set: async (key, value) => backend.set(key, value),
    delete: async (key) => backend.delete(key),
  };
}
