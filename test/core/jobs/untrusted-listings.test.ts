// What a server says is checked against what it lists: live events for an id nobody submitted do not make a job of
// this app (nor, when no listing ever shows it, a job at all), and a listing that names a job twice is merged.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextEvent } from '../../support/events.js';
import { connectedEngine } from '../../support/fake-engine.js';

const PHANTOM = '0b6f1d2e-9c1a-4f7e-8d3b-5a6c7e8f9a0b';

test('regression: executing/executed for a prompt id nobody submitted is not this app\'s job, and is dropped, not lost', async (t) => {
  const { backend, engine, rec } = await connectedEngine(t);
  backend.send({ type: 'executing', promptId: PHANTOM, node: '3', displayNode: '3' });
  backend.send({ type: 'executed', promptId: PHANTOM, node: '3', displayNode: '3', output: { images: [{ filename: 'x.png', subfolder: '', type: 'output' }] } });
  const seen = engine.job('fake', PHANTOM);
  assert.equal(seen?.submittedBy, 'other', 'an id heard of first on the socket is never this app\'s');
  const removed = nextEvent(engine.events, 'job-removed', (r) => r.id === PHANTOM);
  backend.status(0);
  await removed;
  await engine.settled();
  assert.deepEqual(rec.finishedIds(), [], 'never announced, so never lost');
  assert.ok(rec.jobs.every((job) => job.id !== PHANTOM || job.submittedBy === 'other'));
  assert.equal(engine.job('fake', PHANTOM), undefined);
});

test('a job first heard of on the socket takes its submitter from the listing: ours when the listing says our client id', async (t) => {
  const { backend, engine } = await connectedEngine(t);
  // What the connection does for every client id it opens a socket with.
  engine.journal.set('fake', { clientId: 'client-1', closedCleanly: false });
  backend.running.push({ id: PHANTOM, status: 'running', clientId: 'client-1' });
  backend.send({ type: 'executing', promptId: PHANTOM, node: '3', displayNode: '3' });
  assert.equal(engine.job('fake', PHANTOM)?.submittedBy, 'other');
  const confirmed = nextEvent(engine.events, 'job', (job) => job.id === PHANTOM && job.submittedBy === 'this-app');
  backend.status(1);
  await confirmed;
  backend.complete(PHANTOM);
  backend.status(0);
  const finished = await nextEvent(engine.events, 'job-finished', (job) => job.id === PHANTOM);
  assert.equal(finished.submittedBy, 'this-app');
});

test('regression: a listing with repeated ids is merged, each job keeping its first place, said once', async (t) => {
  const { backend, engine, rec } = await connectedEngine(t);
  const ids = Array.from({ length: 50 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  const warnings: string[] = [];
  engine.events.on('warning', (w) => warnings.push(w.code));
  backend.pending = [...ids, ...ids].map((id) => ({ id, status: 'pending' as const }));
  backend.status(100);
  await engine.settled();
  const positions = (): (number | undefined)[] => ids.map((id) => engine.job('fake', id)?.queuePosition);
  assert.deepEqual(positions(), ids.map((_, i) => i + 1));
  const linesAfterFirst = rec.jobs.length;
  backend.status(100);
  await engine.settled();
  backend.status(100);
  await engine.settled();
  assert.equal(rec.jobs.length, linesAfterFirst, 'nothing flips between two places on later looks');
  assert.deepEqual(warnings, ['COMFY_DUPLICATE_JOBS']);
});
