// The MCP server as a process: its tools and their schemas as a client lists them, bad arguments to every tool, a
// tool that does not exist, nothing but protocol messages on stdout, and a clean end when the client goes away; and,
// in process, progress notifications that always reach the client before the answer.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { createMcpServer } from '../../electron/mcp/mcp-server.js';
import { defineTool } from '../../electron/mcp/tool.js';
import { ComfySimulator } from '../support/comfy-simulator.js';
import { tempDir } from '../support/events.js';
import { startMcp, writeAppSettings } from '../support/mcp-session.js';

const TOOLS = ['get_job_status', 'list_jobs', 'submit_workflow', 'cancel_job', 'get_outputs', 'list_servers'];

test('every tool is listed with a description, an input and an output schema, and hints of what it changes', { timeout: 60_000 }, async (t) => {
  const dataDir = await tempDir(t);
  const mcp = await startMcp(t, ['--server', 'http://127.0.0.1:9', '--data-dir', dataDir]);
  assert.deepEqual(mcp.client.getServerVersion()?.name, 'comfy-tray');
  const { tools } = await mcp.client.listTools();
  assert.deepEqual(tools.map((tool) => tool.name), TOOLS);
  for (const tool of tools) {
    assert.equal(tool.inputSchema.type, 'object', tool.name);
    assert.equal(tool.outputSchema?.type, 'object', tool.name);
    assert.equal((tool.inputSchema as { additionalProperties?: unknown }).additionalProperties, false, `${tool.name} refuses unknown arguments`);
    assert.ok((tool.description ?? '').length > 80, tool.name);
  }
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  for (const name of ['list_jobs', 'list_servers', 'get_outputs']) assert.equal(byName.get(name)?.annotations?.readOnlyHint, true, name);
  assert.equal(byName.get('cancel_job')?.annotations?.destructiveHint, true);
  assert.equal(byName.get('submit_workflow')?.annotations?.readOnlyHint, false);
  assert.match(byName.get('get_job_status')?.description ?? '', /writes the outputs as new files/);
  assert.deepEqual(byName.get('get_job_status')?.inputSchema.required, ['prompt_id']);
});

test('a bad argument to any tool is a tool error with ARGUMENT_INVALID naming the field, and the server goes on', { timeout: 60_000 }, async (t) => {
  const dataDir = await tempDir(t);
  const mcp = await startMcp(t, ['--server', 'http://127.0.0.1:9', '--data-dir', dataDir]);
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['get_job_status', {}, /prompt_id/],
    ['get_job_status', { prompt_id: 42 }, /prompt_id/],
    ['get_job_status', { prompt_id: 'x', download_images: 'yes' }, /download_images/],
    ['get_job_status', { prompt_id: 'x', image_save_path: 'a\u0000b' }, /image_save_path/],
    ['get_job_status', { prompt_id: 'x'.repeat(201) }, /prompt_id/],
    ['list_jobs', { offset: -1 }, /offset/],
    ['list_jobs', { sort_by: 'name' }, /sort_by/],
    ['submit_workflow', { workflow: [1, 2] }, /workflow/],
    ['submit_workflow', { workflow: {}, timeout_seconds: 0 }, /timeout_seconds/],
    ['cancel_job', { prompt_id: null }, /prompt_id/],
    ['get_outputs', { prompt_id: 'x', include_images: 1 }, /include_images/],
    ['list_servers', { extra: true }, /extra|arguments/i],
  ];
  for (const [name, args, field] of cases) {
    const failure = await mcp.fails(name, args);
    assert.equal(failure.code, 'ARGUMENT_INVALID', `${name} ${JSON.stringify(args)}`);
    assert.match(failure.message, field, failure.message);
    assert.match(failure.text, /\[ARGUMENT_INVALID\]$/);
  }
  // Naming a tool that does not exist is the protocol's error, not a tool's.
  await assert.rejects(mcp.client.callTool({ name: 'delete_everything', arguments: {} }), (error: unknown) => error instanceof McpError && error.code === -32602);
  assert.ok((await mcp.call('list_servers', {})).ok, 'still serving');
});

test('stdout carries protocol messages only (logs go to stderr); the server ends, exit code 0, when its input closes', { timeout: 60_000 }, async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const dataDir = await tempDir(t);
  await writeAppSettings(dataDir, { servers: [{ id: 'sim', name: 'Sim', url: sim.url }] });
  const child = spawn(process.execPath, ['--import', 'tsx', 'electron/headless.ts', 'mcp', '--data-dir', dataDir, '--verbose'], { stdio: 'pipe' });
  t.after(() => void child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const lines: string[] = [];
  const answers = new Map<number, (message: Record<string, unknown>) => void>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    const message = JSON.parse(line) as Record<string, unknown>;
    if (typeof message.id === 'number') answers.get(message.id)?.(message);
  });
  const request = (id: number, method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const answer = new Promise<Record<string, unknown>>((resolve) => answers.set(id, resolve));
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    return answer;
  };
  await request(1, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } });
  child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
  const listed = await request(2, 'tools/call', { name: 'list_servers', arguments: {} });
  assert.equal(((listed.result as { structuredContent: { servers: unknown[] } }).structuredContent.servers).length, 1);
  const { promptId } = sim.enqueue({ '1': { class_type: 'SimSteps', inputs: { steps: 1 } } }, { clientId: 'browser' });
  const status = await request(3, 'tools/call', { name: 'get_job_status', arguments: { prompt_id: promptId } });
  assert.equal(typeof (status.result as { structuredContent: { status: string } }).structuredContent.status, 'string');
  child.stdin.end();
  assert.equal(await exited, 0, stderr);
  assert.ok(lines.length >= 3);
  for (const line of lines) assert.equal((JSON.parse(line) as { jsonrpc?: string }).jsonrpc, '2.0', line);
  assert.match(stderr, /comfy-tray mcp: serving 1 server/);
});

test('every progress notification a tool sends reaches the client before its answer, however slowly the transport writes', { timeout: 30_000 }, async (t) => {
  const tool = defineTool({
    name: 'count',
    title: 'Count',
    description: 'Counts to 100 in three progress notifications sent without waiting for them, then answers at once.',
    input: z.object({}).strict(),
    output: z.object({ counted: z.number() }),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    run: (_args, call) => {
      for (const step of [10, 50, 100]) void call.progress(step, 100, `${step} %`);
      return Promise.resolve({ structured: { counted: 100 } });
    },
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  // A transport that takes its time with notifications (a busy pipe): the answer must still come after them.
  const send = serverSide.send.bind(serverSide);
  serverSide.send = async (message, options) => {
    if (!('id' in message)) await new Promise((resolve) => setTimeout(resolve, 20));
    return send(message, options);
  };
  const server = createMcpServer([tool], '0.0.0');
  await server.connect(serverSide);
  const client = new Client({ name: 'test', version: '0' });
  await client.connect(clientSide);
  t.after(() => client.close());
  const seen: number[] = [];
  const answer = await client.callTool({ name: 'count', arguments: {} }, undefined, { onprogress: (update) => seen.push(update.progress) });
  assert.deepEqual(answer.structuredContent, { counted: 100 });
  assert.deepEqual(seen, [10, 50, 100]);
});
