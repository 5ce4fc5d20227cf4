// kill -9 of the app in the middle of steering a queue: an engine runs in a child process and is killed at an exact
// point (the simulator keeps the next request unanswered and unapplied, then the child dies). Whatever the point, the
// next start of the app (same data folder) loses no job and queues none twice: a held job is on disk before its
// delete, and it is queued again only once the server said it does not have it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import type { Engine } from '../../../electron/core/engine.js';
import { ComfySimulator, type SimGeneration } from '../../support/comfy-simulator.js';
import { engineFor, serverConnected } from '../../support/connect.js';
import { nextEvent, tempDir } from '../../support/events.js';
import { BROWSER_WORKFLOW, SEED, countEvents, eventOrder, pendingOrder, seededPrompt, simEvent } from '../../support/steering.js';

const ENGINE_MODULE = new URL('../../../electron/core/engine.ts', import.meta.url).href;
const TIMINGS_MODULE = new URL('../../support/timings.ts', import.meta.url).href;

type Action = { readonly method: 'pauseQueue' | 'resumeQueue' } | { readonly method: 'moveToFront' | 'moveToBack'; readonly ids: readonly string[] };

/** The app in another process: it connects, says `ready`, runs one steering action and waits to be killed. */
function appInChild(dataDir: string, url: string, action: Action): { ready: Promise<void>; kill: () => Promise<void> } {
  const script = `
    const { Engine } = await import(${JSON.stringify(ENGINE_MODULE)});
    const { FAST_TIMINGS } = await import(${JSON.stringify(TIMINGS_MODULE)});
    const engine = await Engine.create({ dataDir: ${JSON.stringify(dataDir)}, servers: [{ id: 's0', name: 'server 0', url: ${JSON.stringify(url)} }], timings: FAST_TIMINGS, tracker: { recheckDelayMs: 50 } });
    const connected = new Promise((resolve) => engine.events.on('server', (server) => server.state === 'connected' && resolve()));
    engine.start();
    await connected;
    await engine.settled();
    process.stdout.write('ready\\n');
    const action = ${JSON.stringify(action)};
    await ('ids' in action ? engine[action.method]('s0', action.ids) : engine[action.method]('s0'));
    process.stdout.write('done\\n');
    setInterval(() => undefined, 60_000);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  const ready = (async () => {
    for await (const line of createInterface({ input: child.stdout })) {
      if (line === 'ready') return;
      if (line === 'done') throw new Error('the child finished before it was killed');
    }
    throw new Error('the child ended before it was ready');
  })();
  return {
    ready,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

async function heldOnDisk(dataDir: string): Promise<{ paused: boolean; ids: string[] }> {
  const file = JSON.parse(await readFile(join(dataDir, 'held-queue.json'), 'utf8')) as { servers: Record<string, { paused: boolean; jobs: { id: string; promptJson: string }[] }> };
  const server = file.servers.s0;
  assert.ok(server, 'the held store has the server');
  for (const job of server.jobs) assert.match(job.promptJson, /"seed":18446744073709551615\b/, 'the exact prompt is on disk');
  return { paused: server.paused, ids: server.jobs.map((job) => job.id) };
}

/** The server keeps a job running (paused between steps) while the test steers the queue behind it. */
async function busy(sim: ComfySimulator): Promise<string> {
  const { promptId } = sim.enqueue(seededPrompt('running', 40), { clientId: 'browser' });
  await simEvent(sim, 'started', promptId);
  sim.hold();
  return promptId;
}

function queueFour(sim: ComfySimulator): string[] {
  return ['a', 'b', 'c', 'd'].map((name) => sim.enqueue(seededPrompt(name), { clientId: 'browser', extraData: { extra_pnginfo: { workflow: BROWSER_WORKFLOW } } }).promptId);
}

async function runsAllOnce(engine: Engine, sim: ComfySimulator, ids: readonly string[], order: string[]): Promise<void> {
  const left = new Set(ids);
  const done = nextEvent(engine.events, 'job-finished', (job) => left.delete(job.id) && left.size === 0, 30_000);
  sim.release();
  await done;
  assert.deepEqual([...order].sort(), [...ids].sort(), 'every job ran, each once');
  for (const id of ids) {
    assert.equal(engine.job('s0', id)?.status, 'completed', id);
    const run = await engine.backend('s0').lookup(id);
    assert.equal((run?.prompt?.['2'] as { inputs: { seed: unknown } }).inputs.seed, SEED);
    assert.equal(run?.clientId, 'browser');
  }
}

for (const generation of ['modern', 'legacy'] as SimGeneration[]) {
  describe(`kill -9 while steering a ${generation} server's queue`, { timeout: 60_000 }, () => {
    test('between the delete and the re-queue of a move: the next start queues the job again, once, at the front', async (t) => {
      const sim = await ComfySimulator.start({ generation, stepDelayMs: 5 });
      t.after(() => sim.stop());
      const dataDir = await tempDir(t);
      await busy(sim);
      const [a, b, c, d] = queueFour(sim) as [string, string, string, string];
      const child = appInChild(dataDir, sim.url, { method: 'moveToFront', ids: [d] });
      await child.ready;
      sim.stallNext('/prompt', 'POST');
      const stalled = once(sim.events, 'stalled');
      const removed = simEvent(sim, 'removed', d);
      await stalled;
      await removed;
      await child.kill();
      assert.deepEqual(await pendingOrder(sim), [a, b, c], 'd is off the server: deleted, not queued again');
      assert.deepEqual(await heldOnDisk(dataDir), { paused: false, ids: [d] }, 'and on disk, with its exact prompt');

      const enqueued = countEvents(sim, 'enqueued');
      const started = eventOrder(sim, 'started');
      const engine = await engineFor(t, [sim.url], { dataDir });
      await serverConnected(engine);
      await engine.settled();
      assert.deepEqual(await pendingOrder(sim), [d, a, b, c], 'queued again where the move was taking it');
      assert.equal(enqueued.get(d), 1);
      assert.equal(engine.servers()[0]?.heldJobs, undefined);
      await runsAllOnce(engine, sim, [a, b, c, d], started);
      assert.equal(started[0], d);
    });

    test('between writing the held jobs and deleting them (pause): the next start is still paused and finishes the hold', async (t) => {
      const sim = await ComfySimulator.start({ generation, stepDelayMs: 5 });
      t.after(() => sim.stop());
      const dataDir = await tempDir(t);
      await busy(sim);
      const ids = queueFour(sim);
      const child = appInChild(dataDir, sim.url, { method: 'pauseQueue' });
      await child.ready;
      sim.stallNext('/queue', 'POST');
      await once(sim.events, 'stalled');
      await child.kill();
      assert.deepEqual(await pendingOrder(sim), ids, 'the delete never happened');
      assert.deepEqual(await heldOnDisk(dataDir), { paused: true, ids }, 'but the jobs were written down first');

      const started = eventOrder(sim, 'started');
      const enqueued = countEvents(sim, 'enqueued');
      const engine = await engineFor(t, [sim.url], { dataDir });
      assert.equal(engine.servers()[0]?.queuePaused, true, 'the app says it is paused as it starts');
      await serverConnected(engine);
      await engine.settled();
      assert.deepEqual(await pendingOrder(sim), [], 'the hold is finished');
      assert.equal(engine.servers()[0]?.heldJobs, 4);
      assert.deepEqual((await engine.resumeQueue('s0')).done, ids);
      assert.deepEqual(await pendingOrder(sim), ids);
      for (const id of ids) assert.equal(enqueued.get(id), 1);
      await runsAllOnce(engine, sim, ids, started);
    });

    test('between two re-queues of a resume: what made it back is not queued twice, the rest follows in order', async (t) => {
      const sim = await ComfySimulator.start({ generation, stepDelayMs: 5 });
      t.after(() => sim.stop());
      const dataDir = await tempDir(t);
      await busy(sim);
      const ids = queueFour(sim);
      // Paused by an app that then quit cleanly.
      const first = await engineFor(t, [sim.url], { dataDir });
      await serverConnected(first);
      await first.settled();
      await first.pauseQueue('s0');
      await first.stop();

      const child = appInChild(dataDir, sim.url, { method: 'resumeQueue' });
      await child.ready;
      // The first two go back; the third is sent and never arrives; the app dies.
      sim.stallNext('/prompt', 'POST', { after: 2 });
      await once(sim.events, 'stalled');
      await child.kill();
      assert.deepEqual(await pendingOrder(sim), ids.slice(0, 2));
      const onDisk = await heldOnDisk(dataDir);
      assert.equal(onDisk.paused, false);
      assert.ok(onDisk.ids.includes(ids[2]!) && onDisk.ids.includes(ids[3]!), 'the two not yet back are still held');

      const enqueued = countEvents(sim, 'enqueued');
      const started = eventOrder(sim, 'started');
      const engine = await engineFor(t, [sim.url], { dataDir });
      await serverConnected(engine);
      await engine.settled();
      assert.deepEqual(await pendingOrder(sim), ids, 'all four, in their order');
      assert.deepEqual([...enqueued.entries()].sort(), [[ids[2]!, 1], [ids[3]!, 1]].sort(), 'only the two missing ones were queued');
      await runsAllOnce(engine, sim, ids, started);
      assert.deepEqual(started, ids);
    });
  });
}
