// A connected server whose job lists cannot be read never looks healthy: the second failed look in a row becomes a
// problem on the server's view (window, tray, CLI line), looks are retried on a timer, and the next good look clears it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectionLine } from '../../../electron/cli/json-lines.js';
import { trayModel } from '../../../electron/shell/tray-model.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { engineFor, serverConnected } from '../../support/connect.js';
import { nextEvent } from '../../support/events.js';

test('job lists that keep failing become a visible problem, retried on their own, and cleared by the next good look', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const engine = await engineFor(t, [sim.url]);
  await serverConnected(engine);
  await engine.settled();
  const problems: (string | undefined)[] = [];
  engine.events.on('server', (s) => problems.push(s.problem?.message));

  sim.failNext('/api/jobs', 500, 2, 'GET');
  const shown = nextEvent(engine.events, 'server', (s) => s.problem !== undefined);
  // One broadcast starts one look; the second failure comes from the tracker's own retry, not from another trigger.
  sim.broadcastStatus();
  const server = await shown;
  assert.equal(server.state, 'connected', 'still connected: live events still work');
  assert.equal(server.problem?.code, 'COMFY_HTTP_STATUS');
  assert.match(server.problem?.message ?? '', /^cannot list jobs: HTTP 500 from http:\/\/127\.0\.0\.1:\d+\/api\/jobs/);

  const line = connectionLine(server);
  assert.deepEqual(line.problem, { code: server.problem?.code, message: server.problem?.message });
  const tray = trayModel({ snapshot: { version: 1, servers: [server], jobs: [] }, unseenProblems: 0, now: Date.now() });
  assert.match(tray.tooltip, /: cannot list jobs, idle/);

  const cleared = await nextEvent(engine.events, 'server', (s) => s.problem === undefined, 10_000);
  assert.equal(cleared.state, 'connected');
  assert.deepEqual(problems.filter((p) => p !== undefined).length, 1, 'shown once, not once per look');
});

test('a single failed look is not a problem', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const engine = await engineFor(t, [sim.url]);
  await serverConnected(engine);
  await engine.settled();
  sim.failNext('/api/jobs', 500, 1, 'GET');
  sim.broadcastStatus();
  await engine.settled();
  // The retry after the failure is a look of its own: wait for it, then nothing was ever shown.
  const { promptId } = sim.enqueue({ '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 1 } }, '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'x' } } }, { clientId: 'other' });
  await nextEvent(engine.events, 'job-finished', (job) => job.id === promptId);
  assert.equal(engine.servers()[0]?.problem, undefined);
});
