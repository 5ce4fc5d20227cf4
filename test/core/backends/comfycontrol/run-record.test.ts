// ComfyControl's record and snapshots, from the documented examples, into the tracker's shape.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromRunRecord, runOutputs, runRecordSchema, runSnapshotSchema, snapshotError } from '../../../../electron/core/backends/comfycontrol/run-record.js';

const FAILED = {
  id: 'b2c3d4e5-f6a7-8901-bcde-f12345678901',
  user_id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  name: 'Image Upscaling',
  status: 'failed',
  user_runner_id: null,
  managed_runner_id: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
  tags: ['upscale'],
  workflow_json: {},
  workflow_params: [['$file(input_image)', 'inputs/b2c3d4e5-f6a7-8901/image.png']],
  prompt_id: '9g4b0d3c-2345-6789-0bcd-ef123456789a',
  queue_number: 2,
  error_node: 'UpscaleModelLoader',
  exception_type: 'FileNotFoundError',
  exception_message: "Model file 'RealESRGAN_x4.pth' not found",
  created_at: '2024-01-15T14:20:00Z',
  updated_at: '2024-01-15T14:21:30Z',
  started_at: '2024-01-15T14:20:10Z',
  completed_at: '2024-01-15T14:21:30Z',
};

test('a failed record shows the node, the exception, the message and a readable sentence; times become ms', () => {
  const job = fromRunRecord(runRecordSchema.parse(FAILED));
  assert.equal(job.status, 'failed');
  assert.deepEqual(
    { nodeType: job.error?.nodeType, exceptionType: job.error?.exceptionType, message: job.error?.message },
    { nodeType: 'UpscaleModelLoader', exceptionType: 'FileNotFoundError', message: "Model file 'RealESRGAN_x4.pth' not found" },
  );
  assert.ok(job.error?.hint);
  assert.equal(job.startedAt, Date.UTC(2024, 0, 15, 14, 20, 10));
  assert.equal(job.endedAt, Date.UTC(2024, 0, 15, 14, 21, 30));
  assert.equal(job.workflowName, 'Image Upscaling');
  assert.equal(job.priority, undefined, 'a queue number only for waiting runs');
});

test('a queued record keeps its queue number as its place; no end time while in flight', () => {
  const job = fromRunRecord(runRecordSchema.parse({ ...FAILED, status: 'queued', completed_at: null, error_node: null, exception_type: null, exception_message: null, queue_number: 4 }));
  assert.equal(job.status, 'pending');
  assert.equal(job.priority, 4);
  assert.equal(job.endedAt, undefined);
  assert.equal(job.error, undefined);
});

test('snapshot outputs become references named after the signed URL, never its signature; bad entries are dropped', () => {
  const snapshot = runSnapshotSchema.parse({
    status: 'completed',
    prompt: { prompt_id: 'abc123' },
    queue_number: null,
    outputs: [
      { id: 'output-1', workflow_id: 'run-1', src: 'https://storage.comfycontrol.app/outputs/run-1/ComfyUI_00001_.png?X-Amz-Signature=s3cr3t' },
      { id: 'output-2', workflow_id: 'run-1', src: 'https://storage.comfycontrol.app/outputs/run-1/clip%20one.mp4?sig=1' },
      { id: 'output-3', workflow_id: 'run-1', src: 'not a url' },
    ],
    cause: null,
    started_at: '2024-01-15T14:30:05Z',
    completed_at: '2024-01-15T14:32:15Z',
  });
  const outputs = runOutputs('run-1', snapshot.outputs);
  assert.deepEqual(
    outputs.map((o) => [o.ref.nodeId, o.ref.kind, o.ref.filename, o.ref.subfolder]),
    [
      ['output-1', 'images', 'ComfyUI_00001_.png', 'run-1'],
      ['output-2', 'video', 'clip one.mp4', 'run-1'],
    ],
  );
  assert.ok(!JSON.stringify(outputs.map((o) => o.ref)).includes('s3cr3t'));
});

test("a failed snapshot's cause is its error", () => {
  const snapshot = runSnapshotSchema.parse({ status: 'failed', queue_number: null, outputs: [], cause: { node_type: 'KSampler', exception_type: 'OOMError', exception_message: 'out of memory' } });
  assert.deepEqual(
    { ...snapshotError(snapshot), hint: undefined },
    { nodeType: 'KSampler', exceptionType: 'OOMError', message: 'out of memory', traceback: [], hint: undefined },
  );
});
