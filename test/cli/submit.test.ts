// `submit` and `convert` as a user runs them: a real process against the simulator, JSON lines on stdout, findings
// on stderr, exit codes that scripts can branch on.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ComfySimulator } from '../support/comfy-simulator.js';
import { tempDir } from '../support/events.js';

const ENTRY = ['--import', 'tsx', 'electron/headless.ts'];

async function run(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...ENTRY, ...args], { stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { code, stdout, stderr };
}

function lines(text: string): Record<string, unknown>[] {
  return text.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

test('submit --wait --repeat 2 prints both ids, follows them to the end and exits 0; a failing job exits 1', { timeout: 30_000 }, async (t) => {
  const sim = await ComfySimulator.start({ stepDelayMs: 1 });
  t.after(() => sim.stop());
  const dir = await tempDir(t);
  const file = join(dir, 'api.json');
  await writeFile(file, JSON.stringify({
    '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 1 } },
    '2': { class_type: 'SimSteps', inputs: { steps: 2, image: ['1', 0] } },
  }));
  const ok = await run(['submit', file, '--server', sim.url, '--data-dir', dir, '--wait', '--repeat', '2']);
  assert.equal(ok.code, 0, ok.stderr);
  const out = lines(ok.stdout);
  const submitted = out.filter((l) => l.event === 'submitted');
  assert.deepEqual(submitted.map((l) => l.index), [0, 1]);
  const finals = out.filter((l) => l.event === 'job' && l.final === true);
  assert.deepEqual(finals.map((l) => l.id).sort(), submitted.map((l) => l.id).sort());
  assert.ok(finals.every((l) => l.status === 'completed'));

  const failing = join(dir, 'fails.json');
  await writeFile(failing, JSON.stringify({ '1': { class_type: 'SimRaise', inputs: { message: 'boom' } } }));
  const bad = await run(['submit', failing, '--server', sim.url, '--data-dir', dir, '--wait']);
  assert.equal(bad.code, 1);
  const final = lines(bad.stdout).find((l) => l.final === true);
  assert.equal(final?.status, 'failed');
});

test('submit refuses before queuing when preflight fails, and reports a 400 per node', { timeout: 30_000 }, async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const dir = await tempDir(t);
  const file = join(dir, 'photo.json');
  await writeFile(file, JSON.stringify({
    '1': { class_type: 'LoadImage', inputs: { image: 'nowhere.png' }, _meta: { title: 'Photo' } },
    '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'x' } },
  }));
  const refused = await run(['submit', file, '--server', sim.url, '--data-dir', dir]);
  assert.equal(refused.code, 1);
  assert.equal(refused.stdout, '');
  assert.match(refused.stderr, /preflight: node "Photo" \(#1\), input "image": the server has no input file "nowhere.png"/);
  // Each finding once: the refusal that follows names the count, not the same lines again.
  assert.equal(refused.stderr.split('\n').filter((line) => line.includes('nowhere.png')).length, 1, refused.stderr);
  const forced = await run(['submit', file, '--server', sim.url, '--data-dir', dir, '--force']);
  assert.equal(forced.code, 1);
  const [rejected] = lines(forced.stdout);
  assert.equal(rejected?.event, 'rejected');
  assert.deepEqual(rejected?.problems, [{ nodeId: '1', title: 'Photo', classType: 'LoadImage', input: 'image', message: 'Custom validation failed for node: image - Invalid image file: nowhere.png' }]);
});

test('convert prints the prompt (64-bit integers exact) and findings on stderr; an unconvertible file exits 1', { timeout: 30_000 }, async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const dir = await tempDir(t);
  const ui = join(dir, 'ui.json');
  await writeFile(ui, `{"version":0.4,"nodes":[
    {"id":1,"type":"CheckpointLoaderSimple","mode":0,"title":"My model","inputs":[],"outputs":[{"name":"MODEL","type":"MODEL","links":[1]}],"widgets_values":["sd15.safetensors"]},
    {"id":2,"type":"KSampler","mode":0,"inputs":[{"name":"model","type":"MODEL","link":1}],"outputs":[],"widgets_values":[18446744073709551615,"fixed",20,8,"euler","normal",1]}
  ],"links":[[1,1,0,2,0,"MODEL"]]}`);
  const converted = await run(['convert', ui, '--server', sim.url]);
  assert.equal(converted.code, 0, converted.stderr);
  assert.match(converted.stdout, /"seed":18446744073709551615,/);
  const prompt = JSON.parse(converted.stdout) as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
  assert.equal(prompt['1']?.inputs.ckpt_name, 'sd15.safetensors');
  assert.equal(prompt['2']?.inputs.steps, 20);
  assert.deepEqual(prompt['2']?.inputs.model, ['1', 0]);
  assert.match(converted.stderr, /preflight: node "My model" \(#1\), input "ckpt_name": the server does not offer "sd15.safetensors"/);
  assert.equal(sim.requestCount('/prompt') + sim.requestCount('/api/prompt'), 0, 'nothing queued');

  const group = join(dir, 'group.json');
  await writeFile(group, JSON.stringify({ nodes: [{ id: 1, type: 'workflow>Thing', mode: 0, inputs: [], outputs: [] }], links: [], extra: { groupNodes: { Thing: {} } } }));
  const refused = await run(['convert', group, '--server', sim.url]);
  assert.equal(refused.code, 1);
  assert.equal(refused.stdout, '');
  assert.match(refused.stderr, /SUBMIT_CONVERSION_FAILED/);
  assert.match(refused.stderr, /legacy group node/);
});

// Regression: `convert /dev/zero` and `submit /dev/zero` read until memory ran out (1.6 GB and growing).
test('convert and submit refuse a file that is not a regular file, before reading it', { timeout: 30_000, skip: !existsSync('/dev/zero') && 'no /dev/zero here' }, async (t) => {
  const dir = await tempDir(t);
  for (const args of [['convert', '/dev/zero', '--server', 'http://127.0.0.1:9'], ['submit', '/dev/zero', '--server', 'http://127.0.0.1:9', '--data-dir', dir]]) {
    const refused = await run(args);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /\/dev\/zero is not a regular file.*\[CLI_USAGE\]/);
  }
});
