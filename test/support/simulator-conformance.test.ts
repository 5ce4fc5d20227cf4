// Conformance: the simulator, driven like the recorded scenarios, sends every socket the same sequence of
// message types (with the same targeting) and answers HTTP with bodies of the same shape as the real servers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ComfySimulator } from './comfy-simulator.js';
import type { SimGeneration } from './simulator/types.js';
import { exchange, httpTranscript, versionOf, wsTranscript, type FixtureVersion } from './sim-testing/fixtures.js';
import { call, wsUrl } from './sim-testing/http.js';
import { assertReplyLike, assertSequence, flushAll, JobTracker, openSockets, startSim, statusCount } from './sim-testing/scenario.js';
import { TestSocket } from './sim-testing/ws-client.js';

const GENERATIONS: SimGeneration[] = ['modern', 'legacy'];

type PromptBody = { prompt: Record<string, Record<string, unknown>>; client_id?: string };

function promptBody(version: FixtureVersion, scenario: string, index = 0): PromptBody {
  return exchange(httpTranscript(version, scenario), { method: 'POST', path: '/prompt', index }).request_body as PromptBody;
}

async function submit(sim: ComfySimulator, body: unknown): Promise<string> {
  const reply = await call(sim.url, 'POST', '/prompt', body);
  assert.equal(reply.status, 200, reply.text);
  return (reply.json as { prompt_id: string }).prompt_id;
}

/** Runs node "2" of a recorded prompt once, so that (like on the recording server) it is cached next time. */
async function warmCache(sim: ComfySimulator, jobs: JobTracker, node: Record<string, unknown>): Promise<void> {
  const id = await submit(sim, { prompt: { '2': node, '99': { class_type: 'SimOutput', inputs: { image: ['2', 0] } } } });
  await jobs.finished(id);
}

async function historyOf(sim: ComfySimulator, id: string): Promise<Record<string, unknown>> {
  const reply = await call(sim.url, 'GET', `/history/${id}`);
  return (reply.json as Record<string, Record<string, unknown>>)[id]!;
}

function messageNames(entry: Record<string, unknown>): string[] {
  return ((entry.status as { messages: [string, unknown][] }).messages ?? []).map(([name]) => name);
}

function isProgress(min: number) {
  return (data: Record<string, unknown>): boolean => typeof data.value === 'number' && data.value >= min;
}

for (const generation of GENERATIONS) {
  const v = versionOf(generation);

  test(`${v} 01: a prompt for client A (targeting, history, jobs, view)`, async (t) => {
    const S = '01_basic_client_A';
    const sim = await startSim(t, { generation });
    const jobs = new JobTracker(sim);
    const sockets = await openSockets(t, sim, v, S);
    const http = httpTranscript(v, S);
    const post = await call(sim.url, 'POST', '/prompt', promptBody(v, S));
    assertReplyLike(post, exchange(http, { method: 'POST', path: '/prompt' }), 'POST /prompt');
    const id = (post.json as { prompt_id: string }).prompt_id;
    assert.equal(await jobs.finished(id), 'success');
    await flushAll(sockets);
    for (const label of ['A', 'B']) assertSequence(sockets[label]!, v, S, label, 'exact');

    const history = await call(sim.url, 'GET', `/history/${id}`);
    assertReplyLike(history, exchange(http, { method: 'GET', path: '/history/' }), 'GET /history/{id}');
    const entry = (history.json as Record<string, Record<string, unknown>>)[id]!;
    assert.deepEqual(messageNames(entry), ['execution_start', 'execution_cached', 'execution_success']);
    const tuple = entry.prompt as unknown[];
    assert.equal(tuple.length, 5);
    assert.deepEqual(Object.keys(tuple[3] as object), generation === 'modern' ? ['client_id', 'create_time'] : ['client_id']);
    assert.deepEqual(entry.outputs, { '3': { images: [{ filename: 'peer_basic_00001_.png', subfolder: '', type: 'output' }] } });

    assertReplyLike(await call(sim.url, 'GET', `/api/jobs/${id}`), exchange(http, { method: 'GET', path: '/api/jobs/' }), 'GET /api/jobs/{id}');
    const view = exchange(http, { method: 'GET', path: '/view' });
    assertReplyLike(await call(sim.url, 'GET', view.path), view, 'GET /view');
  });

  test(`${v} 02: a prompt without client_id (only broadcasts)`, async (t) => {
    const S = '02_no_client_id';
    const sim = await startSim(t, { generation });
    const jobs = new JobTracker(sim);
    const sockets = await openSockets(t, sim, v, S);
    assert.match(sockets['no-clientId']!.sid, /^[0-9a-f]{32}$/);
    const http = httpTranscript(v, S);
    const id = await submit(sim, promptBody(v, S));
    await jobs.finished(id);
    await flushAll(sockets);
    for (const label of Object.keys(sockets)) assertSequence(sockets[label]!, v, S, label, 'exact');
    const history = await call(sim.url, 'GET', `/history/${id}`);
    assertReplyLike(history, exchange(http, { method: 'GET', path: '/history/' }), 'GET /history/{id}');
    const extra = ((history.json as Record<string, { prompt: unknown[] }>)[id]!.prompt[3] ?? {}) as object;
    assert.deepEqual(Object.keys(extra), generation === 'modern' ? ['create_time'] : []);
  });

  for (const S of ['04_execution_error_client_A', '05_execution_error_no_client_id']) {
    test(`${v} ${S.slice(0, 2)}: SaveImage raises (execution_error payload and history)`, async (t) => {
      const sim = await startSim(t, { generation });
      const jobs = new JobTracker(sim);
      const sockets = await openSockets(t, sim, v, S);
      const http = httpTranscript(v, S);
      const id = await submit(sim, promptBody(v, S));
      assert.equal(await jobs.finished(id), 'error');
      await flushAll(sockets);
      for (const label of Object.keys(sockets)) assertSequence(sockets[label]!, v, S, label, 'exact');
      assertReplyLike(await call(sim.url, 'GET', `/history/${id}`), exchange(http, { method: 'GET', path: '/history/' }), 'GET /history/{id}');
      const entry = await historyOf(sim, id);
      assert.deepEqual(messageNames(entry), ['execution_start', 'execution_cached', 'execution_error']);
      const status = entry.status as { status_str: string; completed: boolean; messages: [string, Record<string, unknown>][] };
      assert.equal(status.status_str, 'error');
      assert.equal(status.completed, false);
      const error = status.messages[2]![1];
      assert.equal(error.exception_type, 'Exception');
      assert.match(String(error.exception_message), /^\*\*\*\* ERROR: Saving image outside the output folder is not allowed\.\n full_output_folder: .*\n {9}output_dir: .*\n {9}commonpath: .*\n$/);
      assert.deepEqual(error.executed, ['1', '2']);
      if (S.startsWith('04')) {
        const wsError = sockets.A!.texts('execution_error')[0]!;
        const recorded = wsTranscript(v, S, 'A').find((e) => e.kind === 'text' && e.type === 'execution_error');
        assert.deepEqual(Object.keys(wsError.data), recorded?.kind === 'text' ? Object.keys(recorded.data) : []);
      }
      if (generation === 'modern' && S.startsWith('04')) {
        const job = await call(sim.url, 'GET', `/api/jobs/${id}`);
        assertReplyLike(job, exchange(http, { method: 'GET', path: '/api/jobs/' }), 'GET /api/jobs/{id}');
        assert.equal((job.json as { status: string }).status, 'failed');
      }
    });
  }

  test(`${v} 06: global interrupt during a slow node`, async (t) => {
    const S = '06_interrupt_global';
    const sim = await startSim(t, { generation, stepDelayMs: 4 });
    const jobs = new JobTracker(sim);
    const sockets = await openSockets(t, sim, v, S);
    const http = httpTranscript(v, S);
    const id = await submit(sim, promptBody(v, S));
    await sockets.A!.waitForType('progress', isProgress(3));
    sim.hold(); // the interrupt then lands exactly at the next progress step
    assert.equal((await call(sim.url, 'POST', '/interrupt')).status, 200);
    assert.equal(await jobs.finished(id), 'interrupted');
    sim.release();
    await flushAll(sockets);
    for (const label of Object.keys(sockets)) assertSequence(sockets[label]!, v, S, label, 'collapsed');
    assertReplyLike(await call(sim.url, 'GET', `/history/${id}`), exchange(http, { method: 'GET', path: '/history/' }), 'GET /history/{id}');
    assert.deepEqual(messageNames(await historyOf(sim, id)), ['execution_start', 'execution_cached', 'execution_interrupted']);
    const job = await call(sim.url, 'GET', `/api/jobs/${id}`);
    assertReplyLike(job, exchange(http, { method: 'GET', path: '/api/jobs/' }), 'GET /api/jobs/{id}');
    if (generation === 'modern') assert.equal((job.json as { status: string }).status, 'cancelled');
  });

  test(`${v} 07: targeted interrupt (${generation === 'modern' ? 'other id ignored' : '0.3.54 ignores the body'})`, async (t) => {
    const S = '07_interrupt_targeted';
    const sim = await startSim(t, { generation, stepDelayMs: 20 });
    const jobs = new JobTracker(sim);
    const body = promptBody(v, S);
    if (generation === 'modern') await warmCache(sim, jobs, body.prompt['2']!);
    const sockets = await openSockets(t, sim, v, S);
    const http = httpTranscript(v, S);
    const id = await submit(sim, body);
    await sockets.A!.waitForType('executing', (d) => d.node === '3');
    sim.hold(); // node 3 waits before its first step
    await call(sim.url, 'POST', '/interrupt', exchange(http, 'interrupt_not_running_id').request_body);
    if (generation === 'modern') {
      sim.release();
      await sockets.A!.waitForType('progress', isProgress(3));
      sim.hold();
    } else {
      assert.equal(await jobs.finished(id), 'interrupted');
    }
    await call(sim.url, 'POST', '/interrupt', { prompt_id: id });
    assert.equal(await jobs.finished(id), 'interrupted');
    sim.release();
    await flushAll(sockets);
    for (const label of Object.keys(sockets)) assertSequence(sockets[label]!, v, S, label, 'collapsed');
    const entry = await historyOf(sim, id);
    assert.deepEqual((entry.status as { messages: [string, { nodes?: string[] }][] }).messages[1]![1].nodes, generation === 'modern' ? ['2'] : []);
  });

  test(`${v} 08: interrupting a prompt without client_id`, async (t) => {
    const S = '08_interrupt_no_client_id';
    const sim = await startSim(t, { generation, stepDelayMs: 4 });
    const jobs = new JobTracker(sim);
    const body = promptBody(v, S);
    if (generation === 'modern') await warmCache(sim, jobs, body.prompt['2']!);
    const sockets = await openSockets(t, sim, v, S);
    const id = await submit(sim, body);
    await sockets.A!.waitForType('progress', isProgress(2));
    sim.hold();
    await call(sim.url, 'POST', '/interrupt');
    assert.equal(await jobs.finished(id), 'interrupted');
    sim.release();
    await flushAll(sockets);
    for (const label of Object.keys(sockets)) assertSequence(sockets[label]!, v, S, label, 'collapsed');
    assertReplyLike(await call(sim.url, 'GET', `/history/${id}`), exchange(httpTranscript(v, S), { method: 'GET', path: '/history/' }), 'GET /history/{id}');
  });

  test(`${v} 09: re-running the same prompt is fully cached and replays the old files`, async (t) => {
    const S = '09_cached_rerun';
    const sim = await startSim(t, { generation });
    const jobs = new JobTracker(sim);
    const sockets = await openSockets(t, sim, v, S);
    const http = httpTranscript(v, S);
    const ids: string[] = [];
    for (const index of [0, 1, 2]) {
      ids.push(await submit(sim, promptBody(v, S, index)));
      await jobs.finished(ids[index]!);
    }
    await flushAll(sockets);
    for (const label of Object.keys(sockets)) assertSequence(sockets[label]!, v, S, label, 'exact');
    assertReplyLike(await call(sim.url, 'GET', `/history/${ids[1]}`), exchange(http, { method: 'GET', path: '/history/' }), 'GET /history/{id}');
    const outputs = await Promise.all(ids.map(async (id) => (await historyOf(sim, id)).outputs));
    assert.deepEqual(outputs[1], outputs[0]);
    assert.deepEqual(outputs[2], outputs[0]);
    assert.equal([...sim.outputs.keys()].filter((k) => k.startsWith('output/')).length, 1, 'no new files for cached runs');
  });

  test(`${v} 11: several queued prompts, front, delete and cancel pending`, async (t) => {
    const S = '11_multi_queue';
    const sim = await startSim(t, { generation, stepDelayMs: 1 });
    const jobs = new JobTracker(sim);
    const bodies = [0, 1, 2, 3, 4].map((i) => promptBody(v, S, i));
    if (generation === 'modern') await warmCache(sim, jobs, bodies[0]!.prompt['2']!);
    const sockets = await openSockets(t, sim, v, S);
    const http = httpTranscript(v, S);
    const like = async (method: string, path: string, recorded: ReturnType<typeof exchange>, body?: unknown): Promise<unknown> => {
      const reply = await call(sim.url, method, path, body);
      assertReplyLike(reply, recorded, `${method} ${path}`);
      return reply.json;
    };
    const p1 = await submit(sim, bodies[0]);
    await sockets.A!.waitForType('progress');
    sim.hold();
    const [p2, p3, p4, p5] = [await submit(sim, bodies[1]), await submit(sim, bodies[2]), await submit(sim, bodies[3]), await submit(sim, bodies[4])];
    const queue = (await like('GET', '/queue', exchange(http, 'queue_while_running'))) as { queue_pending: [number, string][] };
    assert.deepEqual(queue.queue_pending.map((item) => item[1]), [p5, p2, p4, p3], 'heap order of queue_pending');
    await like('GET', '/prompt', exchange(http, { method: 'GET', path: '/prompt' }));
    for (const path of ['/api/jobs', '/api/jobs?status=pending', '/api/jobs?status=in_progress']) {
      await like('GET', path, exchange(http, { method: 'GET', path }));
    }
    await like('GET', `/api/jobs/${p3}`, exchange(http, { method: 'GET', path: '/api/jobs/', index: 0 }));
    await like('POST', '/queue', exchange(http, 'delete_pending_p3'), { delete: [p3] });
    await like('POST', `/api/jobs/${p2}/cancel`, exchange(http, 'cancel_pending_p2'), {});
    const after = (await like('GET', '/queue', exchange(http, 'queue_after_delete'))) as { queue_pending: [number, string][] };
    // 0.3.54 has no jobs API: the cancel was a 405 and p2 is still pending.
    const order = generation === 'modern' ? [p5, p4] : [p5, p2, p4];
    assert.deepEqual(after.queue_pending.map((item) => item[1]), order);
    sim.release();
    for (const id of [p1, ...order]) assert.equal(await jobs.finished(id!), 'success');
    await like('GET', '/queue', exchange(http, 'queue_idle'));
    const recent = await like('GET', '/history?max_items=2', exchange(http, { method: 'GET', path: '/history?max_items=2' }));
    assert.deepEqual(Object.keys(recent as object), order.slice(-2));
    // The recorded server's history also held earlier scenarios; here the second entry is another prompt.
    const second = await call(sim.url, 'GET', '/history?max_items=1&offset=1');
    const [secondId, secondEntry] = Object.entries(second.json as Record<string, Record<string, unknown>>)[0]!;
    assert.equal(secondId, generation === 'modern' ? p1 : p5);
    assert.deepEqual(Object.keys(secondEntry), Object.keys(Object.values(exchange(http, { method: 'GET', path: '/history?max_items=1' }).body as object)[0] as object));
    for (const ex of http.filter((e) => e.path.startsWith('/api/jobs?'))) {
      if (ex.path === '/api/jobs?status=pending' || ex.path === '/api/jobs?status=in_progress') continue;
      await like('GET', ex.path, ex);
    }
    await like('GET', `/api/jobs/${p3}`, exchange(http, 'deleted_job'));
    await like('POST', `/api/jobs/${p1}/cancel`, exchange(http, 'cancel_finished'), {});
    await flushAll(sockets);
    for (const label of Object.keys(sockets)) {
      assertSequence(sockets[label]!, v, S, label, 'no-status');
      assert.equal(statusCount(sockets[label]!), wsTranscript(v, S, label).filter((e) => e.kind === 'text' && e.type === 'status').length);
    }
    const started = sockets.A!.texts('execution_start').map((e) => e.data.prompt_id);
    assert.deepEqual(started, [p1, ...order.filter((id) => id !== p4)]);
    assert.deepEqual(sockets.B!.texts('execution_start').map((e) => e.data.prompt_id), [p4]);
  });

  test(`${v} 12: SaveImageWebsocket frames (type 4 after feature_flags, type 1 otherwise)`, async (t) => {
    const S = '12_ws_binary_images';
    const sim = await startSim(t, { generation });
    const jobs = new JobTracker(sim);
    const sockets = await openSockets(t, sim, v, S);
    const http = httpTranscript(v, S);
    for (const index of [0, 1]) await jobs.finished(await submit(sim, promptBody(v, S, index)));
    await flushAll(sockets);
    for (const label of Object.keys(sockets)) assertSequence(sockets[label]!, v, S, label, 'exact');
    const reply = wsTranscript(v, S, 'A').find((e) => e.kind === 'text' && e.type === 'feature_flags');
    assert.deepEqual(sockets.A!.texts('feature_flags')[0]!.data, reply?.kind === 'text' ? reply.data : undefined);
    const frame = sockets.A!.entries.find((e) => e.kind === 'binary');
    assert.ok(frame?.kind === 'binary' && frame.bytes);
    const metaLength = frame.bytes.readUInt32BE(4);
    const metadata = JSON.parse(frame.bytes.subarray(8, 8 + metaLength).toString()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(metadata), ['node_id', 'prompt_id', 'display_node_id', 'parent_node_id', 'real_node_id', 'image_type']);
    assert.equal(frame.bytes.subarray(8 + metaLength, 16 + metaLength).toString('hex'), '89504e470d0a1a0a');
    const legacyFrame = sockets.B!.entries.find((e) => e.kind === 'binary');
    assert.ok(legacyFrame?.kind === 'binary' && legacyFrame.bytes);
    assert.equal(legacyFrame.bytes.readUInt32BE(4), 2, 'image_format PNG');
    const secondId = sockets.B!.texts('execution_start')[0]!.data.prompt_id as string;
    const history = await call(sim.url, 'GET', `/history/${secondId}`);
    assertReplyLike(history, exchange(http, { method: 'GET', path: '/history/' }), 'GET /history/{id}');
    const image = ((history.json as Record<string, { outputs: Record<string, { images: { filename: string }[] }> }>)[secondId]!.outputs['3']!.images[0]!).filename;
    assert.match(image, /^ComfyUI_temp_[a-z]{5}_00001_\.png$/);
    assertReplyLike(await call(sim.url, 'GET', `/view?filename=${image}&subfolder=&type=temp`), exchange(http, { method: 'GET', path: '/view' }), 'GET /view');
  });

  test(`${v} 14: reconnecting with the same clientId mid-run`, async (t) => {
    const S = '14_reconnect_mid_run';
    const sim = await startSim(t, { generation, stepDelayMs: 2 });
    const jobs = new JobTracker(sim);
    const sockets = await openSockets(t, sim, v, S, ['A-first', 'B']);
    const body = promptBody(v, S);
    const id = await submit(sim, body);
    await sockets['A-first']!.waitForType('progress', isProgress(1));
    sim.hold();
    const closed = new Promise<void>((resolve) => sim.events.once('ws-closed', () => resolve()));
    await sockets['A-first']!.close();
    await closed;
    const again = await TestSocket.open(wsUrl(sim.url, 'A'));
    t.after(() => again.close());
    sockets['A-reconnected'] = again;
    sim.release();
    assert.equal(await jobs.finished(id), 'success');
    await flushAll(sockets);
    for (const label of Object.keys(sockets)) assertSequence(sockets[label]!, v, S, label, 'collapsed');
    assert.deepEqual(Object.keys(again.texts('executing')[0]!.data), ['node'], 'reconnect replay carries only the node');
  });

  test(`${v} 17: two sockets with the same clientId (the newer one goes deaf when the older closes)`, async (t) => {
    const S = '17_same_clientId_twice';
    const sim = await startSim(t, { generation });
    const jobs = new JobTracker(sim);
    const sockets = await openSockets(t, sim, v, S);
    await jobs.finished(await submit(sim, promptBody(v, S, 0)));
    await flushAll(sockets);
    const closed = new Promise<void>((resolve) => sim.events.once('ws-closed', () => resolve()));
    await sockets['A-1']!.close();
    await closed;
    assert.deepEqual(sim.connectedSids(), ['B']);
    await jobs.finished(await submit(sim, promptBody(v, S, 1)));
    await flushAll(sockets);
    for (const label of Object.keys(sockets)) assertSequence(sockets[label]!, v, S, label, 'exact');
  });
}

test('0.28.0 10: cancelling the running job through the jobs API', async (t) => {
  const v = '0.28.0';
  const S = '10_cancel_running_via_jobs_api';
  const sim = await startSim(t, { generation: 'modern', stepDelayMs: 4 });
  const jobs = new JobTracker(sim);
  const sockets = await openSockets(t, sim, v, S);
  const http = httpTranscript(v, S);
  const id = await submit(sim, promptBody(v, S));
  await sockets.A!.waitForType('progress', isProgress(2));
  sim.hold();
  assertReplyLike(await call(sim.url, 'POST', `/api/jobs/${id}/cancel`, {}), exchange(http, 'cancel_running'), 'cancel running');
  assert.equal(await jobs.finished(id), 'interrupted');
  sim.release();
  await flushAll(sockets);
  for (const label of Object.keys(sockets)) assertSequence(sockets[label]!, v, S, label, 'collapsed');
  const job = await call(sim.url, 'GET', `/api/jobs/${id}`);
  assertReplyLike(job, exchange(http, { method: 'GET', path: '/api/jobs/' }), 'GET /api/jobs/{id}');
  assert.equal((job.json as { status: string }).status, 'cancelled');
  assertReplyLike(await call(sim.url, 'POST', '/api/jobs/cancel', { job_ids: [id, 'not-a-uuid'] }), exchange(http, 'batch_cancel_invalid_id'), 'batch invalid');
  const invalid = await call(sim.url, 'POST', '/api/jobs/cancel', { job_ids: [id, 'not-a-uuid'] });
  assert.deepEqual(invalid.json, exchange(http, 'batch_cancel_invalid_id').body);
  assertReplyLike(await call(sim.url, 'POST', '/api/jobs/cancel', { job_ids: [id] }), exchange(http, 'batch_cancel_finished'), 'batch finished');
});
