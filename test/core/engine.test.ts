// The whole engine against the simulated ComfyUI of both generations: every job is seen, whoever queued it, and
// ends exactly once through drops, restarts and odd queues.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Engine } from '../../electron/core/engine.js';
import type { JobView } from '../../electron/shared/app-state.js';
import { ComfySimulator, type SimGeneration } from '../support/comfy-simulator.js';
import { engineFor, serverConnected } from '../support/connect.js';
import { nextEvent, nextNodeEvent, record, tempDir } from '../support/events.js';
import { logRequests, requestsTo } from '../support/http-log.js';

const SAVE = (prefix: string, steps = 3) => ({
  '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: Math.floor(Math.random() * 0xffffff) } },
  '2': { class_type: 'SimSteps', inputs: { steps, image: ['1', 0] }, _meta: { title: 'Slow part' } },
  '3': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: prefix }, _meta: { title: 'Save it' } },
});
const RAISE = {
  '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 1 } },
  '2': { class_type: 'SimRaise', inputs: { message: 'CUDA out of memory', image: ['1', 0] }, _meta: { title: 'Sampler' } },
  '3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: 'never' } },
};

function finishedOf(events: Engine['events'], id: string): Promise<JobView> {
  return nextEvent(events, 'job-finished', (job) => job.id === id, 20_000);
}

for (const generation of ['modern', 'legacy'] as SimGeneration[]) {
  describe(`engine against a ${generation} server`, () => {
    test('own job: queued, running with progress, completed once with its saved file', async (t) => {
      const sim = await ComfySimulator.start({ generation, stepDelayMs: 10 });
      t.after(() => sim.stop());
      const engine = await engineFor(t, [sim.url]);
      const rec = record(engine.events);
      await serverConnected(engine);
      const { promptId } = await engine.submit('s0', { prompt: SAVE('own'), workflow: { extra: { name: 'Portrait' } } });
      const finished = finishedOf(engine.events, promptId);
      const job = await finished;
      await engine.settled();
      assert.equal(job.status, 'completed');
      assert.equal(job.submittedBy, 'this-app');
      assert.equal(job.workflowName, 'Portrait');
      assert.deepEqual(job.outputs.map((o) => [o.nodeId, o.type]), [['3', 'output']]);
      assert.match(job.outputs[0]!.filename, /^own_\d{5}_\.png$/);
      assert.ok(rec.jobs.some((v) => v.id === promptId && v.status === 'running' && v.progress?.nodeId === '2' && v.progress.nodeTitle === 'Slow part'));
      assert.ok(rec.jobs.some((v) => v.id === promptId && v.progress?.value !== undefined && v.progress.max === 3));
      assert.deepEqual(rec.finishedIds(), [promptId]);
    });

    test('a job queued by another client (a browser tab) is followed to the end', async (t) => {
      const sim = await ComfySimulator.start({ generation, stepDelayMs: 10 });
      t.after(() => sim.stop());
      const engine = await engineFor(t, [sim.url]);
      const rec = record(engine.events);
      await serverConnected(engine);
      await engine.settled();
      sim.hold();
      const { promptId } = sim.enqueue(SAVE('tab'), { clientId: 'browser-tab' });
      await nextEvent(engine.events, 'job', (job) => job.id === promptId && job.status === 'pending');
      assert.equal(engine.job('s0', promptId)?.queuePosition, 1);
      assert.equal(engine.job('s0', promptId)?.submittedBy, 'other');
      const finished = finishedOf(engine.events, promptId);
      sim.release();
      const job = await finished;
      assert.equal(job.status, 'completed');
      assert.equal(job.outputs.length, 1);
      await engine.settled();
      assert.deepEqual(rec.finishedIds(), [promptId]);
    });

    test('a prompt without client id shows its broadcast progress and is found when done', async (t) => {
      const sim = await ComfySimulator.start({ generation, stepDelayMs: 20 });
      t.after(() => sim.stop());
      const engine = await engineFor(t, [sim.url]);
      await serverConnected(engine);
      await engine.settled();
      const { promptId } = sim.enqueue(SAVE('script', 5));
      const progressed = nextEvent(engine.events, 'job', (job) => job.id === promptId && job.progress?.value !== undefined);
      const finished = finishedOf(engine.events, promptId);
      assert.equal((await progressed).status, 'running');
      assert.equal((await finished).status, 'completed');
    });

    test('a failing node: failed with the node, its title and the exception', async (t) => {
      const sim = await ComfySimulator.start({ generation });
      t.after(() => sim.stop());
      const engine = await engineFor(t, [sim.url]);
      await serverConnected(engine);
      const { promptId } = await engine.submit('s0', { prompt: RAISE });
      const job = await finishedOf(engine.events, promptId);
      assert.equal(job.status, 'failed');
      assert.equal(job.error?.nodeId, '2');
      assert.equal(job.error?.nodeType, 'SimRaise');
      assert.equal(job.error?.nodeTitle, 'Sampler');
      assert.match(job.error?.message ?? '', /CUDA out of memory/);
    });

    test('cancel: a running job is interrupted, a pending one removed; both end cancelled, through the right route', async (t) => {
      const sim = await ComfySimulator.start({ generation, stepDelayMs: 20 });
      t.after(() => sim.stop());
      const requests = logRequests(t, sim.url);
      const engine = await engineFor(t, [sim.url]);
      await serverConnected(engine);
      const { promptId: running } = await engine.submit('s0', { prompt: SAVE('long', 500) });
      const { promptId: pending } = await engine.submit('s0', { prompt: SAVE('next', 500) });
      await nextEvent(engine.events, 'job', (job) => job.id === running && job.progress?.value !== undefined);
      const endRunning = finishedOf(engine.events, running);
      const endPending = finishedOf(engine.events, pending);
      await engine.cancel('s0', pending);
      await engine.cancel('s0', running);
      assert.equal((await endRunning).status, 'cancelled');
      assert.equal((await endPending).status, 'cancelled');
      const posts = requests.filter((r) => r.method === 'POST' && r.path !== '/api/prompt').map((r) => r.path);
      if (generation === 'modern') {
        // 0.28 has POST /api/jobs/{id}/cancel (since 0.26): one call per job, whatever its state.
        assert.deepEqual(posts, [`/api/jobs/${pending}/cancel`, `/api/jobs/${running}/cancel`]);
      } else {
        // 0.3.54: a pending job leaves the queue, the running one gets an interrupt naming it.
        assert.deepEqual(posts, ['/api/queue', '/api/interrupt']);
      }
    });

    test('a pending job removed by another client ends as cancelled', async (t) => {
      const sim = await ComfySimulator.start({ generation, stepDelayMs: 20 });
      t.after(() => sim.stop());
      const engine = await engineFor(t, [sim.url]);
      await serverConnected(engine);
      sim.hold();
      const { promptId } = sim.enqueue(SAVE('gone'), { clientId: 'browser' });
      await nextEvent(engine.events, 'job', (job) => job.id === promptId && job.status === 'pending');
      const finished = finishedOf(engine.events, promptId);
      const response = await fetch(`${sim.url}api/queue`, { method: 'POST', body: JSON.stringify({ delete: [promptId] }) });
      assert.equal(response.status, 200);
      assert.equal((await finished).status, 'cancelled');
    });

    test('socket dropped mid-job: the job still finishes exactly once', async (t) => {
      const sim = await ComfySimulator.start({ generation, stepDelayMs: 10 });
      t.after(() => sim.stop());
      const engine = await engineFor(t, [sim.url], { timings: { pingIntervalMs: 100, pongTimeoutMs: 300 } });
      const rec = record(engine.events);
      await serverConnected(engine);
      const { promptId } = await engine.submit('s0', { prompt: SAVE('drop', 60) });
      await nextEvent(engine.events, 'job', (job) => job.id === promptId && job.status === 'running');
      const finished = finishedOf(engine.events, promptId);
      sim.freezeSockets();
      const job = await finished;
      await engine.settled();
      assert.equal(job.status, 'completed');
      assert.equal(job.outputs.length, 1);
      assert.deepEqual(rec.finishedIds(), [promptId]);
    });

    test('server killed mid-job and restarted: the job is lost, and new jobs are followed again', async (t) => {
      const sim = await ComfySimulator.start({ generation, stepDelayMs: 20 });
      t.after(() => sim.stop());
      const engine = await engineFor(t, [sim.url]);
      await serverConnected(engine);
      const { promptId: warmup } = await engine.submit('s0', { prompt: SAVE('warm', 1) });
      await finishedOf(engine.events, warmup);
      const { promptId } = await engine.submit('s0', { prompt: SAVE('killed', 500) });
      await nextEvent(engine.events, 'job', (job) => job.id === promptId && job.status === 'running');
      const lost = finishedOf(engine.events, promptId);
      await sim.stop();
      await sim.start();
      const job = await lost;
      assert.equal(job.status, 'lost');
      assert.equal(job.lostReason, 'server-restarted');
      await serverConnected(engine);
      const { promptId: after } = await engine.submit('s0', { prompt: SAVE('after', 1) });
      assert.equal((await finishedOf(engine.events, after)).status, 'completed');
    });

    test('10,000 queued items: positions in execution order; a burst of status broadcasts costs one reconciliation (plus one for what came during it)', async (t) => {
      const sim = await ComfySimulator.start({ generation });
      t.after(() => sim.stop());
      sim.hold();
      const ids: string[] = [];
      for (let i = 0; i < 10_000; i++) ids.push(sim.enqueue(SAVE(`q${i}`, 1), { clientId: 'script', ...(i % 1000 === 999 && { front: true }) }).promptId);
      const requests = logRequests(t, sim.url);
      const engine = await engineFor(t, [sim.url]);
      await serverConnected(engine);
      await engine.settled();
      const pending = engine.jobs('s0').filter((job) => job.status === 'pending');
      assert.equal(pending.length, 10_000);
      const byPosition = [...pending].sort((a, b) => (a.queuePosition ?? 0) - (b.queuePosition ?? 0));
      // front: true jumps ahead, latest first
      assert.equal(byPosition[0]!.id, ids[9_999]);
      assert.equal(byPosition[10]!.id, ids[0]);

      // A burst of 50 status broadcasts: the queue is listed once. The socket may deliver the burst in two reads,
      // the second while that listing runs; what came during it costs exactly one more, never one each.
      const listings = (): number =>
        generation === 'modern' ? requestsTo(requests, '/api/jobs').filter((r) => r.path.includes('status=in_progress%2Cpending')).length : requestsTo(requests, '/api/queue').length;
      const before = listings();
      const listedWhenHeard: number[] = [];
      const burstHeard = nextEvent(engine.backend('s0').events, 'message', (m) => m.type === 'status' && listedWhenHeard.push(listings()) === 50);
      for (let i = 0; i < 50; i++) sim.broadcastStatus();
      await burstHeard;
      await engine.settled();
      const partDuringTheLook = listedWhenHeard.some((count) => count > before);
      assert.equal(listings() - before, partDuringTheLook ? 2 : 1);
    });
  });
}

test('app restart while a job runs: the job is reported once, as caught up, in one digest', async (t) => {
  const sim = await ComfySimulator.start({ stepDelayMs: 10 });
  t.after(() => sim.stop());
  const dataDir = await tempDir(t);
  const first = await engineFor(t, [sim.url], { dataDir });
  const firstRec = record(first.events);
  await serverConnected(first);
  const { promptId } = await first.submit('s0', { prompt: SAVE('away', 30) });
  await nextEvent(first.events, 'job', (job) => job.id === promptId && job.status === 'running');
  await first.stop();
  const other = sim.enqueue(SAVE('meanwhile', 1), { clientId: 'browser' }).promptId;
  await nextNodeEvent<{ promptId: string }>(sim.events, 'finished', (e) => e.promptId === other);

  const second = await engineFor(t, [sim.url], { dataDir });
  const rec = record(second.events);
  const digest = nextEvent(second.events, 'digest');
  await serverConnected(second);
  const summary = await digest;
  await second.settled();
  assert.deepEqual(summary.jobs.map((j) => j.id).sort(), [promptId, other].sort());
  assert.deepEqual(rec.finishedIds().sort(), [promptId, other].sort());
  assert.ok(rec.finished.every((job) => job.caughtUp));
  assert.equal(rec.finished.find((j) => j.id === promptId)?.submittedBy, 'this-app');
  assert.equal(firstRec.finished.length, 0);
});

test('one server failing never stops the others', async (t) => {
  const good = await ComfySimulator.start();
  t.after(() => good.stop());
  const engine = await engineFor(t, ['http://127.0.0.1:1/', good.url]);
  await serverConnected(engine, 's1');
  const { promptId } = await engine.submit('s1', { prompt: SAVE('fine', 1) });
  assert.equal((await finishedOf(engine.events, promptId)).status, 'completed');
  assert.notEqual(engine.servers().find((s) => s.id === 's0')?.state, 'connected');
});

test('a 64-bit seed in a submitted prompt reaches the server digit for digit', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const engine = await engineFor(t, [sim.url]);
  await serverConnected(engine);
  sim.hold();
  const seed = 18446744073709551615n;
  const { promptId } = await engine.submit('s0', { prompt: { ...SAVE('seed', 1), '2': { class_type: 'SimSteps', inputs: { steps: 1, seed } } } });
  const queue = await (await fetch(`${sim.url}api/queue`)).text();
  assert.ok(queue.includes(promptId));
  assert.ok(queue.includes('"seed": 18446744073709551615') || queue.includes('"seed":18446744073709551615'), 'exact seed on the server');
});
