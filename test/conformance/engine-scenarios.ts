// The engine against a real server: jobs of other clients (with and without a client id) are seen, finish once and
// are saved byte for byte; failures, interrupts and deleted jobs end as the server says; what finished while nothing
// watched is caught up once.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { tempDir } from '../support/events.js';
import { OtherClient } from './support/other-client.js';
import type { RealComfyUI } from './support/real-comfyui.js';
import { realEngine, savedFiles } from './support/real-engine.js';
import { batchPrompt, failingPrompt, quickPrompt, slowPrompt } from './support/workflows.js';

export function engineScenarios(server: () => RealComfyUI): void {
  for (const withSocket of [true, false]) {
    test(`a job queued by another client ${withSocket ? 'with' : 'without'} a client id is seen, finishes once, and its outputs are saved byte for byte`, async (t) => {
      const real = await realEngine(t, server().url);
      await real.connected();
      const other = await OtherClient.connect(server().url, { withSocket });
      t.after(() => other.close());
      const id = await other.submit(batchPrompt(withSocket ? 'with-id' : 'without-id'));
      const finished = await real.finished(id);
      assert.equal(finished.status, 'completed');
      assert.equal(finished.submittedBy, 'other');
      assert.equal(finished.outputs.length, 2);
      const files = await savedFiles(real, id);
      assert.equal(files.length, 2);
      for (const output of finished.outputs) {
        const file = files.find((f) => f.filename === output.filename);
        assert.ok(file, `${output.filename} saved`);
        assert.deepEqual(await readFile(file.path), await other.view(output), `${output.filename} is byte-identical`);
      }
      await real.engine.settled();
      assert.equal(real.recorder.finished.filter((job) => job.id === id).length, 1, 'finished exactly once');
    });
  }

  test('a failing job is reported failed with the node, the exception and its message', async (t) => {
    const real = await realEngine(t, server().url);
    await real.connected();
    const other = await OtherClient.connect(server().url, { withSocket: true });
    t.after(() => other.close());
    const id = await other.submit(failingPrompt());
    const finished = await real.finished(id);
    assert.equal(finished.status, 'failed');
    assert.equal(finished.error?.nodeId, '2');
    assert.equal(finished.error?.nodeType, 'SaveImage');
    assert.match(finished.error?.message ?? '', /outside/i);
    assert.ok((finished.error?.traceback.length ?? 0) > 0, 'the traceback is kept');
  });

  test('an interrupted running job and a deleted pending job of another client both end cancelled', async (t) => {
    const real = await realEngine(t, server().url);
    await real.connected();
    const other = await OtherClient.connect(server().url, { withSocket: true });
    t.after(() => other.close());
    const running = await other.submit(slowPrompt(8));
    const pending = await other.submit(quickPrompt('deleted'));
    await other.untilRunning(running);
    // The app must have seen the pending job before it goes, or it never existed for the app.
    await real.engine.settled();
    await other.deletePending([pending]);
    await other.interrupt(running);
    const [interrupted, deleted] = await Promise.all([real.finished(running), real.finished(pending)]);
    assert.equal(interrupted.status, 'cancelled');
    assert.equal(deleted.status, 'cancelled');
  });

  test('a job that finished while nothing watched is caught up once, and saved', async (t) => {
    const dataDir = await tempDir(t, 'real-away-');
    const outputDir = await tempDir(t, 'real-away-out-');
    const first = await realEngine(t, server().url, { dataDir, outputDir });
    await first.connected();
    await first.engine.settled();
    await first.stop();

    const other = await OtherClient.connect(server().url, { withSocket: true });
    t.after(() => other.close());
    const id = await other.submit(quickPrompt('away'));
    await other.terminal(id);

    const second = await realEngine(t, server().url, { dataDir, outputDir });
    const finished = await second.finished(id);
    assert.equal(finished.status, 'completed');
    assert.equal(finished.caughtUp, true);
    assert.equal((await savedFiles(second, id)).length, 1);
    await second.engine.settled();
    assert.equal(second.recorder.digests.flatMap((d) => d.jobs).filter((job) => job.id === id).length, 1, 'in one digest');
    await second.stop();

    const third = await realEngine(t, server().url, { dataDir, outputDir });
    await third.connected();
    await third.engine.settled();
    assert.deepEqual(third.recorder.finishedIds(), [], 'nothing is announced again');
  });
}
