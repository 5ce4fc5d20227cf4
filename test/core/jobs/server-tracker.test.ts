import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { PromptRejectedError } from '../../../electron/core/jobs/backend.js';
import { FakeBackend, output } from '../../support/fake-backend.js';
import { nextEvent, record, tempDir } from '../../support/events.js';
import { connectedEngine, engineOn } from '../../support/fake-engine.js';

/** The app started again over `dir` (its journal), on a server with the same history and nothing queued. */
async function restartedOver(t: { after: (fn: () => Promise<void>) => void }, dir: string, backend: FakeBackend) {
  const again = new FakeBackend();
  Object.assign(again, { history: backend.history, running: [], pending: [] });
  const second = await engineOn(dir, again);
  t.after(() => second.stop());
  const rec = record(second.events);
  again.connect('client-2');
  await second.settled();
  return rec;
}

const PROMPT = {
  '1': { class_type: 'EmptyImage', inputs: {}, _meta: { title: 'Blank' } },
  '9': { class_type: 'SaveImage', inputs: { images: ['1', 0] }, _meta: { title: 'Save' } },
};

test('own job heard from its start: live progress, announced at execution_success with its live outputs, then completed from the server record', async (t) => {
  const { backend, engine, rec } = await connectedEngine(t);

  const { promptId } = await engine.submit('fake', { prompt: PROMPT });
  assert.equal(engine.job('fake', promptId)?.submittedBy, 'this-app');
  backend.start_(promptId);
  backend.send({ type: 'execution_start', promptId, timestamp: 1000 });
  backend.send({ type: 'execution_cached', promptId, nodes: [] });
  backend.send({ type: 'executing', promptId, node: '9', displayNode: '9' });
  backend.send({ type: 'progress', promptId, node: '9', value: 3, max: 10 });
  const running = engine.job('fake', promptId);
  assert.equal(running?.status, 'running');
  assert.deepEqual(running?.progress, { nodeId: '9', nodeType: 'SaveImage', nodeTitle: 'Save', value: 3, max: 10 });
  backend.send({ type: 'progress_state', promptId, nodes: { '1': { value: 1, max: 1, state: 'finished', displayNodeId: '1' }, '9': { value: 5, max: 10, state: 'running', displayNodeId: '9' } } });
  assert.equal(engine.job('fake', promptId)?.progress?.overall, 0.75);
  backend.send({ type: 'executed', promptId, node: '9', displayNode: '9', output: { images: [{ filename: 'a.png', subfolder: '', type: 'output' }] } });
  const lookupsBefore = backend.calls.lookup;
  const finished = nextEvent(engine.events, 'job-finished');
  backend.send({ type: 'execution_success', promptId, timestamp: 4000 });
  // Every event of the run came on this socket: the job is announced without asking the server for its record.
  const job = await finished;
  assert.equal(backend.calls.lookup, lookupsBefore);
  assert.equal(job.status, 'completed');
  assert.deepEqual(job.outputs.map((o) => o.filename), ['a.png']);
  assert.equal(job.durationMs, 3000);

  // The record, written after execution_success, lists an output the events did not: it is added to the finished
  // job (in memory and in the journal), and the job is not announced again.
  backend.complete(promptId, { outputs: [output('9', 'a.png'), output('9', 'b.png')], startedAt: 1000, endedAt: 4000 });
  const completed = nextEvent(engine.events, 'job', (view) => view.id === promptId && view.outputs.length === 2);
  backend.send({ type: 'executing', promptId, node: null, displayNode: null });
  assert.equal((await completed).status, 'completed');
  backend.status(0);
  backend.status(0);
  await engine.settled();
  assert.deepEqual(engine.job('fake', promptId)?.outputs.map((o) => o.filename), ['a.png', 'b.png']);
  assert.deepEqual(engine.journal.finishedRecord('fake', promptId)?.outputs.map((o) => o.filename), ['a.png', 'b.png']);
  assert.deepEqual(rec.finishedIds(), [promptId]);
});

test('a backend whose live events do not name every output: an own job heard from its start waits for the record', async (t) => {
  // As ComfyControl's run stream (and Comfy Cloud, whose outputs are documented in the job's record only).
  const bare = new FakeBackend();
  bare.liveOutputsComplete = false;
  const { backend, engine, rec } = await connectedEngine(t, { backend: bare });
  const { promptId } = await engine.submit('fake', { prompt: PROMPT });
  backend.start_(promptId);
  backend.send({ type: 'execution_start', promptId, timestamp: 1000 });
  backend.send({ type: 'execution_success', promptId, timestamp: 4000 });
  assert.equal(engine.job('fake', promptId)?.status, 'completed');
  assert.equal(rec.finished.length, 0, 'not announced before the server record exists');

  backend.complete(promptId, { outputs: [output('9', 'a.png')], startedAt: 1000, endedAt: 4000 });
  const finished = nextEvent(engine.events, 'job-finished');
  backend.send({ type: 'executing', promptId, node: null, displayNode: null });
  const job = await finished;
  await engine.settled();
  assert.deepEqual(job.outputs.map((o) => o.filename), ['a.png']);
  assert.deepEqual(rec.finishedIds(), [promptId]);
});

test('an own job whose start we did not hear is announced once the server record exists, with its outputs', async (t) => {
  const { backend, engine, rec } = await connectedEngine(t);
  const { promptId } = await engine.submit('fake', { prompt: PROMPT });
  backend.start_(promptId);
  // Joined mid-run (a reconnect): an `executed` may have gone to the old socket, so the record decides.
  backend.send({ type: 'executing', promptId, node: '9', displayNode: '9' });
  backend.send({ type: 'executed', promptId, node: '9', displayNode: '9', output: { images: [{ filename: 'a.png', subfolder: '', type: 'output' }] } });
  backend.send({ type: 'execution_success', promptId, timestamp: 4000 });
  assert.equal(engine.job('fake', promptId)?.status, 'completed');
  assert.equal(rec.finished.length, 0, 'not announced before the server record exists');

  backend.complete(promptId, { outputs: [output('9', 'a.png'), output('9', 'b.png')], startedAt: 1000, endedAt: 4000 });
  const finished = nextEvent(engine.events, 'job-finished');
  backend.send({ type: 'executing', promptId, node: null, displayNode: null });
  const job = await finished;
  await engine.settled();
  assert.equal(job.status, 'completed');
  assert.deepEqual(job.outputs.map((o) => o.filename), ['a.png', 'b.png']);
  assert.equal(job.durationMs, 3000);
  assert.deepEqual(rec.finishedIds(), [promptId]);
});

test('another client\'s job is never announced from live events alone, even heard from its start', async (t) => {
  const { backend, engine, rec } = await connectedEngine(t);
  const id = randomUUID();
  backend.running.push({ id, status: 'running', clientId: 'browser-tab' });
  backend.status(1);
  await engine.settled();
  assert.equal(engine.job('fake', id)?.submittedBy, 'other');
  backend.send({ type: 'execution_start', promptId: id, timestamp: 1000 });
  backend.send({ type: 'execution_success', promptId: id, timestamp: 2000 });
  await engine.settled();
  assert.equal(rec.finished.length, 0);
  backend.complete(id, { outputs: [output('9', 'x.png')] });
  backend.send({ type: 'executing', promptId: id, node: null, displayNode: null });
  backend.status(0);
  await engine.settled();
  assert.deepEqual(rec.finishedIds(), [id]);
  assert.deepEqual(rec.finished[0]?.outputs.map((o) => o.filename), ['x.png']);
});

test('a finished run sends the waiting jobs of its workflow again, with the estimate it taught, and no others', async (t) => {
  const { backend, engine } = await connectedEngine(t);
  const { promptId: first } = await engine.submit('fake', { prompt: PROMPT });
  const { promptId: waiting } = await engine.submit('fake', { prompt: PROMPT });
  const { promptId: unrelated } = await engine.submit('fake', { prompt: { '1': PROMPT['1'] } });
  await engine.settled();
  assert.equal(engine.job('fake', waiting)?.estimatedDurationMs, undefined, 'nothing learnt yet');
  const sent: string[] = [];
  engine.events.on('job', (job) => {
    // Queue positions move too (the first job left the queue); only the estimates are looked at here.
    if (job.status === 'pending' && job.estimatedDurationMs !== undefined) sent.push(`${job.id === waiting ? 'waiting' : job.id === unrelated ? 'unrelated' : job.id} ${job.estimatedDurationMs}`);
  });

  backend.start_(first);
  backend.send({ type: 'execution_start', promptId: first, timestamp: 1000 });
  backend.send({ type: 'execution_cached', promptId: first, nodes: [] });
  backend.send({ type: 'execution_success', promptId: first, timestamp: 4000 });
  backend.complete(first, { startedAt: 1000, endedAt: 4000 });
  const finished = nextEvent(engine.events, 'job-finished', (job) => job.id === first);
  backend.status();
  assert.equal((await finished).durationMs, 3000);
  await engine.settled();
  assert.deepEqual(sent, ['waiting 3000'], 'sent with the estimate; the other workflow has none');
  assert.equal(engine.job('fake', waiting)?.estimatedDurationMs, 3000);
  assert.equal(engine.job('fake', unrelated)?.estimatedDurationMs, undefined);
});

test('a job queued by another client is found by reconciliation and announced once', async (t) => {
  const { backend, engine, rec } = await connectedEngine(t);

  const id = randomUUID();
  backend.pending.push({ id, status: 'pending', clientId: 'browser-tab', priority: 4 });
  backend.status();
  await engine.settled();
  assert.equal(engine.job('fake', id)?.status, 'pending');
  assert.equal(engine.job('fake', id)?.queuePosition, 1);
  assert.equal(engine.job('fake', id)?.submittedBy, 'other');

  backend.start_(id);
  backend.status();
  await engine.settled();
  assert.equal(engine.job('fake', id)?.status, 'running');

  backend.complete(id, { outputs: [output('3', 'x.png')] });
  for (let i = 0; i < 5; i++) backend.status(0);
  await engine.settled();
  assert.deepEqual(rec.finishedIds(), [id]);
  assert.equal(rec.finished[0]?.submittedBy, 'other');
  assert.deepEqual(rec.finished[0]?.outputs.map((o) => o.filename), ['x.png']);
});

test('a fast job that came and went between two looks is discovered from recent history', async (t) => {
  const { backend, engine, rec } = await connectedEngine(t);
  const id = randomUUID();
  backend.complete(id, { status: 'failed', error: { nodeId: '2', nodeType: 'ImageInvert', exceptionType: 'RuntimeError', message: 'boom', traceback: [] } });
  backend.status(0);
  await engine.settled();
  assert.deepEqual(rec.finishedIds(), [id]);
  assert.equal(rec.finished[0]?.status, 'failed');
  assert.equal(rec.finished[0]?.error?.message, 'boom');
});

test('a server seen for the first time starts from now: its existing history is not announced', async (t) => {
  const backend = new FakeBackend();
  for (let i = 0; i < 30; i++) backend.complete(randomUUID());
  const engine = await engineOn(await tempDir(t), backend);
  t.after(() => engine.stop());
  const rec = record(engine.events);
  backend.connect();
  await engine.settled();
  backend.status(0);
  await engine.settled();
  assert.equal(rec.finished.length, 0);
  const next = randomUUID();
  backend.complete(next);
  backend.status(0);
  await engine.settled();
  assert.deepEqual(rec.finishedIds(), [next]);
});

test('a burst of status broadcasts arriving while idle costs exactly one reconciliation', async (t) => {
  const { backend, engine } = await connectedEngine(t);
  const before = backend.calls.listActive;
  for (let i = 0; i < 100; i++) backend.status(i);
  await engine.settled();
  assert.equal(backend.calls.listActive - before, 1);
});

test('a burst arriving while a reconciliation runs costs that one and exactly one more after it', async (t) => {
  const { backend, engine } = await connectedEngine(t);
  const before = backend.calls.listActive;
  let release = (): void => {};
  backend.listActiveGate = new Promise<void>((resolve) => (release = resolve));
  backend.status(1);
  // The first look is under way (held inside listActive) when the burst comes.
  while (backend.calls.listActive === before) await new Promise((resolve) => setImmediate(resolve));
  for (let i = 0; i < 100; i++) backend.status(i);
  backend.listActiveGate = undefined;
  release();
  await engine.settled();
  assert.equal(backend.calls.listActive - before, 2, 'the one running, then one for everything that came during it');
});

test('regression: old history is not replayed as new after a busy absence', async (t) => {
  // The first look marked only the newest 200 entries as known; a later look reaching further announced the rest.
  const dir = await tempDir(t);
  const backend = new FakeBackend();
  for (let i = 0; i < 600; i++) backend.complete(randomUUID());
  const first = await engineOn(dir, backend);
  const firstRec = record(first.events);
  backend.connect();
  await first.settled();
  assert.equal(firstRec.finished.length, 0);
  await first.stop();

  const meanwhile = Array.from({ length: 300 }, () => backend.complete(randomUUID()).id);
  const rec = await restartedOver(t, dir, backend);
  assert.equal(rec.finished.length, 300);
  assert.deepEqual(new Set(rec.finishedIds()), new Set(meanwhile));
});

test('regression: more than a thousand jobs finishing while away are all caught up, in the order they ended', async (t) => {
  const dir = await tempDir(t);
  const backend = new FakeBackend();
  for (let i = 0; i < 50; i++) backend.complete(randomUUID());
  const first = await engineOn(dir, backend);
  backend.connect();
  await first.settled();
  await first.stop();

  const meanwhile = Array.from({ length: 1_500 }, () => backend.complete(randomUUID()).id);
  const rec = await restartedOver(t, dir, backend);
  assert.deepEqual(rec.finishedIds(), meanwhile);
  assert.equal(rec.digests[0]?.jobs.length, 1_500);
});

test('a look reads down to where the last one began: a job that ended just before one we heard live is not missed', async (t) => {
  const { backend, engine, rec } = await connectedEngine(t);
  const seen = randomUUID();
  backend.complete(seen);
  backend.status(0);
  await engine.settled();
  const { promptId } = await engine.submit('fake', { prompt: PROMPT });
  await engine.settled();
  // Other clients' jobs end, then ours, announced from the socket before any look: 25 jobs on top of the last
  // look's newest, more than the look's first page.
  const others = Array.from({ length: 24 }, () => backend.complete(randomUUID()).id);
  backend.complete(promptId);
  const ours = nextEvent(engine.events, 'job-finished', (job) => job.id === promptId);
  backend.send({ type: 'execution_success', promptId });
  backend.send({ type: 'executing', promptId, node: null, displayNode: null });
  await ours;
  backend.status(0);
  await engine.settled();
  assert.deepEqual(new Set(rec.finishedIds()), new Set([seen, ...others, promptId]));
  assert.equal(rec.finished.length, 26);
});

test('duplicate and out-of-order terminal events still finish the job exactly once', async (t) => {
  const { backend, engine, rec } = await connectedEngine(t);
  const { promptId } = await engine.submit('fake', { prompt: PROMPT });
  backend.complete(promptId, { outputs: [output('9', 'a.png')] });
  // The record is already there when the events arrive late and twice.
  backend.status(0);
  backend.send({ type: 'execution_success', promptId });
  backend.send({ type: 'executing', promptId, node: null, displayNode: null });
  backend.send({ type: 'execution_success', promptId });
  backend.send({ type: 'executing', promptId, node: null, displayNode: null });
  backend.send({ type: 'progress', promptId, node: '9', value: 1, max: 2 });
  backend.status(0);
  await engine.settled();
  await new Promise((resolve) => setImmediate(resolve));
  await engine.settled();
  assert.deepEqual(rec.finishedIds(), [promptId]);
  assert.equal(engine.job('fake', promptId)?.status, 'completed');
});

test('ExecutionBlocked is a notice, not the end of the job', async (t) => {
  const { backend, engine } = await connectedEngine(t);
  const { promptId } = await engine.submit('fake', { prompt: PROMPT });
  backend.start_(promptId);
  backend.send({ type: 'execution_start', promptId });
  backend.send({ type: 'execution_error', promptId, blocked: true, error: { exceptionType: 'ExecutionBlocked', message: 'Execution Blocked: x', traceback: [] } });
  assert.equal(engine.job('fake', promptId)?.status, 'running');
  assert.equal(engine.job('fake', promptId)?.error, undefined);
});

test('a pending job removed by another client ends as cancelled', async (t) => {
  const { backend, engine, rec } = await connectedEngine(t);
  const id = randomUUID();
  backend.pending.push({ id, status: 'pending' });
  backend.status();
  await engine.settled();
  backend.pending = [];
  const finished = nextEvent(engine.events, 'job-finished');
  backend.status(0);
  const job = await finished;
  assert.equal(job.status, 'cancelled');
  assert.deepEqual(rec.finishedIds(), [id]);
});

test('our own cancel of a pending job ends it as cancelled at once', async (t) => {
  const { engine } = await connectedEngine(t, { recheckDelayMs: 60_000 });
  const { promptId } = await engine.submit('fake', { prompt: PROMPT });
  await engine.settled();
  const finished = nextEvent(engine.events, 'job-finished');
  assert.equal(await engine.cancel('fake', promptId), true);
  assert.equal((await finished).status, 'cancelled');
});

test('a server restart (its history gone) marks the jobs it was running as lost', async (t) => {
  const { backend, engine, rec } = await connectedEngine(t);
  const done = randomUUID();
  backend.complete(done);
  backend.status(0);
  await engine.settled();
  const running = randomUUID();
  backend.running.push({ id: running, status: 'running' });
  backend.status(1);
  await engine.settled();
  assert.equal(engine.job('fake', running)?.status, 'running');

  backend.disconnect();
  backend.running = [];
  backend.history = [];
  backend.connect('client-2');
  await engine.settled();
  const lost = rec.finished.find((job) => job.id === running);
  assert.equal(lost?.status, 'lost');
  assert.equal(lost?.lostReason, 'server-restarted');
});

test('a job we saw finish live whose record was evicted still finishes, with what the socket told', async (t) => {
  const { backend, engine } = await connectedEngine(t);
  const { promptId } = await engine.submit('fake', { prompt: PROMPT });
  backend.start_(promptId);
  backend.send({ type: 'executed', promptId, node: '9', displayNode: '9', output: { images: [{ filename: 'live.png', subfolder: '', type: 'output' }] } });
  backend.send({ type: 'execution_success', promptId });
  backend.running = [];
  const finished = nextEvent(engine.events, 'job-finished');
  backend.status(0);
  const job = await finished;
  assert.equal(job.status, 'completed');
  assert.deepEqual(job.outputs.map((o) => o.filename), ['live.png']);
});

test('our submission still on its way is not mistaken for a job removed from the queue', async (t) => {
  const { backend, engine, rec } = await connectedEngine(t);
  let answer = (): void => {};
  const answered = new Promise<void>((resolve) => (answer = resolve));
  const defaultHandler = backend.submitHandler;
  backend.submitHandler = async (request) => {
    await answered; // a slow POST: the server has not queued it yet
    return defaultHandler(request);
  };
  const submitted = engine.submit('fake', { prompt: PROMPT, workflow: { extra: { name: 'Slow post' } } });
  // Other clients keep the queue busy meanwhile: every status broadcast looks at a queue without our job.
  for (let i = 0; i < 3; i++) {
    backend.status();
    await engine.settled();
  }
  assert.deepEqual(rec.finished, []);
  assert.equal(engine.jobs('fake')[0]?.status, 'pending');
  answer();
  const { promptId } = await submitted;
  await engine.settled();
  const job = engine.job('fake', promptId);
  assert.equal(job?.status, 'pending');
  assert.equal(job?.workflowName, 'Slow post');
  assert.equal(job?.queuePosition, 1);
  assert.deepEqual(rec.finished, []);
});

test('a refused submission is removed again and the caller gets the server’s reasons', async (t) => {
  const { backend, engine, rec } = await connectedEngine(t);
  backend.submitHandler = async () => {
    throw new PromptRejectedError('Prompt outputs failed validation', 'prompt_outputs_failed_validation', [
      { nodeId: '4', classType: 'CheckpointLoaderSimple', errors: [{ type: 'value_not_in_list', message: 'Value not in list', inputName: 'ckpt_name' }] },
    ]);
  };
  await assert.rejects(engine.submit('fake', { prompt: PROMPT }), (error: unknown) => error instanceof PromptRejectedError && error.code === 'COMFY_PROMPT_REJECTED' && error.nodeErrors[0]?.nodeId === '4');
  assert.equal(rec.removed.length, 1);
  assert.equal(engine.jobs('fake').length, 0);
  await assert.rejects(engine.submit('fake', { prompt: PROMPT, promptId: 'NOT-A-UUID' }), { code: 'COMFY_PROMPT_REJECTED' });
});

test('restarting the app neither repeats nor forgets: jobs that ended meanwhile come as one digest', async (t) => {
  const dir = await tempDir(t);
  const backend = new FakeBackend();
  let engine = await engineOn(dir, backend);
  const first = record(engine.events);
  backend.connect();
  await engine.settled();
  const done = randomUUID();
  backend.complete(done);
  const inFlight = randomUUID();
  backend.running.push({ id: inFlight, status: 'running' });
  backend.status(1);
  await engine.settled();
  assert.deepEqual(first.finishedIds(), [done]);
  await engine.stop();

  // While the app is closed: the running job finishes, and another client's job comes and goes.
  backend.complete(inFlight, { outputs: [output('9', 'late.png')] });
  const meanwhile = randomUUID();
  backend.complete(meanwhile);

  const again = new FakeBackend();
  Object.assign(again, { history: backend.history, running: [], pending: [] });
  engine = await engineOn(dir, again);
  t.after(() => engine.stop());
  const second = record(engine.events);
  assert.equal(engine.job('fake', done)?.status, 'completed', 'finished jobs are remembered');
  again.connect('client-2');
  await engine.settled();
  assert.deepEqual(second.finishedIds().sort(), [inFlight, meanwhile].sort());
  assert.ok(second.finished.every((job) => job.caughtUp === true));
  assert.equal(second.digests.length, 1);
  assert.equal(second.digests[0]?.jobs.length, 2);
});
