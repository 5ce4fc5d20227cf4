// Lenient where the server is loose, strict where the app depends: a `null` or a stray type in a field the app does
// not need never drops a job; an item without what the app needs is left out and reported once per route and field.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import { ComfyBackend } from '../../../electron/core/backends/comfyui/comfy-backend.js';
import { decodeTextFrame } from '../../../electron/core/comfy/messages.js';
import { activeFromQueue, fromHistoryEntry, fromJobsApiItem, fromJobsList } from '../../../electron/core/comfy/remote-jobs.js';
import { resolveServer } from '../../../electron/core/comfy/server-config.js';

const ID = '6f0c2b7e-3f1a-4c55-9a64-0b1d2c3e4f50';

test('jobs API items with null or mistyped fields the app does not need are kept', () => {
  const job = fromJobsApiItem({
    id: ID,
    status: 'completed',
    priority: null,
    create_time: 'yesterday',
    execution_start_time: null,
    execution_end_time: 1_700_000_000_000,
    outputs_count: null,
    workflow: 'not an object',
    execution_status: { messages: null },
  });
  assert.equal(job?.id, ID);
  assert.equal(job?.status, 'completed');
  assert.equal(job?.endedAt, 1_700_000_000_000);
  assert.equal(job?.createdAt, undefined);
});

test('list items are read by hand exactly as the schema reads them (10,000 per look), whatever their fields hold', () => {
  const anyValue = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true }), fc.constant(null), fc.boolean(), fc.constant(undefined), fc.object());
  const item = fc.record(
    {
      id: fc.oneof(fc.uuid(), fc.constant(''), anyValue),
      status: fc.oneof(fc.constantFrom('pending', 'in_progress', 'completed', 'failed', 'cancelled', 'exploded', 'constructor', '__proto__'), anyValue),
      priority: anyValue,
      create_time: anyValue,
      execution_start_time: anyValue,
      execution_end_time: anyValue,
      outputs_count: anyValue,
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(item, (fields) => {
      // A `workflow` that is not an object is ignored by the schema, but sends the item down the schema's path.
      assert.deepEqual(fromJobsApiItem(fields), fromJobsApiItem({ ...fields, workflow: 'not an object' }));
    }),
    { numRuns: 2_000 },
  );
  assert.equal(fromJobsApiItem({ id: ID, status: 'constructor' }), undefined, 'a status named like an Object property is not a status');
});

test('a list with broken pagination still gives its jobs; items without an id or a known status are left out and told', () => {
  const dropped: string[] = [];
  const { jobs, listed } = fromJobsList(
    {
      jobs: [{ id: ID, status: 'pending', priority: null }, { status: 'completed' }, { id: 'x', status: 'exploded' }, null],
      pagination: { offset: 0, limit: null, total: 'NaN', has_more: 'maybe' },
    },
    (field) => dropped.push(field),
  );
  assert.deepEqual(jobs.map((j) => j.id), [ID]);
  assert.equal(listed, 4, 'the offset for the next page still counts every item sent');
  assert.deepEqual(dropped, ['"id"', 'a known "status" (got "exploded")', 'a job object']);
});

test('history entries: null messages, null outputs and a null timestamp keep the job; a mistyped status_str does not pass as success', () => {
  const failed = fromHistoryEntry(ID, {
    prompt: null,
    outputs: null,
    status: { status_str: 'error', completed: null, messages: [['execution_start', { timestamp: null }], null, ['execution_error', { prompt_id: ID, node_id: null, exception_type: null, exception_message: 'boom', traceback: [null, 'line'], timestamp: null }]] },
  });
  assert.equal(failed?.status, 'failed');
  assert.equal(failed?.error?.message, 'boom');
  assert.deepEqual(failed?.error?.traceback, ['line']);
  assert.deepEqual(failed?.outputs, []);
  assert.equal(fromHistoryEntry(ID, { outputs: {}, status: { status_str: 404 } }), undefined, 'an unreadable end is not taken for a success');
});

test('an execution_error frame with nulls in what the user reads still ends the job', () => {
  const message = decodeTextFrame(JSON.stringify({ type: 'execution_error', data: { prompt_id: ID, node_id: '3', node_type: null, exception_type: null, exception_message: null, traceback: null, timestamp: null } }));
  assert.equal(message.type, 'execution_error');
  if (message.type === 'execution_error') assert.deepEqual(message.error, { nodeId: '3', exceptionType: 'Error', message: '', traceback: [] });
});

test('the backend reports a job it had to leave out once per route and field, naming the server\'s URL and the field', async (t) => {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const body =
      url.pathname === '/api/system_stats'
        ? { system: { comfyui_version: '0.30.0' } }
        : url.pathname === '/api/jobs'
          ? { jobs: [{ id: ID, status: 'in_progress' }, { status: 'pending' }], pagination: { has_more: false } }
          : undefined;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(body ? JSON.stringify(body) : '404: Not Found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const backend = new ComfyBackend(resolveServer({ id: 's', name: 'Test', url }), { get: () => undefined, set: () => undefined });
  t.after(() => backend.stop());
  const warnings: { code: string; message: string }[] = [];
  backend.events.on('warning', (w) => warnings.push(w));
  await backend.probe();
  for (let i = 0; i < 3; i++) assert.deepEqual((await backend.listActive()).running.map((j) => j.id), [ID]);
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]?.code, 'COMFY_FIELD_MISSING');
  assert.equal(warnings[0]?.message, `${url}api/jobs sent a job without "id"; such jobs are left out`);
});

test('a /queue item gives its output nodes as strings, in ComfyUI order and in Comfy Cloud order', () => {
  const prompt = { '9': { class_type: 'SaveImage', inputs: {} } };
  const active = activeFromQueue({
    queue_running: [[1, 'run-1', prompt, { client_id: 'c1', create_time: 5 }, ['9', 12]]],
    queue_pending: [[2, 'pend-1', prompt, ['9'], { client_id: 'c2' }], [3, 'pend-2', prompt, { client_id: 'c3' }]],
  });
  assert.deepEqual(active.running.map((job) => [job.id, job.clientId, job.createdAt, job.outputNodeIds]), [['run-1', 'c1', 5, ['9', '12']]]);
  assert.deepEqual(active.pending.map((job) => [job.id, job.clientId, job.outputNodeIds]), [['pend-1', 'c2', ['9']], ['pend-2', 'c3', undefined]]);
});
