// The in-flight jobs written as a difference: replaying it gives exactly the new list, and a list that starts from
// nothing (the first look at a server) is written whole without working the difference out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { activeChange, applyEvent, serverOf, type JournalEvent } from '../../../electron/core/jobs/journal-events.js';
import type { ActiveRecord } from '../../../electron/core/jobs/journal-records.js';

const record = fc.record(
  { id: fc.constantFrom('a', 'b', 'c', 'd', 'e'), status: fc.constantFrom('pending' as const, 'running' as const), submittedBy: fc.constantFrom('this-app' as const, 'other' as const), workflowName: fc.constantFrom('x', 'y') },
  { requiredKeys: ['id', 'status', 'submittedBy'], noNullPrototype: true },
);
const list = fc.uniqueArray(record, { selector: (job) => job.id, maxLength: 5 });

function replayed(before: readonly ActiveRecord[], change: { remove: string[]; put: ActiveRecord[] }): ActiveRecord[] {
  const servers = new Map();
  applyEvent(servers, { t: 'active', s: 's', jobs: before.map((job) => ({ ...job })) } as JournalEvent);
  applyEvent(servers, { t: 'active-change', s: 's', ...change } as JournalEvent);
  return serverOf(servers, 's').active;
}

test('property: a difference, when there is one, replays to the new list; from an empty list there is none', () => {
  fc.assert(
    fc.property(list, list, (before, after) => {
      const change = activeChange(before, after);
      if (before.length === 0) assert.equal(change, undefined);
      if (change === undefined) return;
      assert.ok(change.remove.length + change.put.length < after.length);
      assert.deepEqual(replayed(before, change), after);
    }),
    { numRuns: 2_000 },
  );
});
