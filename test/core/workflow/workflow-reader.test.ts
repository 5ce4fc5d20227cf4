// Reading files off the main thread: the worker answers what extractWorkflow would, a hostile file is refused with
// its code, and a file over the time or memory budget ends its worker without touching the next file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { READ_BUDGET, WorkflowReader, type SpawnExtractWorker } from '../../../electron/core/workflow/workflow-reader.js';
import { REAL_FIXTURES_URL } from '../../support/real-fixtures.js';
import { hostilePng } from './support/encoders.js';

const SAVED_PNG = new URL('0.28.0/13_pnginfo_workflow/saved_with_workflow.png', REAL_FIXTURES_URL);

test('a worker reads what extractWorkflow reads: the prompt (64-bit seeds exact) and the workflow', async () => {
  const reader = new WorkflowReader();
  const [png, json] = await Promise.all([
    reader.read(readFileSync(SAVED_PNG), 'saved.png'),
    reader.read(Buffer.from('{"1":{"class_type":"KSampler","inputs":{"seed":18446744073709551615}}}'), 'api.json'),
  ]);
  assert.equal(png.kind, 'comfy');
  assert.ok(png.kind === 'comfy' && png.prompt !== undefined && png.workflow !== undefined);
  assert.deepEqual(json.kind === 'comfy' && json.prompt, { '1': { class_type: 'KSampler', inputs: { seed: 18446744073709551615n } } });
});

// Regression: an 8 MB PNG of zip bombs was read synchronously in the main process (minutes, then out of memory).
test('a hostile PNG is refused with WORKFLOW_TOO_LARGE, and the caller keeps its bytes', async () => {
  const file = hostilePng();
  const result = await new WorkflowReader().read(file, 'bombs.png');
  assert.equal(result.kind === 'error' ? result.code : result.kind, 'WORKFLOW_TOO_LARGE');
  assert.equal(result.format, 'png');
  assert.equal(file.length > 8_000_000 && file[0], 0x89, 'the bytes sent to the worker were a copy');
});

/** Workers that run each of `codes` in turn instead of the reader (plain scripts: they start at once). */
function workers(codes: readonly string[]): { spawn: SpawnExtractWorker; spawned: () => number } {
  let spawned = 0;
  return { spawn: (limits) => new Worker(codes[Math.min(spawned++, codes.length - 1)]!, { eval: true, resourceLimits: limits }), spawned: () => spawned };
}

const PORT = "const port = require('node:worker_threads').parentPort;";
/** Never answers, like a reader stuck in a file. */
const STUCK = `${PORT} port.on('message', () => { for (;;); });`;
/** Answers every file with the same prompt. */
const ANSWERS = `${PORT} port.on('message', ({ id }) => port.postMessage({ id, result: { kind: 'comfy', format: 'json', prompt: { '1': { class_type: 'Y', inputs: {} } }, warnings: [] } }));`;
/** Allocates until the heap limit ends it. */
const GREEDY = `${PORT} port.on('message', () => { const kept = []; for (;;) kept.push(new Array(100000).fill(1)); });`;
const FILE = Buffer.from('{"1":{"class_type":"X","inputs":{}}}');

test('a file that takes longer than the budget is stopped with WORKFLOW_READ_TIMEOUT; the next file gets a new worker', async () => {
  const spawn = workers([STUCK, ANSWERS]);
  const reader = new WorkflowReader({ ...READ_BUDGET, timeoutMs: 1000 }, spawn.spawn);
  const [first, second] = await Promise.all([reader.read(FILE, 'slow.json'), reader.read(FILE, 'next.json')]);
  assert.deepEqual(first, { kind: 'error', format: 'json', code: 'WORKFLOW_READ_TIMEOUT', message: 'reading it took longer than 1 s' });
  assert.equal(second.kind === 'comfy' && second.prompt?.['1']?.class_type, 'Y');
  assert.equal(spawn.spawned(), 2, 'the stuck worker was replaced for the next file');
});

test('a file that needs more memory than the budget is stopped with WORKFLOW_READ_OUT_OF_MEMORY; the next file is read', async () => {
  const spawn = workers([GREEDY, ANSWERS]);
  const reader = new WorkflowReader({ ...READ_BUDGET, maxHeapMb: 16 }, spawn.spawn);
  const [first, second] = await Promise.all([reader.read(FILE, 'greedy.json'), reader.read(FILE, 'next.json')]);
  assert.equal(first.kind === 'error' && first.code, 'WORKFLOW_READ_OUT_OF_MEMORY');
  assert.equal(second.kind, 'comfy');
});

test('a worker that cannot start answers WORKFLOW_READ_FAILED rather than never', async () => {
  const reader = new WorkflowReader(READ_BUDGET, () => new Worker('throw new Error("no such reader")', { eval: true }));
  const result = await reader.read(FILE, 'a.json');
  assert.equal(result.kind === 'error' && result.code, 'WORKFLOW_READ_FAILED');
});
