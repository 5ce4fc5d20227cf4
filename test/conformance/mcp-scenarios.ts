// The MCP server as an agent runs it (the BUILT dist/headless.cjs `mcp`, driven by the SDK's own Client over stdio)
// against a real server: a job another client queued is found without naming its server, and download_images saves
// its outputs byte for byte under descriptive names, only into a folder it may write to.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../support/events.js';
import { startMcp, writeAppSettings, type Answer, type McpSession } from '../support/mcp-session.js';
import { OtherClient } from './support/other-client.js';
import { freePort, type RealComfyUI } from './support/real-comfyui.js';
import { batchPrompt } from './support/workflows.js';

type TestContext = Parameters<typeof tempDir>[0];

const BUILT = fileURLToPath(new URL('../../dist/headless.cjs', import.meta.url));

/** The MCP server with the app's settings naming a server that cannot be reached first, then the real one. */
async function mcpOver(t: TestContext, server: RealComfyUI): Promise<{ mcp: McpSession; outputs: string }> {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: build first (node scripts/build.mjs; npm run test:real does)`);
  const dataDir = await tempDir(t, 'real-mcp-data-');
  const outputs = await tempDir(t, 'real-mcp-outputs-');
  await writeAppSettings(dataDir, {
    servers: [
      { id: 'gone', name: 'Gone', url: `http://127.0.0.1:${await freePort()}` },
      { id: 'real', name: 'Real ComfyUI', url: server.url },
    ],
    outputs: { folder: outputs },
  });
  return { mcp: await startMcp(t, ['--data-dir', dataDir], {}, [BUILT]), outputs };
}

export function mcpScenarios(server: () => RealComfyUI): void {
  test('MCP: get_job_status finds a job another client queued without being told its server', async (t) => {
    const { mcp } = await mcpOver(t, server());
    const other = await OtherClient.connect(server().url, { withSocket: true });
    t.after(() => other.close());
    const id = await other.submit(batchPrompt('mcp-found'));
    await other.terminal(id);
    const answer = await mcp.ok('get_job_status', { prompt_id: id });
    assert.equal(answer.status, 'completed', JSON.stringify(answer));
    assert.equal(answer.server_id, 'real');
    assert.deepEqual(answer.searched_servers, ['gone', 'real']);
    assert.deepEqual((answer.unreachable_servers as Answer[]).map((u) => u.server_id), ['gone']);
    const job = answer.job as Answer;
    assert.equal(job.submitted_by, 'other');
    assert.deepEqual((job.outputs as Answer[]).map((o) => [o.node_id, o.index, o.media]), [
      ['3', 0, 'image'],
      ['3', 1, 'image'],
    ]);
  });

  test('MCP: download_images saves byte-identical files named {prompt_id}_{node}_{index}_{filename}, never outside the allowed folders', async (t) => {
    const { mcp, outputs } = await mcpOver(t, server());
    const other = await OtherClient.connect(server().url, { withSocket: true });
    t.after(() => other.close());
    const id = await other.submit(batchPrompt('mcp-download'));
    await other.terminal(id);
    const elsewhere = await tempDir(t, 'real-mcp-elsewhere-');
    const refused = await mcp.fails('get_job_status', { prompt_id: id, download_images: true, image_save_path: elsewhere });
    assert.equal(refused.code, 'OUTPUT_FOLDER_NOT_ALLOWED');
    assert.deepEqual(await readdir(elsewhere), []);

    const answer = await mcp.ok('get_job_status', { prompt_id: id, download_images: true, image_save_path: 'agent' });
    const folder = join(outputs, 'agent');
    assert.equal(answer.download_folder, folder);
    const outputsOfJob = (answer.job as Answer).outputs as { node_id: string; index: number; filename: string; subfolder: string; type: string }[];
    const expected = outputsOfJob.map((o) => `${id}_${o.node_id}_${String(o.index).padStart(3, '0')}_${o.filename}`).sort();
    assert.deepEqual((await readdir(folder)).sort(), expected);
    for (const output of outputsOfJob) {
      const path = join(folder, `${id}_${output.node_id}_${String(output.index).padStart(3, '0')}_${output.filename}`);
      assert.deepEqual(await readFile(path), await other.view(output), `${output.filename} is byte-identical`);
    }
    assert.equal(answer.download_failures, undefined);
  });
}
