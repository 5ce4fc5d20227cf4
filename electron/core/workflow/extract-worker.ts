// The worker side of reading files off the main thread (workflow-reader.ts): each request is one file, answered with
// what extractWorkflow found. It runs in a worker_threads Worker under a memory limit, and the main thread ends it
// when a file takes longer than its budget, so a hostile file costs this thread, never the tray or the window.
import { parentPort } from 'node:worker_threads';
import { extractWorkflow } from './extract.js';
import type { ExtractRequest, ExtractResponse } from './workflow-reader.js';

const port = parentPort;
port?.on('message', (request: ExtractRequest) => {
  const response: ExtractResponse = { id: request.id, result: extractWorkflow(request.bytes, request.name) };
  port.postMessage(response);
});
