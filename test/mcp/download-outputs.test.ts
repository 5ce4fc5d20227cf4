// Downloads under descriptive names: whatever a server (of any kind) calls its files, each lands in the folder, under
// one safe name component, never overwriting anything.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { OutputRef } from '../../electron/shared/app-state.js';
import { DEFAULT_MAX_FILE_BYTES, freeSpace } from '../../electron/core/outputs/download-limits.js';
import { descriptiveName, downloadOutputs, DownloadLog } from '../../electron/mcp/download-outputs.js';
import { tempDir } from '../support/events.js';
import { FakeBackend } from '../support/fake-backend.js';

const limits = { maxBytes: DEFAULT_MAX_FILE_BYTES, minFreeBytes: 0, freeSpace };

function ref(nodeId: string, index: number, filename: string, subfolder = ''): OutputRef {
  return { nodeId, kind: 'images', index, filename, subfolder, type: 'output' };
}

test('the name is {prompt_id}_{node}_{index}_{filename}, one component safe on every OS', () => {
  assert.equal(descriptiveName('6c1f', ref('9', 0, 'ComfyUI_00001_.png')), '6c1f_9_000_ComfyUI_00001_.png');
  assert.equal(descriptiveName('6c1f', ref('9', 12, 'a.png')), '6c1f_9_012_a.png');
  for (const hostile of ['../../../etc/passwd', '..\\..\\boot.ini', '/abs/x.png', 'C:\\Windows\\x.png', '\\\\host\\share\\x', 'a\u0000b', 'evil\u202Egnp.exe', 'x'.repeat(400) + '.png']) {
    const name = descriptiveName('id', ref('1', 0, hostile));
    assert.ok(!/[/\\\u0000\u202E]/.test(name), name);
    assert.ok(Buffer.byteLength(name) <= 255, name);
    assert.ok(name.startsWith('id_1_000_'), name);
  }
  assert.ok(descriptiveName('id', ref('1', 0, 'x'.repeat(400) + '.png')).endsWith('.png'), 'the extension is kept when shortened');
});

test('files named to escape land inside the folder; a failing file does not stop the others; the same bytes are not saved twice', async (t) => {
  const root = await tempDir(t);
  const folder = join(root, 'inside');
  await mkdir(folder);
  const backend = new FakeBackend('hosted');
  backend.missingFiles.add('gone.png');
  const refs = [ref('1', 0, '../../escaped.png', '../../..'), ref('2', 0, 'gone.png'), ref('3', 0, '/etc/cron.d/x', '/etc')];
  const log = new DownloadLog();
  const first = await downloadOutputs(backend, 'job', refs, folder, { limits, signal: new AbortController().signal, log });
  assert.deepEqual(first.failures.map((f) => [f.node_id, f.code]), [['2', 'OUTPUT_NOT_FOUND']]);
  assert.deepEqual((await readdir(root)).sort(), ['inside']);
  const names = (await readdir(folder)).sort();
  assert.deepEqual(names, ['job_1_000_.._.._escaped.png', 'job_3_000__etc_cron.d_x']);
  for (const name of names) assert.equal(await readFile(join(folder, name), 'utf8'), 'bytes');
  assert.equal(log.pathOf('hosted', 'job', refs[0]!), join(folder, names[0]!));

  const again = await downloadOutputs(backend, 'job', [refs[0]!], folder, { limits, signal: new AbortController().signal, log });
  assert.deepEqual(again.files.map((f) => f.already_there), [true]);
  // Another file under the name: kept, and the download takes the next free name.
  await writeFile(join(folder, 'job_3_000__etc_cron.d_x'), 'mine');
  const clash = await downloadOutputs(backend, 'job', [refs[2]!], folder, { limits, signal: new AbortController().signal, log });
  assert.equal(clash.files[0]?.path, join(folder, 'job_3_000__etc_cron (1).d_x'));
  assert.equal(await readFile(join(folder, 'job_3_000__etc_cron.d_x'), 'utf8'), 'mine');
});

test('a cancelled request downloads nothing more and says so per file', async (t) => {
  const folder = await tempDir(t);
  const abort = new AbortController();
  abort.abort();
  const result = await downloadOutputs(new FakeBackend(), 'job', [ref('1', 0, 'a.png')], folder, { limits, signal: abort.signal, log: new DownloadLog() });
  assert.deepEqual(result.failures.map((f) => f.code), ['REQUEST_CANCELLED']);
  assert.deepEqual(await readdir(folder), []);
});
