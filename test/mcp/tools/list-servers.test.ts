// list_servers end to end: health, queue, version and capabilities of each configured server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { tempDir } from '../../support/events.js';
import { startMcp, writeAppSettings, type Answer } from '../../support/mcp-session.js';

test('list_servers: each server\'s health, version, queue, idleness and capabilities; the ones the app switched off are not there', { timeout: 60_000 }, async (t) => {
  const current = await ComfySimulator.start();
  t.after(() => current.stop());
  const legacy = await ComfySimulator.start({ generation: 'legacy' });
  t.after(() => legacy.stop());
  const dataDir = await tempDir(t);
  await writeAppSettings(dataDir, {
    servers: [
      { id: 'new', name: 'New', url: current.url },
      { id: 'old', name: 'Old', url: legacy.url },
      { id: 'down', name: 'Down', url: 'http://127.0.0.1:9' },
      { id: 'off', name: 'Off', url: 'http://127.0.0.1:9', enabled: false },
    ],
  });
  const mcp = await startMcp(t, ['--data-dir', dataDir]);
  legacy.hold();
  legacy.enqueue({ '1': { class_type: 'SimSteps', inputs: { steps: 1 } } }, { clientId: 'browser' });

  // The queue is learnt from the server's broadcasts: ask again until the old box reports it.
  let servers: Answer[];
  do servers = (await mcp.ok('list_servers', {})).servers as Answer[];
  while (servers.find((s) => s.id === 'old')?.queued !== 1 || servers.some((s) => s.state === 'connecting'));
  assert.deepEqual(
    servers.map((s) => [s.id, s.name, s.kind, s.state]),
    [
      ['new', 'New', 'comfyui', 'connected'],
      ['old', 'Old', 'comfyui', 'connected'],
      ['down', 'Down', 'comfyui', 'offline'],
    ],
  );
  const [fresh, old, down] = servers as [Answer, Answer, Answer];
  assert.equal(fresh.version, '0.28.0');
  assert.equal(fresh.idle, true);
  assert.equal((fresh.capabilities as Answer).jobsApi, true);
  assert.equal(old.version, '0.3.54');
  assert.equal((old.capabilities as Answer).jobsApi, false);
  assert.equal(old.queued, 1);
  assert.equal(old.queue_remaining, 1);
  assert.equal(down.idle, false);
  assert.equal((down.last_error as Answer).code, 'COMFY_UNREACHABLE');
  assert.equal((await mcp.fails('list_servers', { verbose: true })).code, 'ARGUMENT_INVALID');
  legacy.release();
});
