// submit_workflow end to end: a legacy and a current simulated ComfyUI (the current one has node types the legacy one
// lacks), "best" choosing between them, preflight, the server's refusal, and wait with MCP progress notifications.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ProgressNotificationSchema, type Progress } from '@modelcontextprotocol/sdk/types.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { nextNodeEvent, tempDir } from '../../support/events.js';
import { startMcp, writeAppSettings, type Answer, type McpSession } from '../../support/mcp-session.js';

type TestContext = Parameters<typeof tempDir>[0];

const simple = {
  '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 4 } },
  '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'best' } },
};

/** MergeImageLists exists on the current server only. */
const needsCurrent = {
  '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 4 } },
  '2': { class_type: 'MergeImageLists', inputs: { images: ['1', 0] } },
  '3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: 'merged' } },
};

const editorWorkflow = {
  version: 0.4,
  nodes: [
    { id: 1, type: 'EmptyImage', mode: 0, inputs: [], outputs: [{ name: 'IMAGE', type: 'IMAGE', links: [1] }], widgets_values: [8, 8, 1, 3] },
    { id: 2, type: 'SaveImage', mode: 0, inputs: [{ name: 'images', type: 'IMAGE', link: 1 }], outputs: [], widgets_values: ['ui'] },
  ],
  links: [[1, 1, 0, 2, 0, 'IMAGE']],
};

interface Setup {
  readonly legacy: ComfySimulator;
  readonly current: ComfySimulator;
  readonly mcp: McpSession;
  readonly dataDir: string;
}

async function setup(t: TestContext, stepDelayMs = 2): Promise<Setup> {
  const legacy = await ComfySimulator.start({ generation: 'legacy', stepDelayMs });
  t.after(() => legacy.stop());
  const current = await ComfySimulator.start({ stepDelayMs });
  t.after(() => current.stop());
  const dataDir = await tempDir(t);
  await writeAppSettings(dataDir, {
    servers: [
      { id: 'old', name: 'Old box', url: legacy.url },
      { id: 'new', name: 'New box', url: current.url },
    ],
    outputs: { folder: await tempDir(t, 'mcp-outputs-') },
  });
  return { legacy, current, mcp: await startMcp(t, ['--data-dir', dataDir]), dataDir };
}

function queued(sim: ComfySimulator): number {
  return sim.requestCount('/prompt') + sim.requestCount('/api/prompt');
}

test('"best" takes an idle server with every node type, else the least busy that has them; none fits: nothing queued', { timeout: 60_000 }, async (t) => {
  const { legacy, current, mcp } = await setup(t);
  const first = await mcp.ok('submit_workflow', { workflow: simple });
  assert.equal(first.server_id, 'old', 'both idle: the first in the settings');
  assert.equal(first.origin, 'api-prompt');
  assert.equal((first.prompt_ids as string[]).length, 1);
  assert.match(String(first.chosen_because), /idle and has every node type/);

  // The old box is busy (another client's job holds it): an idle one is better.
  legacy.hold();
  legacy.enqueue(simple, { clientId: 'browser' });
  const second = await mcp.ok('submit_workflow', { workflow: simple });
  assert.equal(second.server_id, 'new');

  // A node type only the new box has: chosen while it is busy and the old one is idle.
  legacy.release();
  current.hold();
  const held = current.enqueue(simple, { clientId: 'browser' });
  await nextNodeEvent(legacy.events, 'finished');
  const third = await mcp.ok('submit_workflow', { workflow: needsCurrent });
  assert.equal(third.server_id, 'new');
  assert.match(String(third.chosen_because), /least busy/);
  current.release();
  void held;

  const before = queued(legacy) + queued(current);
  const none = await mcp.fails('submit_workflow', {
    workflow: { '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'missing.safetensors' }, _meta: { title: 'Model' } } },
  });
  assert.equal(none.code, 'SUBMIT_NO_SERVER_FITS');
  assert.deepEqual(
    none.problems.map((p) => [p.nodeId, p.input]),
    [
      ['1', 'ckpt_name'],
      ['1', 'ckpt_name'],
    ],
  );
  assert.ok(none.problems.some((p) => String(p.message).startsWith('Old box: ')));
  assert.ok(none.problems.some((p) => String(p.message).startsWith('New box: ')));
  assert.equal(queued(legacy) + queued(current), before, 'nothing queued');
});

test('a named server: preflight refuses before queuing, force lets the server refuse per node; files and editor workflows', { timeout: 60_000 }, async (t) => {
  const { current, mcp, dataDir } = await setup(t);
  const photo = {
    '1': { class_type: 'LoadImage', inputs: { image: 'nowhere.png' }, _meta: { title: 'Photo' } },
    '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'x' } },
  };
  const refused = await mcp.fails('submit_workflow', { workflow: photo, server: 'New box' });
  assert.equal(refused.code, 'SUBMIT_PREFLIGHT_FAILED');
  assert.deepEqual(refused.problems.map((p) => [p.nodeId, p.title, p.input]), [['1', 'Photo', 'image']]);
  assert.match(refused.text, /node "Photo" \(#1\), input "image": the server has no input file "nowhere.png"/);
  assert.equal(queued(current), 0);

  const rejected = await mcp.fails('submit_workflow', { workflow: photo, server: 'new', force: true });
  assert.equal(rejected.code, 'SUBMIT_REJECTED');
  assert.deepEqual(rejected.problems.map((p) => [p.nodeId, p.input]), [['1', 'image']]);
  assert.deepEqual(rejected.details, { server_id: 'new', prompt_ids: [] });

  const file = join(dataDir, 'api.json');
  await writeFile(file, JSON.stringify(simple));
  const fromFile = await mcp.ok('submit_workflow', { workflow_path: file, server: current.url, repeat: 2 });
  assert.equal((fromFile.prompt_ids as string[]).length, 2);

  const converted = await mcp.ok('submit_workflow', { workflow: editorWorkflow, server: 'new' });
  assert.equal(converted.origin, 'converted');

  for (const [args, code] of [
    [{ workflow_path: join(dataDir, 'missing.json'), server: 'new' }, 'ARGUMENT_INVALID'],
    [{ workflow_path: file, workflow: simple }, 'ARGUMENT_INVALID'],
    [{}, 'ARGUMENT_INVALID'],
    [{ workflow: { hello: 'world' }, server: 'new' }, 'SUBMIT_NOT_A_WORKFLOW'],
    [{ workflow: simple, server: 'elsewhere' }, 'SERVER_UNKNOWN'],
    [{ workflow: simple, repeat: 0 }, 'ARGUMENT_INVALID'],
  ] as const) {
    assert.equal((await mcp.fails('submit_workflow', args)).code, code, JSON.stringify(args));
  }
});

test('wait follows the job to its end with progress notifications; meanwhile get_job_status shows it running', { timeout: 60_000 }, async (t) => {
  const { current, mcp } = await setup(t, 20);
  const progress: Progress[] = [];
  let seenRunning!: () => void;
  const running = new Promise<void>((resolve) => (seenRunning = resolve));
  const waited = mcp.ok(
    'submit_workflow',
    { workflow: { '1': { class_type: 'SimSteps', inputs: { steps: 12 }, _meta: { title: 'Slow steps' } } }, server: 'new', wait: true },
    {
      onprogress: (update) => {
        progress.push(update);
        if (/running: Slow steps \d+\/12/.test(update.message ?? '')) seenRunning();
      },
    },
  );
  await running;
  current.hold();
  const [job] = (await mcp.ok('list_jobs', { status: ['running'], server: 'new' })).jobs as Answer[];
  const status = await mcp.ok('get_job_status', { prompt_id: String(job?.prompt_id) });
  assert.equal(status.status, 'running');
  const shown = (status.job as Answer).progress as Answer;
  assert.equal(shown.node_id, '1');
  assert.equal(shown.node_title, 'Slow steps');
  assert.equal(shown.max, 12);
  assert.ok(typeof shown.value === 'number' && shown.value >= 1);
  current.release();

  const answer = await waited;
  assert.equal(answer.timed_out, false);
  const [finished] = answer.jobs as Answer[];
  assert.equal(finished?.status, 'completed');
  assert.equal(finished?.submitted_by, 'comfy-tray');
  assert.equal(finished?.prompt_id, job?.prompt_id);
  assert.ok(progress.length >= 2);
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.progress > progress[i - 1]!.progress, 'progress only grows');
  // The last notification (100 of 100) went out before the answer (see McpSession.wire for why not through onprogress).
  const wire = mcp.wire();
  const notifications = wire.map((message) => ProgressNotificationSchema.safeParse(message));
  const last = notifications.findLastIndex((parsed) => parsed.success);
  const sent = notifications[last]?.data?.params;
  assert.deepEqual([sent?.progress, sent?.total], [100, 100]);
  const answered = wire.findIndex((message) => 'id' in message && 'result' in message && message.id === sent?.progressToken);
  assert.ok(answered > last, 'the answer came after the last progress notification');
});

test('wait gives up after timeout_seconds with the job as it stands (it keeps running)', { timeout: 60_000 }, async (t) => {
  const { current, mcp } = await setup(t);
  current.hold();
  current.enqueue(simple, { clientId: 'browser' });
  const answer = await mcp.ok('submit_workflow', { workflow: simple, server: 'new', wait: true, timeout_seconds: 1 });
  assert.equal(answer.timed_out, true);
  const [job] = answer.jobs as Answer[];
  assert.equal(job?.status, 'queued');
  current.release();
});
