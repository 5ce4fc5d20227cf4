// ComfyControl runs followed like any job, against the ComfyControl simulator over real sockets: added by id, a
// record read first and after every gap, the event stream reopened after its update limit and after a stall, outputs
// from signed URLs without the token, and a mistyped id or a revoked token each ending in a clear state.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { nextEvent, nextNodeEvent } from '../../../support/events.js';
import { comfyControl, comfyControlEngine, PNG, serverState, TOKEN } from './support.js';

describe('ComfyControl runs', () => {
  test('a run added by id goes from queued to completed across reopened streams; its outputs are saved once, without the token', async (t) => {
    const { cc, storage } = await comfyControl(t, { maxUpdates: 4 });
    const { engine } = await comfyControlEngine(t, cc.url);
    const connected = await serverState(engine, (s) => s.state === 'connected');
    assert.equal(connected.kind, 'comfycontrol');
    const id = cc.addRun({ name: 'Portrait', queueNumber: 2 });
    const added = await engine.follow('cc', id);
    assert.equal(added.status, 'pending');
    await nextNodeEvent(cc.events, 'stream-opened', (runId: string) => runId === id);
    await engine.settled();
    assert.equal(engine.job('cc', id)?.queuePosition, 1);

    // Each stream closes after 4 updates: two more are opened while the run waits, each after a record read.
    for (let reopened = 0; reopened < 2; reopened++) await nextNodeEvent(cc.events, 'stream-opened', (runId: string) => runId === id);
    const sequence = cc.requests.filter((r) => r.path.startsWith(`/v1/workflow/${id}`)).map((r) => (r.path.endsWith('/subscribe') ? 'S' : 'R'));
    const streams = sequence.filter((kind) => kind === 'S').length;
    assert.ok(streams >= 3, `reopened: ${sequence.join('')}`);
    assert.ok(!sequence.join('').includes('SS'), `a record read before every reopen: ${sequence.join('')}`);

    cc.start(id);
    await nextEvent(engine.events, 'job', (job) => job.id === id && job.status === 'running');
    cc.complete(id, [{ name: 'portrait.png', bytes: PNG }]);
    const finished = await nextEvent(engine.events, 'job-finished', (job) => job.id === id);
    assert.equal(finished.status, 'completed');
    assert.equal(finished.outputs.length, 1);
    const saved = await nextEvent(engine.events, 'saved', (e) => e.jobId === id);
    assert.equal(saved.files.length, 1);
    assert.ok((await readFile(saved.files[0]!.path)).equals(PNG));

    assert.equal(storage.requests.length, 1, 'fetched once');
    assert.ok(!storage.everythingReceived().includes(TOKEN), 'no token at the signed URL');
    assert.ok(cc.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`), 'Bearer on every request to the API (streams included)');
    assert.equal(cc.openStreams(id), 0, 'no stream left open once the run ended');
  });

  test('a stream that stalls without closing is given up after three intervals: the record is read and a new stream opened', async (t) => {
    const { cc } = await comfyControl(t);
    const { engine } = await comfyControlEngine(t, cc.url);
    await serverState(engine, (s) => s.state === 'connected');
    const id = cc.addRun();
    await engine.follow('cc', id);
    await nextNodeEvent(cc.events, 'stream-opened', (runId: string) => runId === id);
    const readsBefore = cc.requests.filter((r) => r.path === `/v1/workflow/${id}`).length;
    cc.run(id).stalled = true;
    // Ours closes it (the server sees the client go), after a record read the next stream opens.
    await nextNodeEvent(cc.events, 'stream-closed', (e: { id: string; why: string }) => e.id === id && e.why === 'client');
    cc.run(id).stalled = false;
    // The run ended during the silence: the record read after the stall finds it, nothing is missed.
    cc.fail(id, { node_type: 'KSampler', exception_type: 'OOMError', exception_message: 'CUDA out of memory' });
    const finished = await nextEvent(engine.events, 'job-finished', (job) => job.id === id);
    assert.ok(cc.requests.filter((r) => r.path === `/v1/workflow/${id}`).length > readsBefore, 'the record was read after the stall');
    assert.equal(finished.status, 'failed');
    assert.equal(finished.error?.nodeType, 'KSampler');
    assert.equal(finished.error?.exceptionType, 'OOMError');
    assert.equal(finished.error?.message, 'CUDA out of memory');
    assert.match(finished.error?.hint ?? '', /memory/);
  });

  test('a mistyped id is refused up front while connected; added while offline, it ends failed with RunNotFound', async (t) => {
    const { cc } = await comfyControl(t);
    const { engine } = await comfyControlEngine(t, cc.url);
    await serverState(engine, (s) => s.state === 'connected');
    await assert.rejects(engine.follow('cc', '6f1c0000-dead-4000-8000-000000000000'), { code: 'COMFY_JOB_NOT_FOUND' });
    assert.equal(engine.jobs('cc').length, 0, 'nothing added');
    await assert.rejects(engine.follow('cc', '../etc/passwd'), { code: 'COMFY_JOB_NOT_FOUND' });

    await cc.stop();
    await serverState(engine, (s) => s.state !== 'connected');
    const typo = '6f1c0000-dead-4000-8000-000000000001';
    await engine.follow('cc', typo);
    await cc.listen();
    const finished = await nextEvent(engine.events, 'job-finished', (job) => job.id === typo);
    assert.equal(finished.status, 'failed');
    assert.equal(finished.error?.exceptionType, 'RunNotFound');
    assert.equal(cc.openStreams(), 0);
  });

  test('a revoked token: auth-failed, streams closed, asked again only slowly; the run waits and completes once the token works', async (t) => {
    const { cc } = await comfyControl(t);
    const { engine } = await comfyControlEngine(t, cc.url, { timings: { authRetryMs: 300 } });
    await serverState(engine, (s) => s.state === 'connected');
    const id = cc.addRun();
    await engine.follow('cc', id);
    await nextNodeEvent(cc.events, 'stream-opened', (runId: string) => runId === id);
    cc.token = 'rotated';
    // The open stream goes on (it was authorised); the next record read (after the stream's update limit or a stall)
    // meets the 401. Force the gap: the stream stalls.
    cc.run(id).stalled = true;
    const failed = await serverState(engine, (s) => s.state === 'auth-failed');
    assert.equal(failed.lastError?.code, 'COMFY_AUTH_FAILED');
    assert.ok(!JSON.stringify(failed).includes(TOKEN));
    assert.equal(cc.openStreams(), 0, 'streams closed');
    const count = cc.requestCount();
    await nextEvent(engine.events, 'server', (s) => s.state === 'auth-failed' && s.nextRetryAt !== failed.nextRetryAt, 5_000);
    assert.equal(cc.requestCount() - count, 1, 'one request per slow retry');
    assert.equal(engine.job('cc', id)?.status, 'pending', 'the run is still followed');

    cc.token = TOKEN;
    cc.run(id).stalled = false;
    cc.complete(id, [{ name: 'after.png', bytes: PNG }]);
    const finished = await nextEvent(engine.events, 'job-finished', (job) => job.id === id);
    assert.equal(finished.status, 'completed');
  });

  test('cancelled and invalid runs end with their state; submitting and cancelling here are refused with a reason', async (t) => {
    const { cc } = await comfyControl(t);
    const { engine } = await comfyControlEngine(t, cc.url);
    await serverState(engine, (s) => s.state === 'connected');
    const cancelled = cc.addRun();
    const invalid = cc.addRun();
    await engine.follow('cc', cancelled);
    await engine.follow('cc', invalid);
    cc.fail(cancelled, null, 'cancelled');
    cc.fail(invalid, null, 'invalid');
    const ends = await Promise.all([cancelled, invalid].map((id) => nextEvent(engine.events, 'job-finished', (job) => job.id === id)));
    assert.deepEqual(
      ends.map((job) => job.status),
      ['cancelled', 'failed'],
    );
    assert.match(ends[1]!.error?.message ?? '', /invalid/);
    await assert.rejects(engine.submit('cc', { prompt: {} }), { code: 'BACKEND_UNSUPPORTED' });
    await assert.rejects(engine.backend('cc').cancel(cancelled, false), { code: 'BACKEND_UNSUPPORTED' });
  });
});
