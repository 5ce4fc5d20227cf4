import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyPatches } from '../../../renderer/models/apply-patches.js';
import type { AppSnapshot } from '../../../electron/shared/ipc-contract.js';

const base: AppSnapshot = {
  version: 3,
  servers: [{ id: 's', name: 's', url: 'http://s/', state: 'connected' }],
  jobs: [{ serverId: 's', id: 'a', status: 'running', submittedBy: 'other', outputs: [] }],
};

test('patches update, add and remove jobs and servers', () => {
  const next = applyPatches(base, {
    version: 4,
    patches: [
      { type: 'job-updated', job: { serverId: 's', id: 'a', status: 'completed', submittedBy: 'other', outputs: [] } },
      { type: 'job-updated', job: { serverId: 's', id: 'b', status: 'pending', submittedBy: 'this-app', outputs: [], queuePosition: 1 } },
      { type: 'server-updated', server: { id: 's', name: 's', url: 'http://s/', state: 'reconnecting', attempt: 1 } },
    ],
  });
  assert.equal(next.version, 4);
  assert.deepEqual(next.jobs.map((j) => [j.id, j.status]), [['a', 'completed'], ['b', 'pending']]);
  assert.equal(next.servers[0]!.state, 'reconnecting');
  const removed = applyPatches(next, { version: 5, patches: [{ type: 'job-removed', serverId: 's', jobId: 'a' }] });
  assert.deepEqual(removed.jobs.map((j) => j.id), ['b']);
});

test('batches not newer than the snapshot are dropped', () => {
  assert.equal(applyPatches(base, { version: 3, patches: [{ type: 'job-removed', serverId: 's', jobId: 'a' }] }), base);
});
