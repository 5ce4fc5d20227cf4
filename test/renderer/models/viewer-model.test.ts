// The viewer's model: one output at a time, its URL revoked when another is shown or the viewer closes, late answers
// dropped; and the way through the history (within a job, on into the next, a job at a time).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobView } from '../../../electron/shared/app-state.js';
import type { OutputMediaResult } from '../../../electron/shared/ipc-contract.js';
import { ViewerModel, neighbour, type ViewerTarget } from '../../../renderer/models/viewer-model.js';

function urls() {
  const live = new Set<string>();
  let n = 0;
  return {
    live,
    urls: {
      create: (file: { mime: string }) => {
        const url = `blob:${++n}:${file.mime}`;
        live.add(url);
        return url;
      },
      revoke: (url: string) => void live.delete(url),
    },
  };
}

const ok = (mime = 'image/png'): OutputMediaResult => ({ ok: true, kind: mime.startsWith('video') ? 'video' : 'image', mime: mime as 'image/png', bytes: new Uint8Array([1]) });

test('one URL at a time: revoked on the next output and on close; a late answer is never shown nor kept', async () => {
  const answers: ((answer: OutputMediaResult) => void)[] = [];
  const { live, urls: made } = urls();
  const model = new ViewerModel(() => new Promise((resolve) => answers.push(resolve)), made);
  model.open({ serverId: 's', jobId: 'a', index: 0 });
  assert.deepEqual(model.state.value, { status: 'loading' });
  answers[0]!(ok());
  await Promise.resolve();
  await Promise.resolve();
  assert.equal(model.state.value.status, 'ready');
  assert.equal(live.size, 1);
  model.open({ serverId: 's', jobId: 'a', index: 1 });
  model.open({ serverId: 's', jobId: 'a', index: 2 });
  assert.equal(live.size, 0, 'the shown one is revoked as soon as another is asked for');
  answers[2]!(ok('video/webm'));
  answers[1]!(ok());
  await new Promise((resolve) => setImmediate(resolve));
  const state = model.state.value;
  assert.ok(state.status === 'ready' && state.mime === 'video/webm', 'the last one asked for wins');
  assert.equal(live.size, 1, 'the late answer made no URL');
  model.close();
  assert.equal(model.target.value, undefined);
  assert.equal(live.size, 0);
});

test('a refusal or a broken channel is shown as such', async () => {
  const model = new ViewerModel(async () => ({ ok: false, code: 'OUTPUT_TOO_LARGE', message: 'too big' }), urls().urls);
  model.open({ serverId: 's', jobId: 'a', index: 0 });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(model.state.value, { status: 'failed', code: 'OUTPUT_TOO_LARGE', message: 'too big' });
  const broken = new ViewerModel(() => Promise.reject(new Error('IPC gone')), urls().urls);
  broken.open({ serverId: 's', jobId: 'a', index: 0 });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(broken.state.value, { status: 'failed', code: 'ACTION_FAILED', message: 'IPC gone' });
});

test('neighbours: through a job’s outputs, on into the next job (jobs without outputs skipped), a job at a time', () => {
  const out = (n: number) => Array.from({ length: n }, (_, index) => ({ nodeId: '9', kind: 'images', index, filename: `f${index}.png`, subfolder: '', type: 'output' }));
  const job = (id: string, n: number): JobView => ({ serverId: 's', id, status: 'completed', submittedBy: 'other', outputs: out(n) });
  const history = [job('a', 2), job('none', 0), job('b', 3), job('c', 1)];
  const at = (jobId: string, index: number): ViewerTarget => ({ serverId: 's', jobId, index });
  assert.deepEqual(neighbour(history, at('a', 0), 1), at('a', 1));
  assert.deepEqual(neighbour(history, at('a', 1), 1), at('b', 0));
  assert.deepEqual(neighbour(history, at('b', 0), -1), at('a', 1), 'back into the previous job, at its last output');
  assert.deepEqual(neighbour(history, at('b', 2), 1), at('c', 0));
  assert.equal(neighbour(history, at('c', 0), 1), undefined);
  assert.equal(neighbour(history, at('a', 0), -1), undefined);
  assert.deepEqual(neighbour(history, at('b', 2), -1, true), at('a', 0), 'a job at a time lands on its first output');
  assert.deepEqual(neighbour(history, at('a', 1), 1, true), at('b', 0));
  assert.equal(neighbour(history, at('gone', 0), 1), undefined);
});
