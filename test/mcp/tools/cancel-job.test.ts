// cancel_job end to end: a running job of another client interrupted without naming its server; ended and unknown jobs.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { nextNodeEvent, tempDir } from '../../support/events.js';
import { startMcp, writeAppSettings } from '../../support/mcp-session.js';

test('cancel_job interrupts a running job wherever it runs; an ended job is left alone; an unknown id is COMFY_JOB_NOT_FOUND', { timeout: 60_000 }, async (t) => {
  const a = await ComfySimulator.start();
  t.after(() => a.stop());
  const b = await ComfySimulator.start({ stepDelayMs: 5 });
  t.after(() => b.stop());
  const dataDir = await tempDir(t);
  await writeAppSettings(dataDir, { servers: [{ id: 'a', name: 'A', url: a.url }, { id: 'b', name: 'B', url: b.url }] });
  const mcp = await startMcp(t, ['--data-dir', dataDir]);

  const started = nextNodeEvent(b.events, 'started');
  const { promptId } = b.enqueue({ '1': { class_type: 'SimSteps', inputs: { steps: 100_000 } } }, { clientId: 'browser' });
  await started;
  const ended = nextNodeEvent<{ promptId: string; status: string }>(b.events, 'finished', (e) => e.promptId === promptId);
  const answer = await mcp.ok('cancel_job', { prompt_id: promptId });
  assert.deepEqual([answer.server_id, answer.status, answer.cancelled], ['b', 'running', true]);
  assert.equal((await ended).status, 'interrupted');
  assert.equal((await mcp.ok('get_job_status', { prompt_id: promptId })).status, 'cancelled');

  const again = await mcp.ok('cancel_job', { prompt_id: promptId, server: 'b' });
  assert.deepEqual([again.status, again.cancelled], ['cancelled', false]);

  assert.equal((await mcp.fails('cancel_job', { prompt_id: randomUUID() })).code, 'COMFY_JOB_NOT_FOUND');
  assert.equal((await mcp.fails('cancel_job', { prompt_id: '' })).code, 'ARGUMENT_INVALID');
});
