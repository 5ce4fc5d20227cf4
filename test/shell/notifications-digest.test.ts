// Waking up with three servers: the resume and the unlock that follows each make every server catch up and send its
// own digest. The user gets one "while you were away" for all of them (issue 4: "power resume triggers reconnect
// and a single digest"). Regression: one notification per server.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import type { NotificationContent } from '../../electron/core/notify/notification-model.js';
import { NotificationPlanner } from '../../electron/core/notify/notification-planner.js';
import { settingsSchema } from '../../electron/core/store/settings-schema.js';
import { wirePowerEvents } from '../../electron/shell/power.js';
import { ComfySimulator } from '../support/comfy-simulator.js';
import { engineFor, serverConnected } from '../support/connect.js';
import { nextNodeEvent } from '../support/events.js';
import { ManualClock } from '../core/notify/manual-clock.js';

const PROMPT = (color: number) => ({
  '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color } },
  '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'away' } },
});

test('resume then unlock with three servers: one "while you were away" for all of them', async (t) => {
  const sims = await Promise.all([0, 1, 2].map(() => ComfySimulator.start()));
  t.after(() => Promise.all(sims.map((sim) => sim.stop())));
  const engine = await engineFor(
    t,
    sims.map((sim) => sim.url),
    { timings: { pingIntervalMs: 60_000, probeIntervalMs: 60_000 } },
  );
  // Wired as the app wires it: live endings one by one, catch-ups as digests.
  const clock = new ManualClock();
  const shown: NotificationContent[] = [];
  const settings = settingsSchema.parse({});
  const serverName = (id: string): string => engine.servers().find((server) => server.id === id)?.name ?? id;
  const planner = new NotificationPlanner(() => ({ settings, serverName }), (content) => shown.push(content), clock);
  let heardLive = 0;
  engine.events.on('job-finished', (job) => {
    if (job.caughtUp) return;
    heardLive++;
    planner.finished(job);
  });
  const digested = new Set<string>();
  engine.events.on('digest', ({ serverId, jobs }) => {
    digested.add(serverId);
    planner.digest(jobs);
  });
  const power = new EventEmitter();
  wirePowerEvents(power, engine);
  await Promise.all(['s0', 's1', 's2'].map((id) => serverConnected(engine, id)));
  await engine.settled();

  // The machine sleeps while every server finishes work: 3 jobs on the first, 2 on the second, 1 on the third.
  for (const sim of sims) sim.freezeSockets();
  await Promise.all(
    sims.map(async (sim, i) => {
      const ids = Array.from({ length: 3 - i }, (_, k) => sim.enqueue(PROMPT(10 * i + k), { clientId: 'browser' }).promptId);
      await Promise.all(ids.map((id) => nextNodeEvent<{ promptId: string }>(sim.events, 'finished', (e) => e.promptId === id)));
    }),
  );
  assert.equal(heardLive, 0, 'nothing heard while asleep');

  // Every server catches up on the resume (the unlock right after finds the same state again).
  const allDigested = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for the digests; got them from ${[...digested].join(', ') || 'no server'}`));
    }, 10_000);
    const check = (): void => {
      if (digested.size < 3) return;
      clearTimeout(timer);
      off();
      resolve();
    };
    const off = engine.events.on('digest', check);
    check();
  });
  power.emit('resume');
  await allDigested;
  power.emit('unlock-screen');
  await engine.settled();
  assert.equal(shown.length, 0, 'the digests are collected first');

  clock.advance(1_000);
  assert.equal(shown.length, 1, shown.map((x) => `${x.title}: ${x.body}`).join(' | '));
  assert.equal(shown[0]!.title, 'While you were away');
  const parts = shown[0]!.body.split(', ').sort();
  assert.deepEqual(parts, ['1 done on server 2', '2 done on server 1', '3 done on server 0']);
});
