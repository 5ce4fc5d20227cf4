// Feeds a QueueModel from the TrayApi. Subscribes first, then asks for the snapshot: a patch sent in between is
// either part of that snapshot (dropped by its version) or newer (applied), so nothing is lost. The main process
// sends no patches while the window is hidden, so a batch can arrive with batches missing before it: the model
// reports the gap and the snapshot is asked for again.
import type { TrayApi, VersionedPatches } from '../../electron/shared/ipc-contract.js';
import type { QueueModel } from './queue-model.js';

export function connectModel(
  model: QueueModel,
  api: Pick<TrayApi, 'getSnapshot' | 'onSnapshot' | 'onPatches'> & Partial<Pick<TrayApi, 'onFocusJob'>>,
  onError: (error: unknown) => void,
): () => void {
  let closed = false;
  // While a snapshot is on its way, batches wait for it: those it already holds are then dropped by their version,
  // the later ones applied in order. One request at a time, however many batches report a gap meanwhile.
  let held: VersionedPatches[] | undefined;
  const requestSnapshot = (): void => {
    if (held) return;
    held = [];
    api.getSnapshot().then(
      (snapshot) => {
        const waiting = held ?? [];
        held = undefined;
        if (closed) return;
        model.applySnapshot(snapshot);
        // A gap among these asks again; the ones after it are then held for that next snapshot.
        for (const batch of waiting) receive(batch);
      },
      (error: unknown) => {
        held = undefined;
        onError(error);
      },
    );
  };
  const receive = (batch: VersionedPatches): void => {
    if (held) held.push(batch);
    else if (model.applyPatches(batch) === 'gap') requestSnapshot();
  };
  const offSnapshot = api.onSnapshot((snapshot) => model.applySnapshot(snapshot));
  const offPatches = api.onPatches(receive);
  // A clicked notification opens the window at its job: show that job alone (clearing the search shows all again).
  const offFocus = api.onFocusJob?.(({ serverId, jobId }) => {
    model.serverFilter.value = serverId;
    model.statusFilter.value = 'all';
    model.search.value = jobId;
  });
  requestSnapshot();
  return () => {
    closed = true;
    offSnapshot();
    offPatches();
    offFocus?.();
  };
}
