// The headless CLI as users run it (the built dist/headless.cjs, a data folder of its own) against a real server:
// `status` of jobs in every state with the exit codes the README documents, `submit --wait` of an API prompt, an
// editor workflow and a PNG the server itself wrote, and a preflight that refuses a missing model before queuing.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { extractWorkflow } from '../../electron/core/workflow/extract.js';
import { tempDir } from '../support/events.js';
import { EditorWorkflow } from './support/editor-workflow.js';
import { runCli, shown, type CliRun } from './support/headless-cli.js';
import { OtherClient, type ApiPrompt } from './support/other-client.js';
import { freePort, type RealComfyUI } from './support/real-comfyui.js';
import { quickPrompt, slowPrompt } from './support/workflows.js';

type TestContext = Parameters<typeof tempDir>[0];

/** The URL as the CLI prints it (no trailing slash). */
function label(server: RealComfyUI): string {
  return server.url.replace(/\/$/, '');
}

async function status(t: TestContext, server: RealComfyUI, id: string, url = server.url): Promise<CliRun> {
  return runCli(['status', id, '--server', url, '--data-dir', await tempDir(t, 'real-cli-status-')]);
}

/** Checks `submit --wait`'s lines: the id announced first, only this job's lines after it, one final line, completed. */
function assertWaited(run: CliRun, server: RealComfyUI, outputs: number): Record<string, unknown> {
  assert.equal(run.code, 0, shown(run));
  const [submitted, ...rest] = run.lines;
  assert.equal(submitted?.event, 'submitted', shown(run));
  assert.equal(submitted?.server, label(server));
  assert.equal(submitted?.index, 0);
  const id = submitted?.id;
  assert.equal(typeof id, 'string');
  assert.ok(rest.length > 0 && rest.every((line) => line.event === 'job' && line.id === id), shown(run));
  const finals = rest.filter((line) => line.final === true);
  assert.equal(finals.length, 1, 'one final line');
  assert.equal(rest.at(-1), finals[0], 'the final line comes last');
  const final = finals[0]!;
  assert.equal(final.status, 'completed', shown(run));
  assert.equal(final.submittedBy, 'this-app');
  assert.equal((final.outputs as unknown[]).length, outputs, shown(run));
  return final;
}

/** A small editor workflow of model-free nodes: EmptyImage → ImageInvert → SaveImage. */
async function smallEditorWorkflow(other: OtherClient, prefix: string): Promise<EditorWorkflow> {
  const graph = new EditorWorkflow((await other.get('object_info')) as Record<string, unknown>);
  const image = graph.add('EmptyImage', { width: 40, height: 24, batch_size: 1, color: Math.floor(Math.random() * 0xffffff) });
  const inverted = graph.add('ImageInvert', { image: image.out() });
  graph.add('SaveImage', { images: inverted.out(), filename_prefix: prefix }, { title: 'Save it' });
  return graph;
}

/** `status` of a running and a pending job (0), an id the server does not know (1), and an unreachable server (3). */
async function statesAndExitCodes(t: TestContext, server: RealComfyUI, running: string, pending: string): Promise<void> {
  const runningRun = await status(t, server, running);
  assert.equal(runningRun.code, 0, shown(runningRun));
  assert.deepEqual(
    runningRun.lines.map((line) => [line.event, line.id, line.status, line.source, line.final]),
    [['job', running, 'running', 'server', undefined]],
  );

  const pendingRun = await status(t, server, pending);
  assert.equal(pendingRun.code, 0, shown(pendingRun));
  assert.deepEqual(
    pendingRun.lines.map((line) => [line.event, line.id, line.status, line.source, line.queuePosition]),
    [['job', pending, 'pending', 'server', 1]],
  );

  const unknown = randomUUID();
  const unknownRun = await status(t, server, unknown);
  assert.equal(unknownRun.code, 1, shown(unknownRun));
  assert.deepEqual(unknownRun.lines, [{ event: 'not-found', server: label(server), serverId: label(server), id: unknown }]);

  const nowhere = `http://127.0.0.1:${await freePort()}`;
  const unreachable = await status(t, server, running, nowhere);
  assert.equal(unreachable.code, 3, shown(unreachable));
  assert.deepEqual(unreachable.lines, [{ event: 'unavailable', server: nowhere, serverId: nowhere, id: running, code: 'COMFY_UNREACHABLE' }]);
  // The failing URL is named once, with its slash.
  assert.equal(unreachable.stderr.split(nowhere).length - 1, 1, unreachable.stderr);
  assert.match(unreachable.stderr, new RegExp(`${nowhere}/api/system_stats`));
}

export function cliScenarios(server: () => RealComfyUI): void {
  test('status: a completed job exits 0 with its outputs, as the server reports it', async (t) => {
    const other = await OtherClient.connect(server().url, { withSocket: true });
    t.after(() => other.close());
    const id = await other.submit(quickPrompt('status-done'));
    await other.terminal(id);
    const run = await status(t, server(), id);
    assert.equal(run.code, 0, shown(run));
    assert.equal(run.lines.length, 1, shown(run));
    const [line] = run.lines;
    assert.equal(line?.event, 'job');
    assert.equal(line?.id, id);
    assert.equal(line?.server, label(server()));
    assert.equal(line?.status, 'completed');
    assert.equal(line?.source, 'server');
    assert.equal(line?.final, true);
    assert.equal((line?.outputs as unknown[]).length, 1);
  });

  test('status: a running and a pending job exit 0 with their state; an unknown id exits 1, an unreachable server 3', async (t) => {
    const other = await OtherClient.connect(server().url, { withSocket: true });
    t.after(() => other.close());
    // Long enough to be running through two CLI runs; it is interrupted when they are done.
    const running = await other.submit(slowPrompt(40, 'status-running'));
    const pending = await other.submit(quickPrompt('status-pending'));
    try {
      await other.untilRunning(running);
      await statesAndExitCodes(t, server(), running, pending);
    } finally {
      await other.deletePending([pending]);
      await other.interrupt(running);
      await other.terminal(running);
    }
  });

  test('submit --wait of an API prompt file reaches completed with its output', async (t) => {
    const dir = await tempDir(t, 'real-cli-api-');
    const file = join(dir, 'api-prompt.json');
    await writeFile(file, JSON.stringify(quickPrompt('cli-api')));
    const run = await runCli(['submit', file, '--server', server().url, '--data-dir', dir, '--wait']);
    const final = assertWaited(run, server(), 1);
    assert.equal(final.workflowName, 'api-prompt');
  });

  test('submit --wait of an editor workflow converts it for this server and reaches completed with its output', async (t) => {
    const other = await OtherClient.connect(server().url, { withSocket: false });
    const graph = await smallEditorWorkflow(other, 'cli-ui');
    const dir = await tempDir(t, 'real-cli-ui-');
    const file = join(dir, 'editor.json');
    await writeFile(file, JSON.stringify(graph.workflow()));
    const run = await runCli(['submit', file, '--server', server().url, '--data-dir', dir, '--wait']);
    assertWaited(run, server(), 1);
    // The server ran the prompt the editor would have queued.
    const id = String(run.lines[0]?.id);
    const entry = await other.historyEntry(id);
    assert.deepEqual(queuedPrompt(entry), graph.expectedPrompt());
  });

  test('submit --wait of a PNG the server wrote (workflow embedded) reaches completed with its output', async (t) => {
    const other = await OtherClient.connect(server().url, { withSocket: true });
    t.after(() => other.close());
    const graph = await smallEditorWorkflow(other, 'cli-png');
    // What the editor's Queue button sends: the prompt, and the workflow for the PNG's metadata.
    const id = await other.submit(graph.expectedPrompt(), { workflow: graph.workflow() });
    const terminal = await other.terminal(id);
    assert.equal(terminal.type, 'execution_success');
    const [image] = outputImages(await other.historyEntry(id));
    assert.ok(image, 'the server saved a PNG');
    const png = await other.view(image);
    const embedded = extractWorkflow(png, image.filename);
    assert.equal(embedded.kind, 'comfy');
    if (embedded.kind === 'comfy') assert.deepEqual(embedded.workflow, graph.workflow(), 'the server embedded the workflow');
    const dir = await tempDir(t, 'real-cli-png-');
    const file = join(dir, image.filename);
    await writeFile(file, png);
    const run = await runCli(['submit', file, '--server', server().url, '--data-dir', dir, '--wait']);
    assertWaited(run, server(), 1);
  });

  test('submit refuses a workflow naming models the server lacks before queuing, each finding printed once', async (t) => {
    const other = await OtherClient.connect(server().url, { withSocket: false });
    const defs = (await other.get('object_info')) as Record<string, unknown>;
    const graph = new EditorWorkflow(defs);
    const missing = `conformance-${randomUUID().slice(0, 8)}.safetensors`;
    const checkpoint = graph.add('CheckpointLoaderSimple', { ckpt_name: missing });
    // A v3-schema latent node on 0.8.0 (null display name there): it must not be taken for a missing node type.
    const latent = graph.add('EmptySD3LatentImage', { width: 512, height: 512, batch_size: 1 });
    const positive = graph.add('CLIPTextEncode', { text: 'a lighthouse', clip: checkpoint.out(1) }, { title: 'Positive' });
    const negative = graph.add('CLIPTextEncode', { text: '', clip: checkpoint.out(1) }, { title: 'Negative' });
    const sampled = graph.add('KSampler', { model: checkpoint.out(0), positive: positive.out(), negative: negative.out(), latent_image: latent.out(), seed: 42 }, { control: 'randomize' });
    const decoded = graph.add('VAEDecode', { samples: sampled.out(), vae: checkpoint.out(2) });
    graph.add('SaveImage', { images: decoded.out(), filename_prefix: 'never' });
    const dir = await tempDir(t, 'real-cli-preflight-');
    const before = Object.keys((await other.get('history')) as Record<string, unknown>).length;

    for (const [name, content] of [
      ['editor.json', graph.workflow()],
      ['api.json', graph.expectedPrompt()],
    ] as const) {
      const file = join(dir, name);
      await writeFile(file, JSON.stringify(content));
      const run = await runCli(['submit', file, '--server', server().url, '--data-dir', dir, '--wait']);
      assert.equal(run.code, 1, shown(run));
      assert.deepEqual(run.lines, [], 'nothing was submitted');
      const findings = run.stderr.split('\n').filter((line) => line.startsWith('preflight: '));
      assert.deepEqual(findings, [`preflight: node "Load Checkpoint" (#1), input "ckpt_name": the server does not offer "${missing}"`], shown(run));
      assert.match(run.stderr, /1 problem found before queuing; nothing was queued \[SUBMIT_PREFLIGHT_FAILED\]/);
      assert.equal(run.stderr.split(missing).length - 1, 1, 'the model is named once');
    }
    const queue = (await other.get('queue')) as { queue_running: unknown[]; queue_pending: unknown[] };
    assert.equal(queue.queue_pending.length + queue.queue_running.length, 0, 'nothing was queued');
    assert.equal(Object.keys((await other.get('history')) as Record<string, unknown>).length, before, 'nothing ran');
  });
}

/** The prompt a history entry says was queued (its `prompt` tuple holds it third). */
function queuedPrompt(entry: Record<string, unknown>): ApiPrompt {
  const prompt = entry.prompt;
  if (!Array.isArray(prompt)) throw new Error('history entry without prompt');
  return prompt[2] as ApiPrompt;
}

function outputImages(entry: Record<string, unknown>): { filename: string; subfolder: string; type: string }[] {
  const outputs = (entry.outputs ?? {}) as Record<string, { images?: { filename: string; subfolder: string; type: string }[] }>;
  return Object.values(outputs).flatMap((output) => output.images ?? []);
}
