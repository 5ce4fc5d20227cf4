// Feeds a QueueModel from the TrayApi. Subscribes first, then asks for the snapshot: a patch sent in between is
// either part of that snapshot (dropped by its version) or newer (applied), so nothing is lost.
import type { TrayApi } from '../../electron/shared/ipc-contract.js';
import type { QueueModel } from './queue-model.js';

export function connectModel(model: QueueModel, api: Pick<TrayApi, 'getSnapshot' | 'onSnapshot' | 'onPatches'>, onError: (error: unknown) => void): () => void {
  const offSnapshot = api.onSnapshot((snapshot) => model.applySnapshot(snapshot));
  const offPatches = api.onPatches((batch) => model.applyPatches(batch));
  api.getSnapshot().then((snapshot) => model.applySnapshot(snapshot), onError);
  return () => {
    offSnapshot();
    offPatches();
  };
}
