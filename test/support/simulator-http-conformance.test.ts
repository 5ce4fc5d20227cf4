// Conformance of plain HTTP behaviour with the recordings: validation errors (03), PNG metadata (13),
// assorted endpoints (15) and the origin checks (16).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { readPngText } from './comfy-simulator.js';
import type { SimGeneration } from './simulator/types.js';
import { assertSameShape } from './sim-testing/compare.js';
import { exchange, fixtureFile, httpTranscript, notes, versionOf } from './sim-testing/fixtures.js';
import { call, wsUrl } from './sim-testing/http.js';
import { assertReplyLike, JobTracker, openSockets, startSim } from './sim-testing/scenario.js';

const GENERATIONS: SimGeneration[] = ['modern', 'legacy'];

function withoutTracebacks(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTracebacks);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'traceback' ? '<traceback>' : withoutTracebacks(v)]));
}

/** Result of a WebSocket handshake: the HTTP status when refused, 'accepted' with the first message otherwise. */
function handshake(url: string, options: WebSocket.ClientOptions): Promise<{ status: number } | { first: unknown }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.once('message', (data) => {
      resolve({ first: JSON.parse(data.toString()) });
      ws.close();
    });
    ws.once('error', reject);
  });
}

for (const generation of GENERATIONS) {
  const v = versionOf(generation);

  test(`${v} 03: validation errors have the recorded status and body; accepted prompts run`, async (t) => {
    const S = '03_validation_errors';
    const sim = await startSim(t, { generation });
    const jobs = new JobTracker(sim);
    const sockets = await openSockets(t, sim, v, S);
    const ids = new Map<string, string>();
    let accepted = 0;
    for (const ex of httpTranscript(v, S)) {
      const recorded = ex.body as Record<string, unknown>;
      if (ex.method === 'GET') {
        const id = ids.get(ex.path.slice('/history/'.length))!;
        await jobs.settled(accepted);
        const reply = await call(sim.url, 'GET', `/history/${id}`);
        assertReplyLike(reply, ex, `${ex.label ?? ''} GET /history`);
        const [number] = (reply.json as Record<string, { prompt: [number] }>)[id]!.prompt;
        assert.equal(number, (Object.values(recorded)[0] as { prompt: [number] }).prompt[0] - 2, 'history keeps the last submission');
        continue;
      }
      const reply = await call(sim.url, 'POST', '/prompt', ex.request_body);
      assertReplyLike(reply, ex, ex.label ?? 'POST /prompt');
      if (reply.status !== 200) {
        if (typeof ex.body !== 'string') assert.deepEqual(withoutTracebacks(reply.json), withoutTracebacks(ex.body), ex.label);
        continue;
      }
      accepted++;
      const body = reply.json as { prompt_id: string; number: number; node_errors: unknown };
      // The recording server had already numbered two prompts (scenarios 01, 02); malformed JSON takes no number.
      assert.equal(body.number, (recorded.number as number) - 2, `${ex.label}: priority counter`);
      assert.deepEqual(body.node_errors, recorded.node_errors, ex.label);
      const given = (ex.request_body as { prompt_id?: string }).prompt_id;
      if (given !== undefined) assert.equal(body.prompt_id, given);
      ids.set(recorded.prompt_id as string, body.prompt_id);
    }
    await jobs.settled(accepted);
    await sockets.A!.flush();
    assert.equal(sockets.A!.texts('execution_start').length, accepted, 'rejected prompts cause no WS traffic');
    assert.equal(sockets.A!.texts('status').length, 1 + 3 * accepted);
  });

  test(`${v} 13: SaveImage embeds prompt and extra_pnginfo as PNG tEXt chunks`, async (t) => {
    const S = '13_pnginfo_workflow';
    const sim = await startSim(t, { generation });
    const jobs = new JobTracker(sim);
    const http = httpTranscript(v, S);
    const post = exchange(http, { method: 'POST', path: '/prompt' });
    const reply = await call(sim.url, 'POST', '/prompt', post.request_body);
    const id = (reply.json as { prompt_id: string }).prompt_id;
    await jobs.finished(id);
    assertReplyLike(await call(sim.url, 'GET', `/history/${id}`), exchange(http, { method: 'GET', path: '/history/' }), 'history');
    const view = exchange(http, { method: 'GET', path: '/view?filename=peer_pnginfo_00001_.png&subfolder' });
    const png = await call(sim.url, 'GET', view.path);
    assertReplyLike(png, view, 'GET /view');
    const chunks = JSON.parse(fixtureFile(v, S, 'saved_with_workflow.png-chunks.json')) as { type: string; keyword?: string; text?: string }[];
    const expected = Object.fromEntries(chunks.filter((c) => c.type === 'tEXt').map((c) => [c.keyword, c.text]));
    assert.deepEqual(readPngText(png.bytes), expected);
    const missing = exchange(http, 'view_missing');
    assert.equal((await call(sim.url, 'GET', missing.path)).status, missing.status);
    const traversal = exchange(http, 'view_traversal');
    assert.equal((await call(sim.url, 'GET', traversal.path)).status, traversal.status);
  });

  test(`${v} 15: assorted endpoints answer like the recorded server`, async (t) => {
    const S = '15_endpoints';
    const sim = await startSim(t, { generation });
    const stateful = ['/history?', '/api/jobs?limit=3'];
    for (const ex of httpTranscript(v, S)) {
      if (stateful.some((p) => ex.path.startsWith(p))) continue;
      const reply = await call(sim.url, ex.method, ex.path, ex.request_body);
      assertReplyLike(reply, ex, `${ex.method} ${ex.path}`);
      const exact = ['/features', '/prompt', '/queue', '/api/queue', '/embeddings', '/models', '/settings', '/users'].includes(ex.path) || ex.path.startsWith('/object_info/');
      if (exact && ex.method === 'GET') assert.deepEqual(reply.json, ex.body, ex.path);
      if (ex.path.endsWith('system_stats')) {
        assert.equal((reply.json as { system: { comfyui_version: string } }).system.comfyui_version, v);
      }
    }
    const all = await call(sim.url, 'GET', '/object_info');
    assert.ok(all.text.includes('"max": 18446744073709551615'), 'big integers are served exactly');
    const recordedNames = Object.keys(JSON.parse(fixtureFile(v, S, 'object_info.json')) as object);
    assert.deepEqual(Object.keys(all.json as object), [...recordedNames, 'SimSteps', 'SimRaise', 'SimBlock', 'SimOutput']);
    const custom = await call(sim.url, 'GET', '/system_stats');
    assertSameShape(custom.json, exchange(httpTranscript(v, S), { method: 'GET', path: '/system_stats' }).body);
  });

  test(`${v} 16: origin checks on HTTP and WebSocket handshakes`, async (t) => {
    const S = '16_origin_checks';
    const sim = await startSim(t, { generation });
    const port = sim.port;
    const rewrite = (value: string): string => value.replace('127.0.0.1:8188', `127.0.0.1:${port}`);
    for (const ex of httpTranscript(v, S)) {
      const headers = Object.fromEntries(Object.entries((ex as { request_headers?: Record<string, string> }).request_headers ?? {}).map(([k, val]) => [k, rewrite(val)]));
      const reply = await call(sim.url, ex.method, ex.path, undefined, headers);
      assert.equal(reply.status, ex.status, ex.label);
    }
    for (const hs of notes(v, S).ws_handshakes as { label: string; path: string; opts: { origin?: string; headers?: Record<string, string> }; status?: number; result: string }[]) {
      const options: WebSocket.ClientOptions = { headers: hs.opts.headers ?? {} };
      if (hs.opts.origin) options.origin = rewrite(hs.opts.origin);
      const outcome = await handshake(wsUrl(sim.url, 'origin-test', hs.path.slice(1)), options);
      if (hs.result === 'rejected') assert.deepEqual(outcome, { status: hs.status }, hs.label);
      else assert.deepEqual(outcome, { first: { type: 'status', data: { status: { exec_info: { queue_remaining: 0 } }, sid: 'origin-test' } } }, hs.label);
    }
  });
}
