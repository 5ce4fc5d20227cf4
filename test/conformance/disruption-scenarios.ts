// What real servers do to a client that no simulator fakes convincingly: die mid-job and come back empty, or hang
// with the socket still open.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextEvent } from '../support/events.js';
import { OtherClient } from './support/other-client.js';
import type { RealComfyUI } from './support/real-comfyui.js';
import { realEngine } from './support/real-engine.js';
import { slowPrompt } from './support/workflows.js';

export function disruptionScenarios(server: () => RealComfyUI): void {
  test('a hung server (SIGSTOP) is noticed, and so is its recovery (SIGCONT)', async (t) => {
    const real = await realEngine(t, server().url);
    await real.connected();
    t.after(() => server().thaw());
    server().freeze();
    const lost = await nextEvent(real.engine.events, 'server', (s) => s.state !== 'connected', 30_000);
    assert.match(lost.state, /reconnecting|offline/);
    server().thaw();
    const back = await nextEvent(real.engine.events, 'server', (s) => s.state === 'connected', 60_000);
    assert.equal(back.version, server().version);
  });

  test('a server killed mid-job and restarted: the job is lost, once', async (t) => {
    const real = await realEngine(t, server().url);
    await real.connected();
    const other = await OtherClient.connect(server().url, { withSocket: true });
    const id = await other.submit(slowPrompt(10));
    await other.untilRunning(id);
    await real.jobReached(id, (job) => job.status === 'running');
    await other.close();
    await server().kill();
    await nextEvent(real.engine.events, 'server', (s) => s.state !== 'connected', 30_000);
    await server().restart();
    const finished = await real.finished(id, 120_000);
    assert.equal(finished.status, 'lost');
    assert.equal(finished.lostReason, 'server-restarted');
    await real.engine.settled();
    assert.equal(real.recorder.finished.filter((job) => job.id === id).length, 1, 'lost exactly once');
  });
}
