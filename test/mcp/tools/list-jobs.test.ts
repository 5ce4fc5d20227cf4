// list_jobs end to end: jobs of two servers, from other clients, filtered, sorted and paged like the Jobs API.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { nextNodeEvent, tempDir } from '../../support/events.js';
import { startMcp, writeAppSettings, type Answer } from '../../support/mcp-session.js';

function steps(count: number): Record<string, unknown> {
  return { '1': { class_type: 'SimSteps', inputs: { steps: count } } };
}

test('list_jobs: every server\'s jobs, filtered by status and server, sorted by creation or duration, in pages', { timeout: 60_000 }, async (t) => {
  const a = await ComfySimulator.start({ stepDelayMs: 5 });
  t.after(() => a.stop());
  const b = await ComfySimulator.start({ stepDelayMs: 5 });
  t.after(() => b.stop());
  const dataDir = await tempDir(t);
  await writeAppSettings(dataDir, { servers: [{ id: 'a', name: 'A', url: a.url }, { id: 'b', name: 'B', url: b.url }], outputs: { folder: await tempDir(t) } });
  const mcp = await startMcp(t, ['--data-dir', dataDir]);
  // Connected first, so these jobs are seen live rather than taken as history from before.
  await mcp.ok('list_servers', {});
  for (const sim of [a, b]) await nextNodeEvent(sim.events, 'ws-connected');

  const short = a.enqueue(steps(1), { clientId: 'browser' });
  await nextNodeEvent(a.events, 'finished', (e: { promptId: string }) => e.promptId === short.promptId);
  const long = a.enqueue(steps(20), { clientId: 'browser' });
  await nextNodeEvent(a.events, 'finished', (e: { promptId: string }) => e.promptId === long.promptId);
  b.hold();
  const waiting = b.enqueue(steps(1), { clientId: 'script' });

  // The engine learns of jobs from the servers' broadcasts: ask until all three are there as they are now (each call is
  // an answer, not a sleep).
  const statuses = async (): Promise<string[]> => ((await mcp.ok('list_jobs', {})).jobs as Answer[]).map((job) => String(job.status)).sort();
  while ((await statuses()).join() !== 'completed,completed,queued');
  const all = await mcp.ok('list_jobs', {});
  assert.equal(all.total, 3);
  assert.equal(all.has_more, false);

  const done = await mcp.ok('list_jobs', { status: ['completed'], sort_by: 'duration', sort_order: 'desc' });
  assert.deepEqual((done.jobs as Answer[]).map((job) => job.prompt_id), [long.promptId, short.promptId]);
  const ascending = await mcp.ok('list_jobs', { status: ['completed'], sort_by: 'duration', sort_order: 'asc' });
  assert.deepEqual((ascending.jobs as Answer[]).map((job) => job.prompt_id), [short.promptId, long.promptId]);

  const onB = await mcp.ok('list_jobs', { server: 'b' });
  assert.deepEqual((onB.jobs as Answer[]).map((job) => [job.prompt_id, job.status, job.submitted_by]), [[waiting.promptId, 'queued', 'other']]);

  const page = await mcp.ok('list_jobs', { sort_by: 'created', sort_order: 'asc', offset: 1, limit: 1 });
  assert.deepEqual([page.total, page.offset, page.limit, page.has_more], [3, 1, 1, true]);
  assert.deepEqual((page.jobs as Answer[]).map((job) => job.prompt_id), [long.promptId]);

  assert.equal((await mcp.fails('list_jobs', { status: ['pending'] })).code, 'ARGUMENT_INVALID');
  assert.equal((await mcp.fails('list_jobs', { limit: 501 })).code, 'ARGUMENT_INVALID');
  assert.equal((await mcp.fails('list_jobs', { server: 'c' })).code, 'SERVER_UNKNOWN');
  b.release();
});
