// Server health at a glance: /system_stats read into each server's view only while asked to (the window visible),
// a running job's steps per second, and a server restart that cost queued jobs said on the server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deviceName, healthFromSystemStats } from '../../electron/core/comfy/system-stats.js';
import { nextStepRate } from '../../electron/core/jobs/step-rate.js';
import { ComfySimulator } from '../support/comfy-simulator.js';
import { engineFor, serverConnected } from '../support/connect.js';
import { nextEvent } from '../support/events.js';
import { httpTranscript } from '../support/recorded.js';
import { seededPrompt, simEvent } from '../support/steering.js';

const GPU = { name: 'cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync', type: 'cuda', index: 0, vram_total: 25_757_220_864, vram_free: 14_757_220_864, torch_vram_total: 0, torch_vram_free: 0 };

test('system stats as recorded from real servers, and a GPU: device, memory used and total', () => {
  for (const version of ['0.28.0', '0.3.54'] as const) {
    const body = httpTranscript(version, '15_endpoints').find((line) => line.path.endsWith('system_stats'))?.body;
    const health = healthFromSystemStats(body, 1);
    assert.equal(health.device, 'CPU');
    assert.equal(health.deviceType, 'cpu');
    assert.equal(health.ramTotal, 25274793984);
    assert.ok(health.ramUsed !== undefined && health.ramUsed > 0 && health.ramUsed < health.ramTotal!);
  }
  assert.deepEqual(healthFromSystemStats({ system: { ram_total: 100, ram_free: 40 }, devices: [GPU] }, 7), {
    device: 'NVIDIA GeForce RTX 4090',
    deviceType: 'cuda',
    vramUsed: 11_000_000_000,
    vramTotal: 25_757_220_864,
    ramUsed: 60,
    ramTotal: 100,
    at: 7,
  });
  assert.deepEqual(healthFromSystemStats('not json at all', 3), { at: 3 });
  assert.equal(deviceName('mps', 'mps'), 'mps');
  assert.equal(deviceName('xpu:0 Intel(R) Arc(TM) A770 Graphics : native', 'xpu'), 'Intel(R) Arc(TM) A770 Graphics');
});

test('health is read only while watched, into the server view', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  sim.setSystem({ devices: [GPU] });
  const engine = await engineFor(t, [sim.url]);
  await serverConnected(engine);
  await engine.settled();
  const reads = (): number => sim.requestCount('/api/system_stats') + sim.requestCount('/system_stats');
  const before = reads();
  const seen = nextEvent(engine.events, 'server', (server) => server.health?.device === 'NVIDIA GeForce RTX 4090');
  engine.watchHealth(true, 50);
  const server = await seen;
  assert.equal(server.health?.vramUsed, 11_000_000_000);
  assert.equal(server.health?.vramTotal, 25_757_220_864);
  await nextEvent(engine.events, 'server', () => reads() >= before + 2);
  engine.watchHealth(false);
  const stopped = reads();
  // Whatever the timer would have done next is now never done: a later explicit poll is the only read.
  await engine.pollHealth();
  assert.equal(reads(), stopped + 1);
  assert.equal(engine.servers()[0]?.health?.device, 'NVIDIA GeForce RTX 4090', 'the last figures stay shown');
});

test('steps per second: smoothed over the progress messages of one node; a new node starts over', () => {
  let rate = nextStepRate(undefined, '3', 1, 1_000);
  assert.equal(rate.perSecond, undefined);
  rate = nextStepRate(rate, '3', 3, 2_000);
  assert.equal(rate.perSecond, 2);
  rate = nextStepRate(rate, '3', 7, 3_000);
  assert.equal(rate.perSecond, 2 * 0.7 + 4 * 0.3);
  assert.equal(nextStepRate(rate, '3', 7, 3_500), rate, 'a repeated message changes nothing');
  assert.equal(nextStepRate(rate, '5', 1, 4_000).perSecond, undefined);
  assert.equal(nextStepRate(rate, '3', 2, 4_000).perSecond, undefined, 'a counter that went back starts over');
});

test('a running job reports its steps per second', async (t) => {
  const sim = await ComfySimulator.start({ stepDelayMs: 20 });
  t.after(() => sim.stop());
  const engine = await engineFor(t, [sim.url]);
  await serverConnected(engine);
  const { promptId } = await engine.submit('s0', { prompt: seededPrompt('rate', 30) });
  const job = await nextEvent(engine.events, 'job', (view) => view.id === promptId && (view.progress?.stepsPerSecond ?? 0) > 0, 20_000);
  // 20 ms a step is at most 50 a second (a loaded machine is slower, never faster).
  assert.ok(job.progress!.stepsPerSecond! > 1 && job.progress!.stepsPerSecond! <= 60, String(job.progress!.stepsPerSecond));
});

test('a server that restarted with jobs queued says how many were lost', async (t) => {
  const sim = await ComfySimulator.start({ stepDelayMs: 20 });
  t.after(() => sim.stop());
  const engine = await engineFor(t, [sim.url]);
  await serverConnected(engine);
  const { promptId: first } = sim.enqueue(seededPrompt('done', 1), { clientId: 'browser' });
  await nextEvent(engine.events, 'job-finished', (job) => job.id === first, 20_000);
  const { promptId: running } = sim.enqueue(seededPrompt('long', 200), { clientId: 'browser' });
  await simEvent(sim, 'started', running);
  sim.enqueue(seededPrompt('waiting-a'), { clientId: 'browser' });
  sim.enqueue(seededPrompt('waiting-b'), { clientId: 'browser' });
  await engine.settled();
  const said = nextEvent(engine.events, 'server', (server) => server.restarted !== undefined, 20_000);
  await sim.restart();
  const server = await said;
  assert.equal(server.restarted?.lostJobs, 3);
  assert.ok(Math.abs(server.restarted!.at - Date.now()) < 60_000);
});
