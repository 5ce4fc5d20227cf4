// Compact rows are a matter of taste, not a setting of the app: kept in the window's own storage, read at start and
// written when changed.
import { effect } from '@preact/signals';
import type { QueueModel } from './queue-model.js';

const KEY = 'comfy-tray.compact-rows';

export function followDensity(model: Pick<QueueModel, 'compact'>, storage: Pick<Storage, 'getItem' | 'setItem'>): () => void {
  try {
    model.compact.value = storage.getItem(KEY) === '1';
  } catch {
    // Storage refused (a locked-down profile): rows start normal.
  }
  return effect(() => {
    const compact = model.compact.value;
    try {
      storage.setItem(KEY, compact ? '1' : '0');
    } catch {
      // Not kept across restarts, still applied now.
    }
  });
}
