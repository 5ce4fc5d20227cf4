import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobView } from '../../electron/shared/app-state.js';
import { mcpJob, mcpJobSchema, mediaOf } from '../../electron/mcp/mcp-job.js';

test('each state in the names an agent reads: queued with position, running with progress, failed, lost', () => {
  const base: JobView = { serverId: 's', id: 'j', status: 'pending', submittedBy: 'this-app', outputs: [], queuePosition: 3, createdAt: Date.UTC(2026, 0, 2) };
  assert.deepEqual(mcpJob(base, 'Box'), {
    prompt_id: 'j',
    server_id: 's',
    server_name: 'Box',
    status: 'queued',
    submitted_by: 'comfy-tray',
    queue_position: 3,
    created_at: '2026-01-02T00:00:00.000Z',
    outputs: [],
  });
  const running = mcpJob({ ...base, status: 'running', progress: { nodeId: '3', nodeTitle: 'Sampler', nodeType: 'KSampler', value: 5, max: 20, overall: 0.4567 } }, 'Box');
  assert.equal(running.queue_position, undefined);
  assert.deepEqual(running.progress, { node_id: '3', node_title: 'Sampler', node_type: 'KSampler', value: 5, max: 20, percent: 45.7 });
  const failed = mcpJob({ ...base, status: 'failed', submittedBy: 'other', error: { nodeId: '4', nodeType: 'VAEDecode', exceptionType: 'RuntimeError', message: 'OOM', traceback: ['x'] } }, 'Box');
  assert.deepEqual([failed.status, failed.submitted_by, failed.error], ['failed', 'other', { node_id: '4', node_type: 'VAEDecode', exception_type: 'RuntimeError', message: 'OOM' }]);
  const lost = mcpJob({ ...base, status: 'lost', lostReason: 'server-restarted' }, 'Box');
  assert.deepEqual([lost.status, lost.lost_reason], ['lost', 'server-restarted']);
  // A time no Date can hold is left out rather than failing the whole answer.
  assert.equal(mcpJob({ ...base, createdAt: 8.64e16 }, 'Box').created_at, undefined);
  for (const job of [running, failed, lost]) assert.ok(mcpJobSchema.safeParse(job).success);
});

test('the media kind of an output, by its key, its format and its name', () => {
  const of = (kind: string, filename: string, format?: string): string => mediaOf({ kind, filename, ...(format !== undefined && { format }) });
  assert.equal(of('images', 'a.png'), 'image');
  assert.equal(of('gifs', 'a.webp'), 'image');
  assert.equal(of('gifs', 'a.mp4', 'video/h264-mp4'), 'video');
  assert.equal(of('images', 'clip.webm'), 'video');
  assert.equal(of('audio', 'a.flac'), 'audio');
  assert.equal(of('3d', 'mesh.glb'), '3d');
  assert.equal(of('result', 'mesh.obj'), '3d');
  assert.equal(of('latents', 'a.latent'), 'latent');
  assert.equal(of('text', 'notes.txt'), 'other');
});
