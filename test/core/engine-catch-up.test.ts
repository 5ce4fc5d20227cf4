// Catching up after an absence, against the simulated ComfyUI of both generations: however many jobs finished
// while the app was closed, each is announced once, and the history that existed before the app first saw the
// server never is (issue 2: "a server never seen starts from now", exactly once).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ComfySimulator, type SimGeneration } from '../support/comfy-simulator.js';
import { engineFor, serverConnected } from '../support/connect.js';
import { nextNodeEvent, record, tempDir } from '../support/events.js';
import { logRequests, requestsTo } from '../support/http-log.js';

/** Has another client queue `count` quick jobs and resolves with their ids once the last one is done. */
async function runJobs(sim: ComfySimulator, count: number, tag: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    ids.push(sim.enqueue({ '1': { class_type: 'SimOutput', inputs: { filename: `${tag}_${i}.png` } } }, { clientId: 'script' }).promptId);
  }
  const last = ids[ids.length - 1];
  await nextNodeEvent<{ promptId: string }>(sim.events, 'finished', (e) => e.promptId === last, 60_000);
  return ids;
}

function query(path: string): URLSearchParams {
  return new URLSearchParams(path.split('?')[1] ?? '');
}

/** Jobs that ended this close to the first connect count as new (clocks differ); old history must be older. */
const CLOCK_MARGIN_MS = 2_000;

// Both servers' old history is made first, so that the wait for it to age is paid once for the file.
const servers = new Map<SimGeneration, Promise<{ sim: ComfySimulator; readyAt: number }>>();
for (const generation of ['modern', 'legacy'] as SimGeneration[]) {
  servers.set(
    generation,
    (async () => {
      const sim = await ComfySimulator.start({ generation, stepDelayMs: 0 });
      await runJobs(sim, 600, 'old');
      return { sim, readyAt: Date.now() + CLOCK_MARGIN_MS + 500 };
    })(),
  );
}
after(async () => {
  for (const server of servers.values()) await (await server).sim.stop();
});

for (const generation of ['modern', 'legacy'] as SimGeneration[]) {
  describe(`catching up with a ${generation} server`, () => {
    test('regression: after a busy absence only what finished meanwhile is announced, over a thousand of it, old history never', async (t) => {
      // Before the app ever saw the server: more history than one look reads, and older than the clocks' margin.
      const { sim, readyAt } = await servers.get(generation)!;
      const requests = logRequests(t, sim.url);
      // Time itself is what is waited for here (no event says "this history is old now").
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, readyAt - Date.now())));
      const dataDir = await tempDir(t);
      const first = await engineFor(t, [sim.url], { dataDir });
      const firstRec = record(first.events);
      await serverConnected(first);
      await first.settled();
      assert.equal(firstRec.finished.length, 0, 'a server seen for the first time starts from now');
      await first.stop();

      // While the app is closed, more jobs finish than the old windows (20, 200, 1000) could ever reach.
      const meanwhile = await runJobs(sim, 1_100, 'new');
      const second = await engineFor(t, [sim.url], { dataDir });
      const rec = record(second.events);
      await serverConnected(second);
      await second.settled();
      assert.equal(rec.finished.length, meanwhile.length);
      assert.deepEqual(new Set(rec.finishedIds()), new Set(meanwhile));
      assert.ok(rec.finished.every((job) => job.caughtUp === true && job.status === 'completed'));
      assert.equal(rec.digests.length, 1);
      assert.equal(rec.digests[0]?.jobs.length, meanwhile.length);

      // A third start finds nothing new: the look stops where the last one began.
      await second.stop();
      const third = await engineFor(t, [sim.url], { dataDir });
      const thirdRec = record(third.events);
      await serverConnected(third);
      await third.settled();
      assert.deepEqual(thirdRec.finished, []);

      // Every list of finished jobs was asked for a bounded page.
      if (generation === 'legacy') {
        const lists = requestsTo(requests, '/api/history');
        assert.ok(lists.length > 0);
        for (const { path } of lists) {
          const maxItems = Number(query(path).get('max_items'));
          assert.ok(maxItems >= 1 && maxItems <= 201, `bounded: ${path}`);
        }
        assert.ok(lists.some(({ path }) => query(path).has('offset')), 'paged back with offsets');
      } else {
        const lists = requestsTo(requests, '/api/jobs').filter(({ path }) => query(path).get('status')?.includes('completed'));
        assert.ok(lists.length > 1);
        for (const { path } of lists) assert.ok(Number(query(path).get('limit')) <= 200, `bounded: ${path}`);
        assert.ok(lists.some(({ path }) => Number(query(path).get('offset')) > 0), 'paged with offsets');
      }
    });
  });
}

test('every /history request of a legacy server carries max_items or a job id', async (t) => {
  const sim = await ComfySimulator.start({ generation: 'legacy', stepDelayMs: 1 });
  t.after(() => sim.stop());
  const requests = logRequests(t, sim.url);
  await runJobs(sim, 30, 'before');
  const dataDir = await tempDir(t);
  const engine = await engineFor(t, [sim.url], { dataDir });
  await serverConnected(engine);
  await engine.settled();
  // Own jobs, other clients' jobs, a cancel, and a restart of the app with work done meanwhile.
  const { promptId } = await engine.submit('s0', { prompt: { '1': { class_type: 'SimSteps', inputs: { steps: 3 } } } });
  await runJobs(sim, 25, 'watched');
  await engine.settled();
  assert.ok(engine.job('s0', promptId)?.status === 'completed' || (await engine.lookupJob('s0', promptId))?.status === 'completed');
  await engine.stop();
  await runJobs(sim, 40, 'away');
  const again = await engineFor(t, [sim.url], { dataDir });
  await serverConnected(again);
  await again.settled();

  const history = requests.filter((r) => r.path.startsWith('/api/history') || r.path.startsWith('/history'));
  assert.ok(history.length > 3);
  for (const { path } of history) {
    const [route = ''] = path.split('?');
    const byId = /^\/(api\/)?history\/[^/]+$/.test(route);
    assert.ok(byId || query(path).has('max_items'), `unbounded /history request: ${path}`);
  }
});
