import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppStore } from '../../../electron/core/store/app-store.js';
import type { JobView, ServerView } from '../../../electron/shared/app-state.js';
import type { VersionedPatches } from '../../../electron/shared/ipc-contract.js';

function setup() {
  const servers: ServerView[] = [{ id: 's', name: 's', url: 'http://s/', state: 'connected' }];
  const jobs: JobView[] = [];
  const frames: (() => void)[] = [];
  const store = new AppStore({ servers: () => servers, jobs: () => jobs }, 33, { schedule: (fn) => void frames.push(fn) });
  const received: VersionedPatches[] = [];
  store.subscribe((batch) => received.push(batch));
  const nextFrame = () => frames.shift()?.();
  return { store, servers, jobs, received, nextFrame, frames };
}

const job = (fields: Partial<JobView>): JobView => ({ serverId: 's', id: 'j', status: 'running', submittedBy: 'other', outputs: [], ...fields });

test('a hundred progress updates within one frame reach the view once, as the last state', () => {
  const { store, received, nextFrame, frames } = setup();
  for (let i = 1; i <= 100; i++) store.jobUpdated(job({ progress: { value: i, max: 100 } }));
  assert.equal(frames.length, 1, 'one frame scheduled for the whole burst');
  nextFrame();
  assert.equal(received.length, 1);
  assert.deepEqual(received[0]!.patches, [{ type: 'job-updated', job: job({ progress: { value: 100, max: 100 } }) }]);
});

test('versions grow by batch; the snapshot carries the version the next batch follows', () => {
  const { store, received, nextFrame } = setup();
  assert.equal(store.snapshot().version, 0);
  store.serverUpdated({ id: 's', name: 's', url: 'http://s/', state: 'reconnecting' });
  store.jobUpdated(job({}));
  nextFrame();
  store.jobRemoved('s', 'j');
  nextFrame();
  assert.deepEqual(received.map((r) => r.version), [1, 2]);
  assert.deepEqual(received[0]!.patches.map((p) => p.type), ['server-updated', 'job-updated']);
  assert.equal(store.snapshot().version, 2);
});

test('nothing is sent when nothing changed', () => {
  const { store, received } = setup();
  store.flush();
  assert.equal(received.length, 0);
});
