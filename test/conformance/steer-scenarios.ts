// Steering a real server's queue, which ComfyUI has no API for: pause and resume, move to the front and to the back.
// Each is a delete and a re-queue of the same prompt id with the exact prompt the server listed, so what matters is
// what the real server does with that: the order it runs the jobs in, the ids and prompts its history keeps, and that
// a job held across an app restart comes back once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readProgressFrame, readProgressStateFrame } from '../../electron/core/comfy/hot-frames.js';
import { decodeTextFrame } from '../../electron/core/comfy/messages.js';
import { activeFromQueue, activeFromQueueText, type RemoteJob } from '../../electron/core/comfy/remote-jobs.js';
import { tempDir } from '../support/events.js';
import { OtherClient, type ApiPrompt } from './support/other-client.js';
import type { RealComfyUI } from './support/real-comfyui.js';
import { REAL_SERVER_ID, realEngine, type RealEngine } from './support/real-engine.js';
import { quickPrompt, slowPrompt } from './support/workflows.js';

type QueueItem = [number, string, ...unknown[]];

/** The server's pending prompt ids in the order it will run them (it lists its heap unsorted). */
async function pendingOrder(other: OtherClient): Promise<string[]> {
  const queue = (await other.get('queue')) as { queue_pending: QueueItem[] };
  return [...queue.queue_pending].sort((a, b) => a[0] - b[0]).map((item) => item[1]);
}

/** What the server's history keeps of a finished job: its queue number and the prompt it ran. */
async function ranAs(other: OtherClient, id: string): Promise<{ number: number; prompt: unknown }> {
  const entry = await other.historyEntry(id);
  const [number, promptId, prompt] = entry.prompt as [number, string, unknown];
  assert.equal(promptId, id, 'the history keeps the job under its own id');
  return { number, prompt };
}

/** Queues a slow job and three quick ones behind it, and waits until the app has seen them all. */
async function busyQueue(real: RealEngine, other: OtherClient, tag: string): Promise<{ running: string; prompts: Map<string, ApiPrompt> }> {
  const running = await other.submit(slowPrompt(10, `${tag}-running`));
  const prompts = new Map<string, ApiPrompt>();
  for (const name of ['a', 'b', 'c']) {
    const prompt = quickPrompt(`${tag}-${name}`);
    prompts.set(await other.submit(prompt), prompt);
  }
  await other.untilRunning(running);
  for (const id of prompts.keys()) await real.jobReached(id, (job) => job.status === 'pending');
  return { running, prompts };
}

/**
 * The app reads a legacy /queue body with its scanner, never building the prompts of jobs it knows: the real server's
 * text, as it writes it, must be read by the scanner itself (not by the whole-body parse it falls back to) and give
 * the jobs the parse gives.
 */
async function scannerReadsTheRealQueue(url: string): Promise<void> {
  const text = await (await fetch(new URL('api/queue', url))).text();
  const parsed = activeFromQueue(JSON.parse(text));
  const scanned = activeFromQueueText(text, () => assert.fail('the scanner fell back to the whole parse'));
  assert.ok(scanned.pending.length >= 3 && scanned.running.length === 1);
  const fields = (j: RemoteJob) => [j.id, j.status, j.priority, j.clientId, j.createdAt, j.workflowName, j.nodes];
  assert.deepEqual([...scanned.running, ...scanned.pending].map(fields), [...parsed.running, ...parsed.pending].map(fields));
}

/** The per-node and per-step frames (`progress_state`, `progress`), exactly as the real server wrote them, are read without JSON.parse (hot-frames.ts). */
function perStepFramesTakeTheFastPath(texts: readonly string[]): void {
  assert.ok(texts.length > 0, 'the server sent per-step frames');
  for (const text of texts) {
    const fast = JSON.parse(text).type === 'progress_state' ? readProgressStateFrame(text) : readProgressFrame(text);
    assert.ok(fast, `read on the fast path: ${text.slice(0, 120)}`);
    // A trailing space keeps the general decoder off the fast path: both must agree.
    assert.deepEqual(fast, decodeTextFrame(`${text} `));
  }
}

function finishedOnce(real: RealEngine, id: string): number {
  return real.recorder.finished.filter((job) => job.id === id).length;
}

export function steerScenarios(server: () => RealComfyUI): void {
  test('pause holds every pending job (another client’s, and one queued later) while the running one finishes; held across an app restart, resume queues them again in order with the same ids and exact prompts', async (t) => {
    const dataDir = await tempDir(t, 'real-steer-');
    const first = await realEngine(t, server().url, { dataDir });
    await first.connected();
    const other = await OtherClient.connect(server().url, { withSocket: true });
    t.after(() => other.close());
    const { running, prompts } = await busyQueue(first, other, 'pause');
    const held = [...prompts.keys()];

    const paused = await first.engine.pauseQueue(REAL_SERVER_ID);
    assert.deepEqual(paused.done, held, 'every pending job was taken off, in queue order');
    assert.deepEqual(await pendingOrder(other), [], 'nothing is pending on the server');
    for (const id of held) assert.equal(first.engine.job(REAL_SERVER_ID, id)?.held, true, `${id} is shown held`);
    assert.equal(first.engine.servers()[0]?.queuePaused, true);

    // Paused means paused for everyone: a job another client queues now is taken off as well.
    const latePrompt = quickPrompt('pause-late');
    const late = await other.submit(latePrompt);
    prompts.set(late, latePrompt);
    await first.jobReached(late, (job) => job.held === true);
    held.push(late);

    assert.equal((await first.finished(running)).status, 'completed', 'the running job finishes');
    await first.engine.settled();
    assert.deepEqual(await pendingOrder(other), []);
    for (const id of held) assert.deepEqual(await other.get(`history/${id}`), {}, `${id} did not run while paused`);
    await first.stop();

    // The app quits paused and starts again: the held jobs are still held, in their order, and still paused.
    const second = await realEngine(t, server().url, { dataDir });
    await second.connected();
    await second.engine.settled();
    assert.equal(second.engine.servers()[0]?.queuePaused, true, 'still paused after a restart');
    assert.equal(second.engine.servers()[0]?.heldJobs, held.length);
    assert.deepEqual(await pendingOrder(other), [], 'the restart queued nothing');

    const resumed = await second.engine.resumeQueue(REAL_SERVER_ID);
    assert.deepEqual(resumed.done, held, 'every held job went back, in order');
    assert.deepEqual(resumed.skipped, []);
    const ended = await Promise.all(held.map((id) => second.finished(id)));
    assert.deepEqual(ended.map((job) => job.status), held.map(() => 'completed'));
    const ran = await Promise.all(held.map((id) => ranAs(other, id)));
    held.forEach((id, i) => assert.deepEqual(ran[i]!.prompt, prompts.get(id), `${id} ran its exact prompt`));
    assert.deepEqual([...ran].sort((a, b) => a.number - b.number), ran, 'they ran in the order they were held');
    await second.engine.settled();
    for (const id of held) assert.equal(finishedOnce(second, id), 1, `${id} finished exactly once`);
    assert.equal(second.engine.servers()[0]?.queuePaused, undefined);
    assert.equal(second.engine.servers()[0]?.heldJobs ?? 0, 0);
  });

  test('move to front and to back reorder the real queue; the moved jobs keep their ids and exact prompts and run where they were put', async (t) => {
    const real = await realEngine(t, server().url);
    await real.connected();
    const other = await OtherClient.connect(server().url, { withSocket: true });
    t.after(() => other.close());
    const { running, prompts } = await busyQueue(real, other, 'move');
    const [a, b, c] = [...prompts.keys()] as [string, string, string];
    assert.deepEqual(await pendingOrder(other), [a, b, c]);
    await scannerReadsTheRealQueue(server().url);

    const front = await real.engine.moveToFront(REAL_SERVER_ID, [c]);
    assert.deepEqual(front, { done: [c], skipped: [] });
    assert.deepEqual(await pendingOrder(other), [c, a, b], 'c runs next');
    await real.jobReached(c, (job) => job.queuePosition === 1);

    const back = await real.engine.moveToBack(REAL_SERVER_ID, [a]);
    assert.deepEqual(back, { done: [a], skipped: [] });
    assert.deepEqual(await pendingOrder(other), [c, b, a], 'a runs last');

    // Moving the running job is refused for that job: it has started.
    const started = await real.engine.moveToFront(REAL_SERVER_ID, [running]);
    assert.deepEqual(started.done, []);
    assert.equal(started.skipped[0]?.reason.code, 'started');

    await other.interrupt(running);
    const ended = await Promise.all([c, b, a].map((id) => real.finished(id)));
    assert.deepEqual(ended.map((job) => job.status), ['completed', 'completed', 'completed']);
    const ran = await Promise.all([c, b, a].map((id) => ranAs(other, id)));
    [c, b, a].forEach((id, i) => assert.deepEqual(ran[i]!.prompt, prompts.get(id), `${id} ran its exact prompt`));
    assert.ok(ran[0]!.number < ran[1]!.number && ran[1]!.number < ran[2]!.number, 'they ran as placed: c, b, a');
    await real.engine.settled();
    for (const id of [a, b, c]) assert.equal(finishedOnce(real, id), 1, `${id} finished exactly once`);
    perStepFramesTakeTheFastPath(other.progressTexts);
  });
}
