// get_outputs end to end: the paths the app saved (read from its journal while the MCP server runs), the files the
// MCP server downloaded, and small images as MCP image content.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { Engine } from '../../../electron/core/engine.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { nextEvent, nextNodeEvent, tempDir } from '../../support/events.js';
import { startMcp, writeAppSettings, type Answer } from '../../support/mcp-session.js';

const twoImages = {
  '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 2, color: 9 } },
  '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'out' } },
  '3': { class_type: 'SimOutput', inputs: { filename: 'take.mp4', key: 'video' } },
};

test('get_outputs: where the app saved each file, where this server downloaded it, and small images inline', { timeout: 60_000 }, async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const dataDir = await tempDir(t);
  const folder = await tempDir(t, 'app-outputs-');
  await writeAppSettings(dataDir, { servers: [{ id: 'a', name: 'A', url: sim.url }], outputs: { folder } });

  // The app (an engine saving outputs, on the same data folder) follows and saves a job, then quits.
  const app = await Engine.create({ dataDir, servers: [{ id: 'a', name: 'A', url: sim.url }], outputs: { folder, template: '{filename}' } });
  app.start();
  await nextEvent(app.events, 'server', (view) => view.state === 'connected');
  const saved = nextEvent(app.events, 'saved');
  const { promptId } = sim.enqueue(twoImages, { clientId: 'browser' });
  const savedFiles = (await saved).files;
  await app.stop();
  assert.equal(savedFiles.length, 3);

  const mcp = await startMcp(t, ['--data-dir', dataDir]);
  const plain = await mcp.call('get_outputs', { prompt_id: promptId });
  assert.ok(plain.ok);
  const outputs = plain.answer.outputs as Answer[];
  assert.deepEqual(
    outputs.map((o) => [o.node_id, o.media, o.saved_path, o.inline]).sort(),
    savedFiles.map((f) => [f.nodeId, f.kind === 'video' ? 'video' : 'image', f.path, false]).sort(),
  );
  assert.equal(plain.result.content.filter((item) => item.type === 'image').length, 0);

  const withImages = await mcp.call('get_outputs', { prompt_id: promptId, include_images: true });
  assert.ok(withImages.ok);
  const images = withImages.result.content.filter((item) => item.type === 'image');
  assert.equal(images.length, 2, 'the two PNGs, not the video');
  const inline = (withImages.answer.outputs as Answer[]).filter((o) => o.inline === true);
  for (const [index, output] of inline.entries()) {
    const image = images[index]!;
    assert.equal(image.type === 'image' && image.mimeType, 'image/png');
    assert.deepEqual(Buffer.from(image.type === 'image' ? image.data : '', 'base64'), await readFile(String(output.saved_path)));
  }

  // A job the app never saw: images from the server, paths of what this MCP server downloads.
  const later = sim.enqueue(twoImages, { clientId: 'browser' });
  await nextNodeEvent(sim.events, 'finished', (e: { promptId: string }) => e.promptId === later.promptId);
  await mcp.ok('get_job_status', { prompt_id: later.promptId, download_images: true, image_save_path: 'dl' });
  const fetched = await mcp.call('get_outputs', { prompt_id: later.promptId, include_images: true });
  assert.ok(fetched.ok);
  const rows = fetched.answer.outputs as Answer[];
  assert.deepEqual(rows.map((o) => [o.media, o.saved_path === undefined, typeof o.downloaded_path === 'string', o.inline]).sort(), [
    ['image', true, true, true],
    ['image', true, true, true],
    ['video', true, false, false],
  ]);
  assert.equal(fetched.result.content.filter((item) => item.type === 'image').length, 2);

  assert.equal((await mcp.fails('get_outputs', { prompt_id: '00000000-0000-4000-8000-000000000000' })).code, 'COMFY_JOB_NOT_FOUND');
  assert.equal((await mcp.fails('get_outputs', { prompt_id: promptId, max_image_bytes: 10 })).code, 'ARGUMENT_INVALID');
});
