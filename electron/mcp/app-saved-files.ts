// Where the app saved a job's outputs, as its journal says now. The journal has one writer (the app, or a watch), so
// it is read from a private copy made for the question, never opened in place: the app may be saving while we look.
import { stat } from 'node:fs/promises';
import { copyDataDir } from '../cli/data-dir-access.js';
import { Journal } from '../core/jobs/journal.js';
import { parseSavedStage, SAVED_STAGE } from '../core/outputs/saved-stage.js';

/** Output key (`savedKey`) → path of each file the app saved for the job and that is still on disk. */
export async function appSavedFiles(dataDir: string, serverId: string, jobId: string): Promise<ReadonlyMap<string, string>> {
  const copy = await copyDataDir(dataDir);
  try {
    const { journal } = await Journal.openIn(copy.dir);
    const stage = parseSavedStage(journal.finishedRecord(serverId, jobId)?.handled[SAVED_STAGE]);
    const found = new Map<string, string>();
    for (const [key, file] of Object.entries(stage?.files ?? {})) {
      // A file the user moved or deleted since is not where the journal says.
      if (await stat(file.path).then((info) => info.isFile(), () => false)) found.set(key, file.path);
    }
    return found;
  } finally {
    await copy.release();
  }
}
