// Hints for the common failures, from the exception and message the server reported (as recorded and as users see
// them): one per kind that the text shows, none for an ordinary error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobError } from '../../../electron/shared/app-state.js';
import { failureHints } from '../../../renderer/models/failure-hints.js';

const error = (exceptionType: string, message: string, extra: Partial<JobError> = {}): JobError => ({ exceptionType, message, traceback: [], ...extra });
const kinds = (e: JobError): string[] => failureHints(e).map((hint) => hint.kind);

test('out of memory, as CUDA, PyTorch and the CPU allocator word it', () => {
  assert.deepEqual(kinds(error('torch.OutOfMemoryError', 'CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 8.00 GiB')), ['out-of-memory']);
  assert.deepEqual(kinds(error('RuntimeError', 'Allocation on device 0 would exceed allowed memory. (out of memory)')), ['out-of-memory']);
  assert.deepEqual(kinds(error('RuntimeError', "[enforce fail at alloc_cpu.cpp:114] . DefaultCPUAllocator: can't allocate memory: you tried to allocate 9437184000 bytes")), ['out-of-memory']);
  assert.deepEqual(kinds(error('RuntimeError', 'MPS backend out of memory (MPS allocated: 17.00 GB)')), ['out-of-memory']);
});

test('a missing model names the file and the node', () => {
  const [hint] = failureHints(error('FileNotFoundError', "[Errno 2] No such file or directory: '/srv/comfy/models/checkpoints/sd_xl_base_1.0.safetensors'", { nodeTitle: 'Load Checkpoint', nodeType: 'CheckpointLoaderSimple' }));
  assert.equal(hint?.kind, 'missing-model');
  assert.equal(hint?.title, 'A model file is missing on the server (Load Checkpoint)');
  assert.match(hint!.text, /^sd_xl_base_1\.0\.safetensors is not where ComfyUI looks for it/);
  assert.deepEqual(kinds(error('RuntimeError', 'ERROR: VAE is invalid: None\n\nIf the VAE is from a checkpoint loader node your checkpoint does not contain a valid VAE.')), []);
  assert.deepEqual(kinds(error('Exception', "Value not in list: lora_name: 'detail-tweaker.safetensors' not in []")), ['missing-model']);
});

test('a missing custom node or Python package', () => {
  const [module] = failureHints(error('ModuleNotFoundError', "No module named 'insightface'"));
  assert.equal(module?.title, 'A Python package is missing: insightface');
  assert.deepEqual(kinds(error('Exception', 'Node type IPAdapterAdvanced does not exist', { nodeType: 'IPAdapterAdvanced' })), ['missing-node']);
});

test('access refused: API nodes that want a sign-in or a key', () => {
  assert.deepEqual(kinds(error('Exception', 'Unauthorized: Please login first to use this node.')), ['access-refused']);
  assert.deepEqual(kinds(error('Exception', 'API request failed with status 403: Forbidden')), ['access-refused']);
  assert.deepEqual(kinds(error('ValueError', 'Invalid API key provided')), ['access-refused']);
});

test('an ordinary error gets no hint: the one recorded from a real server included', () => {
  assert.deepEqual(kinds(error('Exception', '**** ERROR: Saving image outside the output folder is not allowed.\n full_output_folder: /srv/comfyui/outside')), []);
  assert.deepEqual(kinds(error('ValueError', 'Expected 4 dimensions, got 3 (step 401 of the scheduler)')), [], 'a 401 that is no HTTP status');
  assert.deepEqual(kinds(error('HTTPError', 'HTTP 401 from https://api.example.com/v1/generate')), ['access-refused']);
});
