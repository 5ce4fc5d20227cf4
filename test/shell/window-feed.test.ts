// State to the window: no patches while it is hidden, a fresh snapshot each time it becomes visible. Played with the
// real store on the main side and the real queue model and bridge connection on the window side.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppStore } from '../../electron/core/store/app-store.js';
import type { JobView, ServerView } from '../../electron/shared/app-state.js';
import type { AppSnapshot, EventMap, VersionedPatches } from '../../electron/shared/ipc-contract.js';
import { patchDelivery, WindowStateFeed, type FeedWindow } from '../../electron/shell/window-feed.js';
import { connectModel } from '../../renderer/models/connect.js';
import { QueueModel } from '../../renderer/models/queue-model.js';

const server: ServerView = { id: 'a', name: 'a', url: 'http://a/', state: 'connected' };
const job = (status: JobView['status']): JobView => ({ serverId: 'a', id: 'j1', status, submittedBy: 'other', outputs: [] });

/** A window whose page runs the real bridge connection; `visible` is what Electron's isVisible() would say. */
class FakeWindow implements FeedWindow {
  visible = false;
  readonly sent: string[] = [];
  private snapshotListener: ((snapshot: AppSnapshot) => void) | undefined;
  private patchListener: ((batch: VersionedPatches) => void) | undefined;

  isVisible(): boolean {
    return this.visible;
  }

  send<C extends 'state:snapshot' | 'state:patches'>(channel: C, payload: EventMap[C]): void {
    this.sent.push(channel);
    if (channel === 'state:snapshot') this.snapshotListener?.(payload as AppSnapshot);
    else this.patchListener?.(payload as VersionedPatches);
  }

  /** Loads the page: it subscribes, then asks for the snapshot. Resolves once that answer is applied. */
  async load(model: QueueModel, store: AppStore): Promise<void> {
    let answer: Promise<AppSnapshot> | undefined;
    connectModel(
      model,
      {
        getSnapshot: () => (answer = Promise.resolve(store.snapshot())),
        onSnapshot: (listener) => ((this.snapshotListener = listener), () => undefined),
        onPatches: (listener) => ((this.patchListener = listener), () => undefined),
      },
      (error) => assert.fail(String(error)),
    );
    await answer;
  }
}

function setup() {
  const jobs = new Map<string, JobView>([['j1', job('running')]]);
  // Frames are flushed by hand: the test says when a batch goes out.
  const store = new AppStore({ servers: () => [server], jobs: () => [...jobs.values()] }, 33, { schedule: () => undefined });
  const window = new FakeWindow();
  const feed = new WindowStateFeed(store, () => window);
  store.subscribe((batch) => feed.patches(batch));
  const update = (next: JobView): void => {
    jobs.set(next.id, next);
    store.jobUpdated(next);
    store.flush();
  };
  return { store, window, feed, update, model: new QueueModel() };
}

test('send or skip: patches go to a visible window only', () => {
  assert.equal(patchDelivery({ visible: true }), 'send');
  assert.equal(patchDelivery({ visible: false }), 'skip');
  assert.equal(patchDelivery(undefined), 'skip');
});

test('first show: a job that ended while the new window was still loading hidden is not left "running"', async () => {
  const { store, window, feed, update, model } = setup();
  // A new window is created hidden (show: false), loads, and asks for its snapshot while still hidden.
  await window.load(model, store);
  assert.equal(model.entry('a', 'j1')?.job.value.status, 'running');
  update(job('completed'));
  assert.deepEqual(window.sent, [], 'no patch to a hidden window');
  // ready-to-show: the window appears, and that alone must bring it up to date (no further change will come).
  window.visible = true;
  feed.shown();
  assert.equal(model.entry('a', 'j1')?.job.value.status, 'completed');
  update(job('completed'));
  assert.deepEqual(window.sent, ['state:snapshot', 'state:patches'], 'visible: patches flow again');
});

test('hidden, then shown again: the changes made meanwhile arrive as one snapshot, later patches apply on top', async () => {
  const { store, window, feed, update, model } = setup();
  window.visible = true;
  await window.load(model, store);
  window.visible = false;
  update(job('completed'));
  update({ ...job('completed'), workflowName: 'renamed' });
  window.visible = true;
  feed.shown();
  update({ ...job('completed'), workflowName: 'renamed', outputTitle: 'after' });
  const seen = model.entry('a', 'j1')?.job.value;
  assert.equal(seen?.workflowName, 'renamed');
  assert.equal(seen?.outputTitle, 'after');
  assert.deepEqual(window.sent, ['state:snapshot', 'state:patches']);
});
