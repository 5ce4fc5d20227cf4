// A run that saves no outputs itself (the headless commands without --output-dir) still shares the app's journal, and
// a job it records as finished is one the app never treats as new: without a mark, its outputs would never be saved.
// So every finished job on a server whose outputs the app saves is marked as to be saved, as the output saver marks a
// job it accepts, and as the app's; the app's saver picks up such jobs when it next connects to the server.
import type { JobView } from '../../shared/app-state.js';
import type { Journal } from '../jobs/journal.js';
import { parseSavedStage, SAVED_STAGE, type SavedStage } from './saved-stage.js';

/** What the output saver saves (output-saver.ts): a failed job keeps what its earlier nodes saved. */
const SAVED_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed']);

/** The engine's events, as far as this needs them. */
export interface FinishedJobs {
  on(event: 'job-finished', listener: (job: JobView) => void): () => void;
}

/**
 * From now on, marks each finished job with outputs on a server `savesOutputs` approves as to be saved (unless saving
 * it started already). The mark is made when the job is announced, after its record is on disk; the journal's next
 * write (at the latest the engine's final flush when it stops) keeps it. Returns the unsubscribe.
 */
export function deferSaving(events: FinishedJobs, journal: Journal, savesOutputs: (serverId: string) => boolean): () => void {
  return events.on('job-finished', (job) => {
    if (!SAVED_STATUSES.has(job.status) || job.outputs.length === 0 || !savesOutputs(job.serverId)) return;
    const record = journal.finishedRecord(job.serverId, job.id);
    if (!record || parseSavedStage(record.handled[SAVED_STAGE]) !== undefined) return;
    // The fields left out take their defaults when the saver reads the stage. A failed write is reported by the
    // engine's final flush, which writes the same state again. The app's: a headless run saving into a folder of its
    // own must leave this job to the app.
    const stage: Pick<SavedStage, 'state' | 'files' | 'owner'> = { state: 'pending', files: {}, owner: 'app' };
    journal.markHandled(job.serverId, job.id, SAVED_STAGE, stage).catch(() => undefined);
  });
}
