// Paging through the jobs API's finished jobs against a server that ignores `offset` and always says there is more:
// the walk ends once a page brings nothing new, after a bounded number of requests.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { ComfyBackend } from '../../../../electron/core/backends/comfyui/comfy-backend.js';
import { resolveServer } from '../../../../electron/core/comfy/server-config.js';
import { logRequests, requestsTo } from '../../../support/http-log.js';

test('regression: a jobs API that ignores offset and always has more is read in a few requests', async (t) => {
  const jobs = Array.from({ length: 500 }, (_, i) => ({ id: `job-${499 - i}`, status: 'completed', create_time: 1_000_000 - i }));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const limit = Number(url.searchParams.get('limit') ?? 100);
    const body =
      url.pathname === '/api/system_stats'
        ? { system: { comfyui_version: '0.30.0' } }
        : url.pathname === '/api/jobs'
          ? { jobs: jobs.slice(0, limit), pagination: { offset: 0, limit, total: jobs.length, has_more: true } }
          : undefined;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(body ? JSON.stringify(body) : '404: Not Found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const requests = logRequests(t, url);
  const backend = new ComfyBackend(resolveServer({ id: 's', name: 'Test', url }), { get: () => undefined, set: () => undefined });
  t.after(() => backend.stop());
  assert.equal((await backend.probe()).capabilities.jobsApi, true);

  const read: string[] = [];
  let pages = 0;
  for await (const page of backend.finishedPages(20)) {
    read.push(...page.map((job) => job.id));
    // Without an end of its own the walk would go on forever: the test stops it, and fails on the count below.
    if (++pages > 100) break;
  }
  const lists = requestsTo(requests, '/api/jobs').filter(({ path }) => path.includes('status='));
  assert.ok(lists.length <= 3, `${lists.length} requests`);
  assert.equal(new Set(read).size, read.length, 'each job once');
  assert.deepEqual(read, jobs.slice(0, read.length).map((job) => job.id), 'newest first, from the top');
});
