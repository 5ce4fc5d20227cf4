// get_job_status end to end: the SDK's Client over a real stdio child process, two simulated ComfyUI servers and one
// that cannot be reached, configured in the app's settings as a user would have them.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdir, readFile, symlink, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { nextNodeEvent, tempDir } from '../../support/events.js';
import { startMcp, writeAppSettings, type Answer, type McpSession } from '../../support/mcp-session.js';

type TestContext = Parameters<typeof tempDir>[0];

function imagePrompt(color: number, prefix = 'mcp'): Record<string, unknown> {
  return {
    '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 2, color } },
    '9': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: prefix } },
  };
}

interface Setup {
  readonly a: ComfySimulator;
  readonly b: ComfySimulator;
  readonly mcp: McpSession;
  readonly outputs: string;
  readonly dataDir: string;
}

/** Servers "a" and "b" (simulators) and "gone" (nothing listens), as the app's settings name them. */
async function setup(t: TestContext, extraArgs: readonly string[] = []): Promise<Setup> {
  const a = await ComfySimulator.start({ stepDelayMs: 5 });
  t.after(() => a.stop());
  const b = await ComfySimulator.start({ stepDelayMs: 5 });
  t.after(() => b.stop());
  const dataDir = await tempDir(t);
  const outputs = await tempDir(t, 'mcp-outputs-');
  await writeAppSettings(dataDir, {
    servers: [
      { id: 'a', name: 'Box A', url: a.url },
      { id: 'gone', name: 'Gone', url: 'http://127.0.0.1:9' },
      { id: 'b', name: 'Box B', url: b.url },
    ],
    outputs: { folder: outputs },
  });
  const mcp = await startMcp(t, ['--data-dir', dataDir, ...extraArgs]);
  return { a, b, mcp, outputs, dataDir };
}

async function finished(sim: ComfySimulator, promptId: string): Promise<void> {
  await nextNodeEvent(sim.events, 'finished', (event: { promptId: string }) => event.promptId === promptId);
}

test('a job another client queued is found without naming its server; a server that cannot be asked is listed', { timeout: 60_000 }, async (t) => {
  const { b, mcp } = await setup(t);
  const { promptId } = b.enqueue(imagePrompt(3), { clientId: 'browser' });
  await finished(b, promptId);

  const answer = await mcp.ok('get_job_status', { prompt_id: promptId });
  assert.equal(answer.status, 'completed');
  assert.equal(answer.server_id, 'b');
  assert.deepEqual(answer.searched_servers, ['a', 'gone', 'b']);
  assert.deepEqual((answer.unreachable_servers as Answer[]).map((u) => [u.server_id, u.code]), [['gone', 'COMFY_UNREACHABLE']]);
  const job = answer.job as Answer;
  assert.equal(job.submitted_by, 'other');
  assert.equal(job.server_name, 'Box B');
  const outputs = job.outputs as Answer[];
  assert.deepEqual(
    outputs.map((o) => [o.node_id, o.kind, o.index, o.media, o.type]),
    [
      ['9', 'images', 0, 'image', 'output'],
      ['9', 'images', 1, 'image', 'output'],
    ],
  );

  // Named by its server's name, URL or id it is found the same way; on another server it is not there.
  assert.equal((await mcp.ok('get_job_status', { prompt_id: promptId, server: 'box b' })).status, 'completed');
  assert.equal((await mcp.ok('get_job_status', { prompt_id: promptId, server: b.url })).status, 'completed');
  const elsewhere = await mcp.ok('get_job_status', { prompt_id: promptId, server: 'a' });
  assert.equal(elsewhere.status, 'not_found');
  assert.deepEqual(elsewhere.searched_servers, ['a']);

  const unknown = await mcp.ok('get_job_status', { prompt_id: randomUUID() });
  assert.equal(unknown.status, 'not_found');
  assert.equal(unknown.job, undefined);

  const noSuchServer = await mcp.fails('get_job_status', { prompt_id: promptId, server: 'nowhere' });
  assert.equal(noSuchServer.code, 'SERVER_UNKNOWN');
});

test('queued with its position, failed with node, exception and message, cancelled', { timeout: 60_000 }, async (t) => {
  const { a, mcp } = await setup(t);
  a.hold();
  const first = a.enqueue(imagePrompt(1), { clientId: 'browser' });
  const second = a.enqueue(imagePrompt(2), { clientId: 'browser' });
  const queued = await mcp.ok('get_job_status', { prompt_id: second.promptId });
  assert.equal(queued.status, 'queued');
  assert.equal((queued.job as Answer).queue_position, 2);

  const cancelled = await mcp.ok('cancel_job', { prompt_id: second.promptId });
  assert.deepEqual([cancelled.server_id, cancelled.cancelled, cancelled.status], ['a', true, 'queued']);
  const gone = await mcp.ok('get_job_status', { prompt_id: second.promptId });
  assert.equal(gone.status, 'cancelled');

  a.release();
  await finished(a, first.promptId);
  const failing = a.enqueue({ '1': { class_type: 'SimRaise', inputs: { message: 'out of memory' }, _meta: { title: 'Boom' } } }, { clientId: 'browser' });
  await finished(a, failing.promptId);
  const failed = await mcp.ok('get_job_status', { prompt_id: failing.promptId });
  assert.equal(failed.status, 'failed');
  const error = (failed.job as Answer).error as Answer;
  assert.equal(error.node_id, '1');
  assert.equal(error.node_type, 'SimRaise');
  assert.equal(error.exception_type, 'RuntimeError');
  assert.match(String(error.message), /out of memory/);
});

test('download_images saves byte-identical files under descriptive names, and never a second copy', { timeout: 60_000 }, async (t) => {
  const { b, mcp, outputs } = await setup(t);
  const { promptId } = b.enqueue(imagePrompt(5, 'pics'), { clientId: 'browser' });
  await finished(b, promptId);

  const answer = await mcp.ok('get_job_status', { prompt_id: promptId, download_images: true, image_save_path: 'agent' });
  const folder = join(outputs, 'agent');
  assert.equal(answer.download_folder, folder);
  const files = answer.downloaded_files as Answer[];
  assert.deepEqual((await readdir(folder)).sort(), [`${promptId}_9_000_pics_00001_.png`, `${promptId}_9_001_pics_00002_.png`]);
  for (const file of files) {
    const original = b.outputs.get(`output//${String(file.filename)}`);
    assert.ok(original, `the server has ${String(file.filename)}`);
    assert.deepEqual(await readFile(String(file.path)), original, 'byte for byte');
    assert.equal(file.size, original.length);
    assert.equal(file.already_there, false);
  }

  const again = await mcp.ok('get_job_status', { prompt_id: promptId, download_images: true, image_save_path: join(outputs, 'agent') });
  assert.deepEqual((again.downloaded_files as Answer[]).map((f) => [f.path, f.already_there]), files.map((f) => [f.path, true]));
  assert.equal((await readdir(folder)).length, 2, 'nothing saved twice');

  // Without a folder: the app's output folder itself.
  const plain = await mcp.ok('get_job_status', { prompt_id: promptId, download_images: true });
  assert.equal(plain.download_folder, outputs);
});

test('names from the server never leave the folder: separators are flattened, a name the server refuses is reported', { timeout: 60_000 }, async (t) => {
  const { a, mcp, outputs } = await setup(t);
  const { promptId } = a.enqueue(
    {
      '1': { class_type: 'SimOutput', inputs: { filename: '\\\\evil\\share\\x.png', subfolder: 'deep/er' } },
      '2': { class_type: 'SimOutput', inputs: { filename: '../../../escaped.png', key: 'gifs' } },
      '3': { class_type: 'SimOutput', inputs: { filename: 'clip.mp4', key: 'video' } },
    },
    { clientId: 'browser' },
  );
  await finished(a, promptId);
  const answer = await mcp.ok('get_job_status', { prompt_id: promptId, download_all_outputs: true, image_save_path: 'hostile' });
  const folder = join(outputs, 'hostile');
  const names = (await readdir(folder)).sort();
  assert.deepEqual(names, [`${promptId}_1_000___evil_share_x.png`, `${promptId}_3_000_clip.mp4`]);
  assert.deepEqual((await readdir(outputs)).sort(), ['hostile'], 'nothing beside the folder');
  const failures = answer.download_failures as Answer[];
  assert.deepEqual(failures.map((f) => [f.node_id, f.code]), [['2', 'OUTPUT_NOT_FOUND']]);
  assert.deepEqual(await readFile(join(folder, names[1]!)), a.outputs.get('output//clip.mp4'));
  const media = ((answer.job as Answer).outputs as Answer[]).map((o) => o.media);
  assert.deepEqual(media.sort(), ['image', 'image', 'video']);
});

test('a folder outside the allowed roots is refused before anything is fetched; --output-dir adds one', { timeout: 60_000 }, async (t) => {
  const extra = await tempDir(t, 'mcp-extra-');
  const elsewhere = await tempDir(t, 'mcp-elsewhere-');
  const { b, mcp, outputs } = await setup(t, ['--output-dir', extra]);
  const { promptId } = b.enqueue(imagePrompt(7), { clientId: 'browser' });
  await finished(b, promptId);
  const served = b.requestCount('/view');

  for (const path of [elsewhere, '../outside', join(outputs, '..', 'sibling')]) {
    const refused = await mcp.fails('get_job_status', { prompt_id: promptId, download_images: true, image_save_path: path });
    assert.equal(refused.code, 'OUTPUT_FOLDER_NOT_ALLOWED', path);
  }
  // A link inside a root that leads out of it.
  await mkdir(join(outputs, 'links'));
  await symlink(elsewhere, join(outputs, 'links', 'out'));
  const escaped = await mcp.fails('get_job_status', { prompt_id: promptId, download_images: true, image_save_path: 'links/out' });
  assert.equal(escaped.code, 'OUTPUT_PATH_ESCAPE');
  assert.deepEqual(await readdir(elsewhere), []);
  assert.equal(b.requestCount('/view'), served, 'nothing was fetched');

  const allowed = await mcp.ok('get_job_status', { prompt_id: promptId, download_images: true, image_save_path: join(extra, 'sub') });
  assert.equal((allowed.downloaded_files as Answer[]).length, 2);
  assert.equal((await readdir(join(extra, 'sub'))).length, 2);
});
