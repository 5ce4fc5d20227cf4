// What the journal remembers about saving one job (its `saved` stage): which server files are on the user's disk,
// where and how big. It is what makes saving exactly-once across restarts, reconnects and duplicate events, and
// why a file the user deleted afterwards is not downloaded again.
import { z } from 'zod';
import type { OutputRef } from '../../shared/app-state.js';

export const SAVED_STAGE = 'saved';

const savedFile = z.object({ path: z.string(), size: z.number() });
const savedStage = z.object({
  /** `pending`: accepted, files still to save; `failed`: the last attempt failed (reported once); `done`. */
  state: z.enum(['pending', 'failed', 'done']),
  files: z.record(z.string(), savedFile).default({}),
  sidecar: savedFile.optional(),
  error: z.object({ code: z.string(), reason: z.string() }).optional(),
});

export type SavedStage = z.infer<typeof savedStage>;
export type SavedFileRecord = z.infer<typeof savedFile>;

/** The stage as recorded, or undefined when saving never started for the job (or the record is unreadable). */
export function parseSavedStage(value: unknown): SavedStage | undefined {
  const parsed = savedStage.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** The identity of one saved file: (node, index, type, subfolder, filename) as the server named it. */
export function savedKey(ref: Pick<OutputRef, 'nodeId' | 'index' | 'type' | 'subfolder' | 'filename'>): string {
  return JSON.stringify([ref.nodeId, ref.index, ref.type, ref.subfolder, ref.filename]);
}
