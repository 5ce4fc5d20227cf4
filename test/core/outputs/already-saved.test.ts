// A restart must never save a file twice. After the journal is set aside as damaged, the tracker announces again the
// jobs that ended just before its first look, and the saver meets their outputs already on disk: a file with the
// same bytes under the name it would take is that output, recorded as saved, not downloaded into "name (1)".
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { JOURNAL_FILE } from '../../../electron/core/jobs/journal.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { nextEvent, tempDir } from '../../support/events.js';
import { directSaver, filesUnder, outputRef } from './support.js';

const JOB = '7d0c9a52-0000-4000-8000-0000000000d1';
const BYTES = Buffer.alloc(5000, 'j');

/** A saver saves the job's output, and then its journal is damaged (set aside at the next start). */
async function savedThenJournalDamaged(t: Parameters<typeof directSaver>[0], sim: ComfySimulator, folder: string, dataDir: string): Promise<void> {
  const first = await directSaver(t, sim.url, { dataDir, outputs: { folder, template: '{filename}' } });
  const saved = nextEvent(first.saver.events, 'saved', (e) => e.jobId === JOB);
  await first.finish(JOB, [outputRef('j1.png')]);
  await saved;
  await first.saver.stop();
  await first.journal.flush();
  const text = await readFile(join(dataDir, JOURNAL_FILE), 'utf8');
  await writeFile(join(dataDir, JOURNAL_FILE), text.replace('\n', '\n{"damaged\n'));
}

test('regression: after the journal is set aside, a job announced again is recognised on disk, not saved as "j1 (1).png"', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  sim.outputs.set('output//j1.png', BYTES);
  const [folder, dataDir] = [await tempDir(t), await tempDir(t)];
  await savedThenJournalDamaged(t, sim, folder, dataDir);

  const second = await directSaver(t, sim.url, { dataDir, outputs: { folder, template: '{filename}' } });
  assert.ok((await readdir(dataDir)).some((name) => name.startsWith(`${JOURNAL_FILE}.corrupt-`)), 'the journal was set aside');
  assert.equal(second.saver.saveState('s0', JOB), undefined, 'the new journal knows nothing of the job');
  const saved = nextEvent(second.saver.events, 'saved', (e) => e.jobId === JOB);
  await second.finish(JOB, [outputRef('j1.png')]);
  assert.deepEqual((await saved).files.map((f) => [f.path, f.size]), [[join(folder, 'j1.png'), BYTES.length]]);
  assert.deepEqual(await filesUnder(folder), ['j1.png'], 'saved once');
  assert.equal(second.saver.saveState('s0', JOB)?.state, 'done');
});

test('a file of that name with other bytes is another file: the output is saved beside it', async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  sim.outputs.set('output//j1.png', BYTES);
  const [folder, dataDir] = [await tempDir(t), await tempDir(t)];
  await savedThenJournalDamaged(t, sim, folder, dataDir);
  // The user edited the saved image in place (same size, other bytes).
  const edited = Buffer.from(BYTES);
  edited[edited.length - 1] = 0x21;
  await writeFile(join(folder, 'j1.png'), edited);

  const second = await directSaver(t, sim.url, { dataDir, outputs: { folder, template: '{filename}' } });
  const saved = nextEvent(second.saver.events, 'saved', (e) => e.jobId === JOB);
  await second.finish(JOB, [outputRef('j1.png')]);
  assert.deepEqual((await saved).files.map((f) => f.path), [join(folder, 'j1 (1).png')]);
  assert.ok((await readFile(join(folder, 'j1.png'))).equals(edited), 'their file untouched');
  assert.ok((await readFile(join(folder, 'j1 (1).png'))).equals(BYTES));
});
