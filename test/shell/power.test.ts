// Wake from sleep: the engine checks its sockets at once and tells what finished meanwhile in one digest.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { networkChangeDetector, wirePowerEvents } from '../../electron/shell/power.js';
import { ComfySimulator } from '../support/comfy-simulator.js';
import { engineFor, serverConnected } from '../support/connect.js';
import { nextEvent, record } from '../support/events.js';

const PROMPT = (color: number) => ({
  '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color } },
  '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'sleep' } },
});

test('resume after sleep: the half-open socket is replaced at once and the jobs that ended come as one digest', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  // Production-like liveness timers: without the resume event nothing would notice for a long time.
  const engine = await engineFor(t, [sim.url], { timings: { pingIntervalMs: 60_000, probeIntervalMs: 60_000 } });
  const power = new EventEmitter();
  wirePowerEvents(power, engine);
  const rec = record(engine.events);
  await serverConnected(engine);
  await engine.settled();

  // The machine sleeps: our socket goes silent while the server keeps working.
  sim.freezeSockets();
  const ids = [sim.enqueue(PROMPT(1), { clientId: 'browser' }).promptId, sim.enqueue(PROMPT(2), { clientId: 'browser' }).promptId];
  await Promise.all(ids.map((id) => new Promise<void>((resolve) => sim.events.on('finished', (e: { promptId: string }) => e.promptId === id && resolve()))));
  assert.equal(rec.finished.length, 0, 'nothing heard while asleep');

  const digest = nextEvent(engine.events, 'digest');
  power.emit('resume');
  const summary = await digest;
  await engine.settled();
  assert.deepEqual(summary.jobs.map((j) => j.id).sort(), [...ids].sort());
  assert.equal(rec.digests.length, 1, 'one digest');
  assert.deepEqual(rec.finishedIds().sort(), [...ids].sort());
  assert.ok(rec.finished.every((job) => job.caughtUp));
});

test('a change of network addresses asks for a reconnect, once per change; no change, no call', () => {
  let addresses = 'eth0:10.0.0.2';
  let changes = 0;
  const detector = networkChangeDetector(() => changes++, () => addresses);
  detector.check();
  assert.equal(changes, 0);
  addresses = 'wlan0:192.168.1.5';
  detector.check();
  detector.check();
  assert.equal(changes, 1);
  addresses = 'wlan0:192.168.1.5,tun0:10.8.0.2';
  detector.check();
  assert.equal(changes, 2);
});
