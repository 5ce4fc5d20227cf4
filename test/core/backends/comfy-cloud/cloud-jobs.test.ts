// Comfy Cloud's records read into the jobs port's shape: its queue items (the prompt at index 2, times in seconds).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromCloudQueue } from '../../../../electron/core/backends/comfy-cloud/cloud-jobs.js';

test("a queue item's times become milliseconds, and its prompt still names the job and its nodes", () => {
  const prompt = {
    '3': { class_type: 'KSampler', inputs: { seed: 1 }, _meta: { title: 'Sampler' } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'portrait', images: ['3', 0] } },
  };
  const active = fromCloudQueue({
    queue_running: [],
    queue_pending: [[1, 'p1', prompt, ['9'], { client_id: 'c1', create_time: 1_700_000_000 }]],
  });
  const [job] = active.pending;
  assert.ok(job);
  assert.equal(job.createdAt, 1_700_000_000_000);
  assert.equal(job.clientId, 'c1');
  assert.deepEqual(job.outputNodeIds, ['9']);
  // Read from the listed prompt only when asked: a conversion of the time must not lose them.
  assert.deepEqual(job.nodes, { '3': { type: 'KSampler', title: 'Sampler' }, '9': { type: 'SaveImage' } });
  assert.equal(job.workflowName, 'portrait');
});
