// The core's KeyValueStore on electron-store (atomic writes, the app's own settings file). A file that cannot be
// parsed is moved aside so the app still starts, with defaults and a warning.
import { renameSync } from 'node:fs';
import ElectronStore from 'electron-store';
import type { KeyValueStore } from '../core/store/kv-store.js';

export function openElectronKvStore(): { store: KeyValueStore; warning?: string } {
  let backend: ElectronStore;
  let warning: string | undefined;
  try {
    backend = new ElectronStore({ name: 'settings', clearInvalidConfig: false });
  } catch (error) {
    const probe = new ElectronStore({ name: 'settings-probe' });
    const path = probe.path.replace(/settings-probe\.json$/, 'settings.json');
    const aside = `${path}.corrupt-${Date.now()}`;
    renameSync(path, aside);
    warning = `Your settings file could not be read (${error instanceof Error ? error.message : String(error)}); it was kept as ${aside} and defaults are used.`;
    backend = new ElectronStore({ name: 'settings' });
  }
  const store: KeyValueStore = {
    get: (key) => backend.get(key),
    set: async (key, value) => backend.set(key, value),
    delete: async (key) => backend.delete(key),
  };
  return warning ? { store, warning } : { store };
}
