// A server that refuses part of the documented jobs API (ComfyUI 0.8.0: no `cancelled` status, interrupts listed as
// `failed`) is followed fully: the refusal narrows the query once, the capabilities say so, other clients' jobs and
// catch-up work, and an interrupted job ends cancelled.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fromJobsApiItem, fromJobsList } from '../../../electron/core/comfy/remote-jobs.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { engineFor, serverConnected } from '../../support/connect.js';
import { nextEvent, nextNodeEvent, record, tempDir } from '../../support/events.js';
import { logRequests } from '../../support/http-log.js';
import { REAL_FIXTURES_URL } from '../../support/real-fixtures.js';

const QUICK = (color: number) => ({
  '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color } },
  '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'learn' } },
});

function recorded(name: string): { body: unknown } {
  return JSON.parse(readFileSync(new URL(`0.8.0/${name}`, REAL_FIXTURES_URL), 'utf8')) as { body: unknown };
}

test('ComfyUI 0.8.0 records: an interrupted job, listed as failed, is cancelled by its detail record', () => {
  const listed = fromJobsList(recorded('interrupted-job-list.json').body).jobs[0];
  assert.equal(listed?.status, 'failed', 'the list alone cannot tell');
  assert.equal(listed?.outputs, undefined, 'a list item is never taken as the record');
  const detail = fromJobsApiItem(recorded('interrupted-job-detail.json').body);
  assert.equal(detail?.status, 'cancelled');
});

test('a 0.8.0-like server: the refused status filter is learned once, shown, and jobs of other clients are still followed', async (t) => {
  const sim = await ComfySimulator.start({ jobsApi: 'v0.8', stepDelayMs: 2 });
  t.after(() => sim.stop());
  const requests = logRequests(t, sim.url);
  const engine = await engineFor(t, [sim.url]);
  const learned = nextEvent(engine.events, 'server', (s) => s.capabilities?.jobsStatusFilter !== undefined);
  await serverConnected(engine);
  const view = await learned;
  assert.deepEqual(view.capabilities?.jobsStatusFilter, ['pending', 'in_progress', 'completed', 'failed']);
  assert.equal(view.capabilities?.cancelEndpoint, false);

  const rec = record(engine.events);
  for (let i = 0; i < 3; i++) {
    const { promptId } = sim.enqueue(QUICK(100 + i), { clientId: 'browser' });
    const job = await nextEvent(engine.events, 'job-finished', (j) => j.id === promptId);
    assert.equal(job.status, 'completed');
    assert.equal(job.outputs.length, 1);
  }
  await engine.settled();
  assert.equal(rec.finished.length, 3);
  const refused = requests.filter(({ path }) => path.startsWith('/api/jobs?') && path.includes('cancelled'));
  assert.equal(refused.length, 1, 'the documented query is tried once, then never again');
  assert.equal(engine.servers()[0]?.problem, undefined, 'a learned refusal is no problem');
});

test('a 0.8.0-like server: another client\'s interrupted job ends cancelled, not failed', async (t) => {
  const sim = await ComfySimulator.start({ jobsApi: 'v0.8', stepDelayMs: 20 });
  t.after(() => sim.stop());
  const engine = await engineFor(t, [sim.url]);
  await serverConnected(engine);
  const { promptId } = sim.enqueue({ '1': { class_type: 'SimSteps', inputs: { steps: 500 } } }, { clientId: 'browser' });
  await nextNodeEvent(sim.events, 'started', (e: { promptId: string }) => e.promptId === promptId);
  await nextEvent(engine.events, 'job', (job) => job.id === promptId && job.status === 'running');
  await fetch(new URL('interrupt', sim.url), { method: 'POST', body: '{}' });
  const job = await nextEvent(engine.events, 'job-finished', (j) => j.id === promptId);
  assert.equal(job.status, 'cancelled');
});

test('a 0.8.0-like server: a job finished while nothing watched is caught up once', async (t) => {
  const sim = await ComfySimulator.start({ jobsApi: 'v0.8', stepDelayMs: 2 });
  t.after(() => sim.stop());
  const dataDir = await tempDir(t);
  const first = await engineFor(t, [sim.url], { dataDir });
  await serverConnected(first);
  await first.settled();
  await first.stop();

  const { promptId } = sim.enqueue(QUICK(7), { clientId: 'browser' });
  await nextNodeEvent(sim.events, 'finished', (e: { promptId: string }) => e.promptId === promptId);
  const second = await engineFor(t, [sim.url], { dataDir });
  const rec = record(second.events);
  const job = await nextEvent(second.events, 'job-finished', (j) => j.id === promptId);
  assert.equal(job.caughtUp, true);
  await second.settled();
  assert.deepEqual(rec.finishedIds(), [promptId], 'once');
  assert.deepEqual(rec.digests.map((d) => d.jobs.map((j) => j.id)), [[promptId]], 'in one digest');
});
