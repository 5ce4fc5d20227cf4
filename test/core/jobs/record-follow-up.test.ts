// The check of an own job's early announcement against the server's record, with a scripted host.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RemoteJob } from '../../../electron/core/comfy/remote-jobs.js';
import { RecordFollowUp, type FinishedView } from '../../../electron/core/jobs/record-follow-up.js';
import { output } from '../../support/fake-backend.js';

const ID = 'job-1';
const ANNOUNCED: FinishedView = { serverId: 's', id: ID, status: 'completed', submittedBy: 'this-app', outputs: [output('9', 'a.png')] };
const TIMINGS = { fallbackMs: 30, retryMs: 10, attempts: 3 };

function host(records: (RemoteJob | undefined)[]) {
  const calls = { lookups: 0, updates: [] as FinishedView[] };
  const follow = new RecordFollowUp(
    {
      lookup: async () => {
        calls.lookups++;
        return records.length > 1 ? records.shift() : records[0];
      },
      announced: async () => ANNOUNCED,
      update: async (view) => void calls.updates.push(view),
      debug: () => undefined,
    },
    TIMINGS,
  );
  return { follow, calls };
}

test('once the record is written, outputs only it lists are added to the finished job, once', async () => {
  const { follow, calls } = host([{ id: ID, status: 'completed', outputs: [output('9', 'a.png'), output('9', 'b.png')] }]);
  follow.expect(ID);
  follow.recordWritten(ID);
  follow.recordWritten(ID);
  await follow.checked(ID);
  assert.equal(calls.lookups, 1);
  assert.deepEqual(calls.updates.map((v) => v.outputs.map((o) => o.filename)), [['a.png', 'b.png']]);
  follow.recordWritten(ID);
  await follow.checked(ID);
  assert.equal(calls.lookups, 1, 'checked once');
});

test('a record that adds nothing changes nothing', async () => {
  const { follow, calls } = host([{ id: ID, status: 'completed', outputs: [output('9', 'a.png')] }]);
  follow.expect(ID);
  follow.recordWritten(ID);
  await follow.checked(ID);
  assert.deepEqual(calls.updates, []);
});

test('without word that the record is written (a dropped socket), it is checked anyway, and asked again until it is there', async () => {
  const { follow, calls } = host([{ id: ID, status: 'running' }, { id: ID, status: 'completed', outputs: [output('9', 'a.png'), output('9', 'c.png')] }]);
  follow.expect(ID);
  await follow.checked(ID);
  assert.equal(calls.lookups, 2);
  assert.deepEqual(calls.updates.map((v) => v.outputs.map((o) => o.filename)), [['a.png', 'c.png']]);
});

test('a record that never comes leaves the announcement as it was, after a few tries', async () => {
  const { follow, calls } = host([undefined]);
  follow.expect(ID);
  follow.recordWritten(ID);
  await follow.checked(ID);
  assert.equal(calls.lookups, TIMINGS.attempts);
  assert.deepEqual(calls.updates, []);
});

test('stopping lets whoever waits go; a job never expected is not waited for', async () => {
  const { follow, calls } = host([undefined]);
  follow.expect(ID);
  const waiting = follow.checked(ID);
  follow.stop();
  await waiting;
  await follow.checked('other');
  assert.equal(calls.lookups, 0);
});
