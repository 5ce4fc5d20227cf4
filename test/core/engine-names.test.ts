// Other clients' queued jobs get a name and node titles while they wait, also where the server's job list carries no
// prompt (the jobs API): the engine reads them from the queue once per job.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ComfySimulator, type SimGeneration } from '../support/comfy-simulator.js';
import { engineFor, serverConnected } from '../support/connect.js';
import { nextEvent } from '../support/events.js';
import { seededPrompt, simEvent } from '../support/steering.js';

for (const generation of ['modern', 'legacy'] as SimGeneration[]) {
  test(`${generation}: a browser's pending and running jobs are named after their output, not their id`, async (t) => {
    const sim = await ComfySimulator.start({ generation, stepDelayMs: 5 });
    t.after(() => sim.stop());
    const engine = await engineFor(t, [sim.url]);
    await serverConnected(engine);
    const { promptId: running } = sim.enqueue(seededPrompt('first', 40), { clientId: 'browser' });
    await simEvent(sim, 'started', running);
    sim.hold();
    const { promptId: waiting } = sim.enqueue(seededPrompt('portrait'), { clientId: 'browser' });
    const named = await nextEvent(engine.events, 'job', (job) => job.id === waiting && job.workflowName !== undefined);
    assert.equal(named.workflowName, 'portrait');
    assert.equal(named.status, 'pending');
    await engine.settled();
    assert.equal(engine.job('s0', running)?.workflowName, 'first');
    const reads = sim.requestCount('/api/queue') + sim.requestCount('/queue');
    sim.broadcastStatus();
    await engine.settled();
    if (generation === 'modern') assert.equal(sim.requestCount('/api/queue') + sim.requestCount('/queue'), reads, 'named once: the queue is not read again');
    sim.release();
  });
}
