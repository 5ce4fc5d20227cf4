// A legacy server's /queue read by the backend over HTTP: scanned, not parsed whole, with the same jobs and the same
// errors as a parse would give (a body that is not JSON is COMFY_BAD_RESPONSE, a body of the wrong shape is refused).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { ComfyBackend } from '../../../../electron/core/backends/comfyui/comfy-backend.js';
import { resolveServer } from '../../../../electron/core/comfy/server-config.js';

async function legacyServer(t: TestContext, queueBody: () => string): Promise<ComfyBackend> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/api/system_stats') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ system: { comfyui_version: '0.3.54' } }));
    else if (path === '/api/queue') res.writeHead(200, { 'content-type': 'application/json' }).end(queueBody());
    else res.writeHead(404).end('404: Not Found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const backend = new ComfyBackend(resolveServer({ id: 's', name: 'Test', url }), { get: () => undefined, set: () => undefined });
  t.after(() => backend.stop());
  assert.equal((await backend.probe()).capabilities.jobsApi, false);
  return backend;
}

const prompt = { '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'portrait', images: ['3', 0] }, _meta: { title: 'Save Image' } } };

test('the legacy queue is read from its text: jobs in execution order, with submitter, creation time, name and nodes', async (t) => {
  // As Python writes it: ", " and ": " separators, NaN where a float went wrong.
  const body = JSON.stringify({
    queue_running: [[0, 'run', prompt, { client_id: 'web', create_time: 3 }, ['9']]],
    queue_pending: [
      [7, 'later', prompt, { client_id: 'script', create_time: 2 }, ['9']],
      [5, 'sooner', { ...prompt, '3': { class_type: 'KSampler', inputs: { cfg: 'NaN-here' } } }, { client_id: 'web', create_time: 1 }, ['9']],
    ],
  })
    .replaceAll('":', '": ')
    .replace('"NaN-here"', 'NaN');
  const backend = await legacyServer(t, () => body);
  const active = await backend.listActive();
  assert.deepEqual(
    active.running.map((j) => [j.id, j.status, j.clientId, j.createdAt]),
    [['run', 'running', 'web', 3]],
  );
  assert.deepEqual(
    active.pending.map((j) => [j.id, j.priority, j.clientId, j.createdAt, j.workflowName]),
    [
      ['sooner', 5, 'web', 1, 'portrait'],
      ['later', 7, 'script', 2, 'portrait'],
    ],
  );
  assert.equal(active.pending[0]?.nodes?.['3']?.type, 'KSampler');
  assert.deepEqual((await backend.describeActive()).pending.map((j) => j.id), ['sooner', 'later']);
});

test('a /queue body that is not JSON is COMFY_BAD_RESPONSE, one of the wrong shape is refused, as with a whole parse', async (t) => {
  let body = '{"queue_running": [], "queue_pending": [[1, "x", {}, {}]';
  const backend = await legacyServer(t, () => body);
  await assert.rejects(backend.listActive(), { code: 'COMFY_BAD_RESPONSE' });
  body = '{"queue_running": [], "queue_pending": ["not an item"]}';
  await assert.rejects(backend.listActive(), (error: unknown) => error instanceof Error && error.name === 'ZodError');
  body = '{"queue_running": [], "queue_pending": []}';
  assert.deepEqual(await backend.listActive(), { running: [], pending: [] });
});
