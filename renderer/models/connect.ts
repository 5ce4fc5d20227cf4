// Feeds a QueueModel from the TrayApi. Subscribes first, then asks for the snapshot: a patch sent in between is
// either part of that snapshot (dropped by its version) or newer (applied), so nothing is lost.
import type { TrayApi } from '../../electron/shared/ipc-contract.js';
import type { QueueModel } from './queue-model.js';

export function connectModel(
  model: QueueModel,
  api: Pick<TrayApi, 'getSnapshot' | 'onSnapshot' | 'onPatches'> & Partial<Pick<TrayApi, 'onFocusJob'>>,
  onError: (error: unknown) => void,
): () => void {
  const offSnapshot = api.onSnapshot((snapshot) => model.applySnapshot(snapshot));
  const offPatches = api.onPatches((batch) => model.applyPatches(batch));
  // A clicked notification opens the window at its job: show that job alone (clearing the search shows all again).
  const offFocus = api.onFocusJob?.(({ serverId, jobId }) => {
    model.serverFilter.value = serverId;
    model.statusFilter.value = 'all';
    model.search.value = jobId;
  });
  api.getSnapshot().then((snapshot) => model.applySnapshot(snapshot), onError);
  return () => {
    offSnapshot();
    offPatches();
    offFocus?.();
  };
}
