// A Comfy Cloud account followed like any ComfyUI server, against the Cloud simulator over real sockets: the key on
// HTTP and the token on the socket, every job of the account heard, Cloud's queue order, its jobs API (sort names,
// pagination, seconds), outputs through a 302 fetched without the key, and each refusal reaching its state once,
// with the requests counted.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { CloudBackend } from '../../../../electron/core/backends/comfy-cloud/cloud-backend.js';
import { resolveServer } from '../../../../electron/core/comfy/server-config.js';
import { errorCode } from '../../../../electron/core/errors.js';
import { nextEvent, nextNodeEvent } from '../../../support/events.js';
import { FAST_TIMINGS } from '../../../support/timings.js';
import { API_KEY, cloudAccount, cloudEngine, SAVE, serverState, STEPS } from './support.js';

function standalone(t: { after: (fn: () => Promise<void>) => void }, url: string, key = API_KEY): CloudBackend {
  const ids = new Map<string, { clientId: string; closedCleanly: boolean }>();
  const backend = new CloudBackend(
    resolveServer({ kind: 'comfy-cloud', id: 'c', name: 'Comfy Cloud', url, auth: { kind: 'api-key', key } }),
    { get: (id) => ids.get(id), set: (id, record) => void ids.set(id, record) },
    { timings: FAST_TIMINGS },
  );
  t.after(() => backend.stop());
  return backend;
}

describe('a Comfy Cloud account', () => {
  test('a job goes from queued to completed; its output comes through the 302, fetched once and without the key', async (t) => {
    const { cloud, storage } = await cloudAccount(t);
    const { engine } = await cloudEngine(t, cloud.url);
    const connected = await serverState(engine, (s) => s.state === 'connected');
    assert.equal(connected.kind, 'comfy-cloud');
    cloud.hold();
    const id = cloud.enqueue({ '1': STEPS(2), '2': SAVE });
    const queued = await nextEvent(engine.events, 'job', (job) => job.id === id && job.status === 'pending');
    assert.equal(queued.queuePosition, 1);
    assert.equal(queued.submittedBy, 'other', 'queued in the web UI, not here');
    cloud.release();
    await nextEvent(engine.events, 'job', (job) => job.id === id && job.status === 'running');
    const finished = await nextEvent(engine.events, 'job-finished', (job) => job.id === id);
    assert.equal(finished.status, 'completed');
    assert.ok(finished.durationMs !== undefined && finished.durationMs >= 0, 'a duration, with times in whole seconds');
    const saved = await nextEvent(engine.events, 'saved', (e) => e.jobId === id);
    assert.equal((await readFile(saved.files[0]!.path, 'utf8')), 'cloud bytes of cloud_0_2.png');

    assert.equal(storage.requests.length, 1, 'the signed URL fetched once');
    assert.ok(!storage.everythingReceived().includes(API_KEY), 'no key at the storage origin');
    const http = cloud.requests.filter((r) => r.path !== '/ws');
    assert.ok(http.length > 3 && http.every((r) => r.headers['x-api-key'] === API_KEY), 'X-API-Key on every HTTP request');
    const upgrade = cloud.requests.find((r) => r.path === '/ws');
    assert.equal(new URLSearchParams(upgrade?.query).get('token'), API_KEY, 'the socket carries the key as ?token=');
    assert.equal(JSON.stringify(engine.servers()).includes(API_KEY), false);
  });

  test('every connection hears every job of the account; a submission here is ours and sends neither number nor front', async (t) => {
    const { cloud } = await cloudAccount(t);
    const { engine } = await cloudEngine(t, cloud.url, { save: false });
    await serverState(engine, (s) => s.state === 'connected');
    const mine = await engine.submit('cloud', { prompt: { '1': SAVE }, front: true });
    const elsewhere = cloud.enqueue({ '1': SAVE }, { clientId: 'another-session' });
    const finished = await Promise.all([mine.promptId, elsewhere].map((id) => nextEvent(engine.events, 'job-finished', (job) => job.id === id)));
    assert.deepEqual(
      finished.map((job) => job.submittedBy),
      ['this-app', 'other'],
    );
    assert.equal(cloud.submissions.length, 1);
    assert.equal('front' in cloud.submissions[0]!, false);
    assert.equal('number' in cloud.submissions[0]!, false);
  });

  test("Cloud's queue order: pending jobs in job-number order with their positions", async (t) => {
    const { cloud } = await cloudAccount(t);
    const { engine } = await cloudEngine(t, cloud.url, { save: false });
    await serverState(engine, (s) => s.state === 'connected');
    cloud.hold();
    const ids = [cloud.enqueue({ '1': SAVE }), cloud.enqueue({ '1': SAVE }), cloud.enqueue({ '1': SAVE })];
    await nextEvent(engine.events, 'job', (job) => job.id === ids[2] && job.status === 'pending');
    await engine.settled();
    assert.deepEqual(
      ids.map((id) => engine.job('cloud', id)?.queuePosition),
      [1, 2, 3],
    );
    // The prompt in the queue item (index 2) names the nodes, as on ComfyUI.
    cloud.release();
    await Promise.all(ids.map((id) => nextEvent(engine.events, 'job-finished', (job) => job.id === id)));
  });

  // Queue steering re-queues jobs at chosen places, which Cloud ignores: the view says so and the engine refuses,
  // before anything leaves the queue or the queue is recorded as paused.
  test('the queue is not steered: the view says why, pause and moves are refused and nothing leaves the queue', async (t) => {
    const { cloud } = await cloudAccount(t);
    const { engine } = await cloudEngine(t, cloud.url, { save: false });
    const view = await serverState(engine, (s) => s.state === 'connected');
    assert.match(view.steeringUnavailable ?? '', /Comfy Cloud schedules your jobs itself/);
    cloud.hold();
    const ids = [cloud.enqueue({ '1': SAVE }), cloud.enqueue({ '1': SAVE })];
    await nextEvent(engine.events, 'job', (job) => job.id === ids[1] && job.status === 'pending');
    await engine.settled();
    const before = cloud.requests.length;
    for (const action of [() => engine.pauseQueue('cloud'), () => engine.moveToFront('cloud', [ids[1]!]), () => engine.moveToBack('cloud', [ids[0]!])]) {
      await assert.rejects(action(), (error: unknown) => errorCode(error) === 'QUEUE_STEERING_UNSUPPORTED');
    }
    assert.deepEqual(
      cloud.requests.slice(before).filter((r) => r.method !== 'GET'),
      [],
      'nothing deleted or queued again',
    );
    assert.equal(engine.servers()[0]?.queuePaused, undefined);
    assert.deepEqual(
      ids.map((id) => engine.job('cloud', id)?.queuePosition),
      [1, 2],
    );
    cloud.release();
    await Promise.all(ids.map((id) => nextEvent(engine.events, 'job-finished', (job) => job.id === id)));
  });

  for (const timeUnit of ['seconds', 'milliseconds'] as const) {
    test(`jobs that ended while the app was away are caught up through paged /api/jobs (times in ${timeUnit})`, async (t) => {
      const { cloud } = await cloudAccount(t, { timeUnit });
      const first = await cloudEngine(t, cloud.url, { save: false });
      await serverState(first.engine, (s) => s.state === 'connected');
      const seen = cloud.enqueue({ '1': SAVE });
      await nextEvent(first.engine.events, 'job-finished', (job) => job.id === seen);
      await first.engine.stop();
      // 250 jobs end while nothing watches: more than one page (20, then 200).
      const base = Math.ceil(Date.now() / 1000) * 1000 + 5_000;
      const away = Array.from({ length: 250 }, (_, i) => cloud.addFinished(i % 10 === 0 ? 'failed' : 'completed', base + i * 1000).id);
      const again = await cloudEngine(t, cloud.url, { dataDir: first.dataDir, save: false });
      const digest = await nextEvent(again.engine.events, 'digest', () => true, 20_000);
      assert.equal(digest.jobs.length, 250);
      assert.deepEqual(new Set(digest.jobs.map((job) => job.id)), new Set(away));
      assert.ok(digest.jobs.every((job) => job.createdAt !== undefined && job.createdAt >= base), 'times read as the right moment');
      const listings = cloud.requests.filter((r) => r.path === '/api/jobs' && r.query.includes('completed'));
      assert.ok(listings.every((r) => new URLSearchParams(r.query).get('sort_by') === 'create_time'), "Cloud's sort name");
      assert.ok(listings.length <= 6, `paged, not one request per job (${listings.length})`);
    });
  }

  test('a failure shows the node, the exception and a readable sentence for Cloud exception types', async (t) => {
    const { cloud } = await cloudAccount(t);
    const { engine } = await cloudEngine(t, cloud.url, { save: false });
    await serverState(engine, (s) => s.state === 'connected');
    const id = cloud.enqueue({ '1': { class_type: 'SimRaise', inputs: { exception_type: 'OOMError', message: 'CUDA out of memory (tried 2 GiB)' } } });
    const failed = await nextEvent(engine.events, 'job-finished', (job) => job.id === id);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.error?.nodeId, '1');
    assert.equal(failed.error?.nodeType, 'SimRaise');
    assert.equal(failed.error?.exceptionType, 'OOMError');
    assert.equal(failed.error?.message, 'CUDA out of memory (tried 2 GiB)');
    assert.match(failed.error?.hint ?? '', /ran out of memory/);
  });

  test('lookup: a job the jobs API does not list yet is asked of the status endpoint; both vocabularies; unknown words in flight', async (t) => {
    for (const statusVocabulary of ['openapi', 'newer'] as const) {
      const { cloud } = await cloudAccount(t, { statusVocabulary });
      const backend = standalone(t, cloud.url);
      await backend.probe();
      cloud.hold();
      const id = cloud.enqueue({ '1': SAVE });
      cloud.jobs.get(id)!.unlisted = true;
      assert.equal((await backend.lookup(id))?.status, 'pending', statusVocabulary);
      cloud.jobs.get(id)!.statusWord = 'warming_up_the_gpu';
      assert.equal((await backend.lookup(id))?.status, 'running', 'unknown: in flight');
      cloud.jobs.get(id)!.statusWord = 'lost';
      const lost = await backend.lookup(id);
      assert.equal(lost?.status, 'failed');
      assert.match(lost?.error?.message ?? '', /lost/);
      assert.equal(await backend.lookup('00000000-0000-4000-8000-000000000000'), undefined, 'unknown everywhere');
      assert.ok(cloud.requestCount('/api/job/') >= 3, 'the status endpoint was asked');
    }
  });

  test("403: another user's job is said to be so, with its own code", async (t) => {
    const { cloud } = await cloudAccount(t);
    const backend = standalone(t, cloud.url);
    await backend.probe();
    const theirs = cloud.addFinished('completed', Date.now(), { owner: 'other' }).id;
    await assert.rejects(backend.lookup(theirs), { code: 'CLOUD_JOB_FORBIDDEN' });
  });

  const refusals = [
    { account: 'ok', key: 'ck-wrong', state: 'auth-failed', code: 'COMFY_AUTH_FAILED' },
    { account: 'no-credits', key: API_KEY, state: 'auth-failed', code: 'CLOUD_NO_CREDITS' },
    { account: 'inactive', key: API_KEY, state: 'auth-failed', code: 'CLOUD_SUBSCRIPTION_INACTIVE' },
  ] as const;
  for (const refusal of refusals) {
    test(`${refusal.code}: shown once as the server's state, asked again only at the slow retry, no retry storm`, async (t) => {
      const { cloud } = await cloudAccount(t);
      cloud.account = refusal.account;
      const { engine } = await cloudEngine(t, cloud.url, { key: refusal.key, save: false, timings: { authRetryMs: 400 } });
      const lines: string[] = [];
      engine.events.on('server', (s) => lines.push(`${s.state}:${s.lastError?.code ?? ''}`));
      const failed = await serverState(engine, (s) => s.state === refusal.state);
      assert.equal(failed.lastError?.code, refusal.code);
      assert.ok((failed.nextRetryAt ?? 0) - Date.now() >= 300, 'the next try is the slow one');
      const afterFirst = cloud.requestCount();
      // The next attempt: one request (the account check), then the same state again.
      await nextEvent(engine.events, 'server', (s) => s.nextRetryAt !== failed.nextRetryAt, 5_000);
      assert.equal(cloud.requestCount() - afterFirst, 1, 'one request per slow retry');
      assert.equal(lines.filter((line) => line === `${refusal.state}:${refusal.code}`).length, 2, 'one state per attempt, nothing in between');
      // Fixed on Cloud's side: back at the next retry.
      cloud.account = 'ok';
      if (refusal.key !== API_KEY) return;
      await serverState(engine, (s) => s.state === 'connected');
    });
  }

  test('a refusal met while following (credits run out) turns the connection to its state instead of retrying each reconcile', async (t) => {
    const { cloud } = await cloudAccount(t);
    const { engine } = await cloudEngine(t, cloud.url, { save: false, timings: { authRetryMs: 60_000 } });
    await serverState(engine, (s) => s.state === 'connected');
    cloud.account = 'no-credits';
    const id = cloud.enqueue({ '1': STEPS(40), '2': SAVE });
    const failed = await serverState(engine, (s) => s.state === 'auth-failed');
    assert.equal(failed.lastError?.code, 'CLOUD_NO_CREDITS');
    const count = cloud.requestCount();
    // The job runs on to its end on Cloud's side (broadcasts and all); none of it starts a request from here now.
    await nextNodeEvent(cloud.events, 'finished', (e: { id: string }) => e.id === id);
    assert.equal(cloud.requestCount(), count, 'no request until the slow retry');
  });

  test('5xx: retried with a capped, growing backoff, then connected', async (t) => {
    const { cloud } = await cloudAccount(t);
    cloud.failNext('/api/jobs', 503, 4);
    const { engine } = await cloudEngine(t, cloud.url, { save: false, timings: { firstRetryDelayMs: 40, maxRetryDelayMs: 150, jitterRatio: 0 } });
    const retries = new Map<number, number>();
    engine.events.on('server', (s) => {
      // Each retry once (a state may be told again, e.g. reconnecting becoming offline, with the same retry time).
      if (s.nextRetryAt !== undefined && s.state !== 'connected' && !retries.has(s.nextRetryAt)) retries.set(s.nextRetryAt, s.nextRetryAt - Date.now());
    });
    await serverState(engine, (s) => s.state === 'connected');
    const delays = [...retries.values()];
    assert.equal(delays.length, 4);
    assert.ok(delays[1]! > delays[0]! && delays[3]! <= 150, `growing and capped: ${delays.join(', ')}`);
    assert.equal(cloud.requests.filter((r) => r.path === '/api/jobs' && r.query === '?limit=1').length, 5, 'one account check per attempt');
  });

  test('cancel: a pending job leaves the queue; the one running job is interrupted; the key stays off the command', async (t) => {
    const { cloud } = await cloudAccount(t, { stepDelayMs: 20 });
    const { engine } = await cloudEngine(t, cloud.url, { save: false });
    await serverState(engine, (s) => s.state === 'connected');
    const running = cloud.enqueue({ '1': STEPS(200) });
    const waiting = cloud.enqueue({ '1': SAVE });
    await nextEvent(engine.events, 'job', (job) => job.id === running && job.status === 'running');
    await nextEvent(engine.events, 'job', (job) => job.id === waiting && job.status === 'pending');
    assert.equal(await engine.cancel('cloud', waiting), true);
    assert.equal(cloud.jobs.has(waiting), false);
    assert.equal(await engine.cancel('cloud', running), true);
    const ended = await nextEvent(engine.events, 'job-finished', (job) => job.id === running);
    assert.equal(ended.status, 'cancelled');
  });
});
