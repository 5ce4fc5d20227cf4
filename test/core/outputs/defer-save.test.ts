// Marking jobs as to be saved by a later run: the same mark the output saver makes when it accepts a job, only for
// jobs the saver would save, and never over a save already under way.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Emitter } from '../../../electron/core/emitter.js';
import { Journal } from '../../../electron/core/jobs/journal.js';
import { deferSaving } from '../../../electron/core/outputs/defer-save.js';
import { parseSavedStage, SAVED_STAGE } from '../../../electron/core/outputs/saved-stage.js';
import type { JobView, TerminalJobStatus } from '../../../electron/shared/app-state.js';
import { tempDir } from '../../support/events.js';

const ref = { nodeId: '9', kind: 'images', index: 0, filename: 'a.png', subfolder: '', type: 'output' };

function finished(serverId: string, id: string, status: TerminalJobStatus, outputs = [ref]): JobView & { status: TerminalJobStatus } {
  return { serverId, id, status, submittedBy: 'other', outputs };
}

test('finished jobs with outputs on a saving server are marked pending; others, and saves under way, are left alone', async (t) => {
  const path = join(await tempDir(t), 'journal.json');
  const { journal } = await Journal.open(path);
  const events = new Emitter<{ 'job-finished': JobView }>();
  const off = deferSaving(events, journal, (serverId) => serverId === 'saves');
  const jobs = [
    finished('saves', 'completed', 'completed'),
    finished('saves', 'failed', 'failed'),
    finished('saves', 'cancelled', 'cancelled'),
    finished('saves', 'lost', 'lost'),
    finished('saves', 'no-outputs', 'completed', []),
    finished('saves', 'already', 'completed'),
    finished('other', 'elsewhere', 'completed'),
  ];
  for (const job of jobs) await journal.recordFinished(job.serverId, job);
  const underWay = { state: 'failed', files: {}, publishing: {}, error: { code: 'OUTPUT_DISK_FULL', reason: 'full' } };
  await journal.markHandled('saves', 'already', SAVED_STAGE, underWay);
  for (const job of jobs) events.emit('job-finished', job);
  // A job finishing after the unsubscribe is not marked.
  off();
  const late = finished('saves', 'late', 'completed');
  await journal.recordFinished('saves', late);
  events.emit('job-finished', late);
  await journal.flush();

  const { journal: reread } = await Journal.open(path);
  const state = (serverId: string, id: string): string | undefined => parseSavedStage(reread.finishedRecord(serverId, id)?.handled[SAVED_STAGE])?.state;
  assert.deepEqual(
    jobs.map((job) => [job.id, state(job.serverId, job.id)]),
    [
      ['completed', 'pending'],
      ['failed', 'pending'],
      ['cancelled', undefined],
      ['lost', undefined],
      ['no-outputs', undefined],
      ['already', 'failed'],
      ['elsewhere', undefined],
    ],
  );
  assert.equal(state('saves', 'late'), undefined);
  assert.deepEqual(parseSavedStage(reread.finishedRecord('saves', 'already')?.handled[SAVED_STAGE])?.error, underWay.error);
});
