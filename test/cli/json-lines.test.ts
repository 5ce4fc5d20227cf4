import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { ConnectionLineFilter, connectionLine, JobLineFilter, jobLine, jsonLine, savedFileLine } from '../../electron/cli/json-lines.js';
import type { JobView, ServerView } from '../../electron/shared/app-state.js';

const base: JobView = { serverId: 'http://s', id: 'j', status: 'running', submittedBy: 'other', outputs: [] };

test('progress prints in 10% steps, not on every sampler step', () => {
  const filter = new JobLineFilter();
  const printed = [0, 0.01, 0.05, 0.1, 0.15, 0.2, 0.55, 0.56, 1].filter((overall) => filter.shouldPrint({ ...base, progress: { overall } }));
  assert.deepEqual(printed, [0, 0.1, 0.2, 0.55, 1]);
});

test('the final line carries outputs and the final flag, not the stale progress', () => {
  const line = jobLine({ ...base, status: 'completed', progress: { overall: 1 }, durationMs: 5, endedAt: 0 }, true);
  assert.equal(line.final, true);
  assert.deepEqual(line.outputs, []);
  assert.equal(line.progress, undefined);
  assert.equal(line.endedAt, '1970-01-01T00:00:00.000Z');
});

test('a connection line is printed for a change of state, version, error kind or capabilities, not for each retry', () => {
  const filter = new ConnectionLineFilter();
  const capabilities = { jobsApi: true, cancelEndpoint: true, targetedInterrupt: true, supportsPreviewMetadata: false };
  const server: ServerView = { id: 'local', name: 'Local', url: 'http://127.0.0.1:8188/', state: 'connected', version: '0.28.0', capabilities };
  const refused = { code: 'COMFY_UNREACHABLE', message: 'refused' };
  const printed = [
    server,
    { ...server },
    { ...server, capabilities: { ...capabilities, supportsPreviewMetadata: true } },
    { ...server, capabilities: { supportsPreviewMetadata: true, targetedInterrupt: true, cancelEndpoint: true, jobsApi: true } },
    { ...server, state: 'reconnecting', attempt: 1, lastError: refused },
    { ...server, state: 'reconnecting', attempt: 2, lastError: refused },
  ].filter((view) => filter.shouldPrint(view as ServerView));
  assert.equal(printed.length, 3);
  assert.equal(printed[1]!.capabilities?.supportsPreviewMetadata, true);
  const line = connectionLine(printed[1] as ServerView);
  assert.equal(line.server, 'http://127.0.0.1:8188');
  assert.equal(line.serverId, 'local');
});

test('a line escapes the characters that disguise text on a terminal, and parses back to the same string', () => {
  const name = 'cat\u202Egnp.exe \u2066x\u2069 \u200F \u0085 \u2028';
  const text = jsonLine({ filename: name, seed: 18446744073709551615n });
  assert.doesNotMatch(text, /[\u0085\u200f\u2028\u202e\u2066\u2069]/);
  assert.match(text, /cat\\u202egnp\.exe/);
  assert.match(text, /"seed":18446744073709551615\}/);
  assert.equal((JSON.parse(text) as { filename: string }).filename, name);
});

test('a saved file is shown under the name it was saved as, its server subfolder made safe', () => {
  const line = savedFileLine({ nodeId: '9', kind: 'images', index: 0, type: 'output', subfolder: 'a\u202Eb/../c', filename: 'x\u202Egnp.exe', path: join('/out', 'x_gnp (1).exe'), size: 3 });
  assert.deepEqual(line, { nodeId: '9', kind: 'images', index: 0, type: 'output', subfolder: 'a_b/c', filename: 'x_gnp (1).exe', path: join('/out', 'x_gnp (1).exe'), size: 3 });
});
