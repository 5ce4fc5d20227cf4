// The journal's bound against saving: trimming it to the newest finished jobs must not forget a job whose outputs
// are still to be saved, or that work would silently never happen.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { output } from '../support/fake-backend.js';
import { connectedEngine } from '../support/fake-engine.js';
import { nextEvent, tempDir } from '../support/events.js';

test('regression: a job whose outputs are still to be saved survives the journal trimming, and is saved later', async (t) => {
  const dataDir = await tempDir(t);
  // The output folder is missing (an unplugged drive): saving fails and stays pending.
  const folder = join(dataDir, 'outputs');
  const { backend, engine } = await connectedEngine(t, {
    dataDir,
    maxJobsPerServer: 3,
    // Only a reconnect retries here, not a timer.
    outputs: { folder, template: '{filename}', attempts: 1, retryDelayMs: 1, retryLaterMs: 60_000, retryMaxMs: 60_000 },
  });

  const waiting = randomUUID();
  backend.complete(waiting, { outputs: [output('9', 'keep-me.png')] });
  const failed = nextEvent(engine.events, 'save-failed', (e) => e.jobId === waiting);
  backend.status(0);
  assert.equal((await failed).code, 'OUTPUT_FOLDER_MISSING');

  // Five more jobs finish, none with outputs: the journal holds three.
  for (let i = 0; i < 5; i++) {
    backend.complete(randomUUID());
    backend.status(0);
    await engine.settled();
  }
  assert.equal(engine.journal.finishedJobs(backend.serverId).length, 4, 'the bound, and the job still to save on top');
  assert.equal(engine.outputs?.saveState(backend.serverId, waiting)?.state, 'failed');

  await mkdir(folder);
  const saved = nextEvent(engine.events, 'saved', (e) => e.jobId === waiting);
  backend.connect('client-2');
  await saved;
  assert.deepEqual(await readdir(folder), ['keep-me.png']);
});

test('a job whose files are gone from the server: its view says saving gave up, and the journal may then forget it', async (t) => {
  const dataDir = await tempDir(t);
  await mkdir(join(dataDir, 'outputs'));
  const { backend, engine } = await connectedEngine(t, {
    dataDir,
    maxJobsPerServer: 2,
    // Three passes alone give a file up here (in the app, hours must also have passed since the first 404).
    outputs: { folder: join(dataDir, 'outputs'), template: '{filename}', giveUpAfterMs: 0, attempts: 1, retryDelayMs: 1, retryLaterMs: 60_000, retryMaxMs: 60_000 },
  });

  const gone = randomUUID();
  backend.missingFiles.add('deleted.png');
  backend.complete(gone, { outputs: [output('9', 'deleted.png')] });
  const failed = nextEvent(engine.events, 'save-failed', (e) => e.jobId === gone);
  backend.status(0);
  assert.equal((await failed).code, 'OUTPUT_NOT_FOUND');
  assert.equal(engine.job(backend.serverId, gone)?.save?.gaveUp, undefined, 'one 404 is not the end yet');
  // Each reconnect is another pass; the view changes to "given up" after the last one.
  const gaveUp = nextEvent(engine.events, 'job', (view) => view.id === gone && view.save?.gaveUp === true);
  for (let pass = 2; engine.job(backend.serverId, gone)?.save?.gaveUp !== true && pass < 10; pass++) {
    backend.connect(`client-${pass}`);
    await engine.settled();
    await engine.outputs?.settled();
  }
  await gaveUp;
  assert.equal(engine.job(backend.serverId, gone)?.save?.state, 'failed');

  // Given up is finished: two more jobs push it out of a journal bounded to two.
  for (let i = 0; i < 2; i++) {
    backend.complete(randomUUID());
    backend.status(0);
    await engine.settled();
  }
  assert.equal(engine.journal.finishedRecord(backend.serverId, gone), undefined);
});
