// The MCP server over every kind of server at once: ComfyUI, a Comfy Cloud account and ComfyControl (their
// simulators), named with watch's options. The tools talk to the engine, so a job is found on whichever kind has it,
// and the hosted services' secrets (from the environment) appear in no answer and no log.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { ComfySimulator } from '../support/comfy-simulator.js';
import { tempDir } from '../support/events.js';
import { startMcp, type Answer } from '../support/mcp-session.js';
import { API_KEY, cloudAccount } from '../core/backends/comfy-cloud/support.js';
import { comfyControl, TOKEN } from '../core/backends/comfycontrol/support.js';

test('get_job_status finds a Comfy Cloud job and a ComfyControl run without naming their server; list_servers gives each kind', { timeout: 60_000 }, async (t) => {
  const { cloud } = await cloudAccount(t);
  const { cc } = await comfyControl(t);
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const dataDir = await tempDir(t);
  const mcp = await startMcp(t, ['--server', sim.url, '--cloud', cloud.url, '--comfycontrol', cc.url, '--data-dir', dataDir], {
    COMFY_CLOUD_API_KEY: API_KEY,
    COMFYCONTROL_TOKEN: TOKEN,
  });

  const done = cloud.addFinished('completed', Date.now(), { outputs: { '9': { images: [{ filename: 'a.png', subfolder: '', type: 'output' }] } } }).id;
  const cloudJob = await mcp.ok('get_job_status', { prompt_id: done });
  assert.deepEqual([cloudJob.status, cloudJob.server_id, (cloudJob.job as Answer).server_name], ['completed', cloud.url, 'Comfy Cloud']);
  assert.deepEqual(((cloudJob.job as Answer).outputs as Answer[]).map((o) => [o.node_id, o.filename, o.media]), [['9', 'a.png', 'image']]);

  const run = cc.addRun({ name: 'Poster', queueNumber: 2 });
  const runJob = await mcp.ok('get_job_status', { prompt_id: run });
  assert.deepEqual([runJob.status, runJob.server_id, (runJob.job as Answer).workflow_name], ['queued', cc.url, 'Poster']);

  let servers: Answer[];
  do servers = (await mcp.ok('list_servers', {})).servers as Answer[];
  while (servers.some((server) => server.state !== 'connected'));
  assert.deepEqual(servers.map((server) => server.kind), ['comfyui', 'comfy-cloud', 'comfycontrol']);

  const said = JSON.stringify([cloudJob, runJob, servers]) + mcp.stderr();
  for (const secret of [API_KEY, TOKEN]) assert.ok(!said.includes(secret), 'no secret in an answer or a log');
});

test('a hosted service named without its secret in the environment: the server does not start, exit 2, naming the variable', { timeout: 60_000 }, async (t) => {
  const { cloud } = await cloudAccount(t);
  const dataDir = await tempDir(t);
  const child = spawn(process.execPath, ['--import', 'tsx', 'electron/headless.ts', 'mcp', '--cloud', cloud.url, '--data-dir', dataDir], {
    stdio: 'pipe',
    env: { PATH: process.env.PATH ?? '' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 2, stderr);
  assert.match(stderr, /COMFY_CLOUD_API_KEY.*\[CLI_USAGE\]/);
  assert.equal(stdout, '', 'nothing on the protocol channel');
});
