// A job's outputs are accepted for saving in the journal line that records the job finished: a crash right after the
// job was recorded (and announced) still has its outputs saved at the next start, with no separate write between.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { JOURNAL_FILE } from '../../../electron/core/jobs/journal.js';
import { SAVED_STAGE } from '../../../electron/core/outputs/saved-stage.js';
import { output } from '../../support/fake-backend.js';
import { connectedEngine, engineOn } from '../../support/fake-engine.js';
import { nextEvent, tempDir } from '../../support/events.js';

test('regression: a crash right after a job is recorded finished still has its outputs saved at the next start', async (t) => {
  const [dataDir, crashedDir, folder, laterFolder] = [await tempDir(t), await tempDir(t), await tempDir(t), await tempDir(t)];
  const outputs = { template: '{filename}', attempts: 1, retryDelayMs: 1 };
  const { backend, engine } = await connectedEngine(t, { dataDir, outputs: { ...outputs, folder } });
  const id = randomUUID();
  // The disk as a kill would leave it the moment the job is announced: its record is on disk, nothing after it.
  const announced = nextEvent(engine.events, 'job-finished', (job) => {
    if (job.id !== id) return false;
    copyFileSync(join(dataDir, JOURNAL_FILE), join(crashedDir, JOURNAL_FILE));
    return true;
  });
  backend.complete(id, { outputs: [output('9', 'after-crash.png')] });
  backend.status(0);
  await announced;
  const last = (await readFile(join(crashedDir, JOURNAL_FILE), 'utf8')).trim().split('\n').at(-1)!;
  assert.equal((JSON.parse(last) as { job: { handled: Record<string, { state: string }> } }).job.handled[SAVED_STAGE]?.state, 'pending', 'accepted in the same line');

  await engine.stop();

  const restarted = await engineOn(crashedDir, backend, { outputs: { ...outputs, folder: laterFolder } });
  t.after(() => restarted.stop());
  const saved = nextEvent(restarted.events, 'saved', (e) => e.jobId === id);
  backend.connect('client-2');
  await saved;
  assert.deepEqual(await readdir(laterFolder), ['after-crash.png']);
});
