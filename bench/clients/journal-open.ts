// Child process for bench/journal.ts: what reading the journal costs at start, in a fresh process as the app's start
// is. `open`: opens the journal in DIR once and reports the time. `grow`: grows it to the largest file the default
// compaction policy allows (every job's saved stage noted again, a server's worth of lines a write, until the changes
// after the snapshot weigh what the policy lets them), for the next `open`.
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Journal } from '../../electron/core/jobs/journal.js';
import { SAVED_STAGE } from '../../electron/core/outputs/saved-stage.js';
import { DEFAULT_COMPACTION } from '../../electron/core/store/append-log.js';
import { parentChannel } from '../support/channel.js';
import { serverIdOf } from '../support/comfy-data.js';

export interface JournalOpenResult {
  readonly type: 'result';
  readonly ms: number;
  readonly bytes: number;
}

const [mode, dir, serversArg] = process.argv.slice(2) as ['open' | 'grow', string, string];
const channel = parentChannel<never, JournalOpenResult>();

async function grow(): Promise<void> {
  const { journal } = await Journal.openIn(dir, { compaction: { minBytes: Number.MAX_SAFE_INTEGER } });
  const { size: compacted } = await stat(journal.path);
  const header = JSON.parse(readFileSync(journal.path, 'utf8').split('\n', 1)[0]!) as { snapshotBytes: number };
  const allowed = Math.max(DEFAULT_COMPACTION.minBytes, DEFAULT_COMPACTION.factor * header.snapshotBytes);
  const servers = Array.from({ length: Number(serversArg) }, (_, i) => serverIdOf(i));
  const grown = async (): Promise<boolean> => (await stat(journal.path)).size - compacted >= allowed;
  while (!(await grown())) {
    for (const server of servers) {
      for (const record of journal.finishedJobs(server)) journal.noteHandled(server, record.id, SAVED_STAGE, record.handled[SAVED_STAGE]);
      await journal.flush();
      if (await grown()) break;
    }
  }
}

async function main(): Promise<void> {
  if (mode === 'grow') await grow();
  const started = performance.now();
  const { journal } = await Journal.openIn(dir);
  const ms = performance.now() - started;
  channel.finish({ type: 'result', ms: mode === 'open' ? ms : Number.NaN, bytes: (await stat(journal.path)).size });
}

void main();
