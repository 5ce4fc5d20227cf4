// What the journal remembers about saving one job (its `saved` stage): which server files are on the user's disk,
// where and how big. It is what makes saving exactly-once across restarts, reconnects and duplicate events, and
// why a file the user deleted afterwards is not downloaded again.
import { z } from 'zod';
import type { OutputRef } from '../../shared/app-state.js';

export const SAVED_STAGE = 'saved';

const savedFile = z.object({ path: z.string(), size: z.number() });
/**
 * `ino` and `mtimeNs` (as text, exact): the file's inode and modification time, which a hard link or a rename keeps,
 * so that a file someone else put at the same path is not taken for ours (a freed inode number is soon reused).
 */
const claimedFile = savedFile.extend({ ino: z.string().optional(), mtimeNs: z.string().optional() });
const savedStage = z.object({
  /** `pending`: accepted, files still to save; `failed`: the last attempt failed (reported once); `done`. */
  state: z.enum(['pending', 'failed', 'done']),
  files: z.record(z.string(), savedFile).default({}),
  /**
   * Where a finished download is about to be published, written before it takes its final name: after a crash
   * between the two, the file found there with this size is that download, not someone else's to avoid.
   */
  publishing: z.record(z.string(), claimedFile).default({}),
  sidecar: savedFile.optional(),
  error: z.object({ code: z.string(), reason: z.string() }).optional(),
});

export type SavedStage = z.infer<typeof savedStage>;
export type SavedFileRecord = z.infer<typeof savedFile>;
export type ClaimedFile = z.infer<typeof claimedFile>;

/** The stage as recorded, or undefined when saving never started for the job (or the record is unreadable). */
export function parseSavedStage(value: unknown): SavedStage | undefined {
  const parsed = savedStage.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** The `publishing` key of the job's sidecar (output keys are JSON arrays, so it never clashes). */
export const SIDECAR_KEY = 'sidecar';

/** The identity of one saved file: (node, index, type, subfolder, filename) as the server named it. */
export function savedKey(ref: Pick<OutputRef, 'nodeId' | 'index' | 'type' | 'subfolder' | 'filename'>): string {
  return JSON.stringify([ref.nodeId, ref.index, ref.type, ref.subfolder, ref.filename]);
}
