// What the journal remembers about saving one job (its `saved` stage): which server files are on the user's disk,
// where and how big. It is what makes saving exactly-once across restarts, reconnects and duplicate events, and
// why a file the user deleted afterwards is not downloaded again.
import { z } from 'zod';
import type { OutputRef } from '../../shared/app-state.js';
import { NOT_FOUND_PASSES } from './save-failures.js';

export const SAVED_STAGE = 'saved';

const savedFile = z.object({ path: z.string(), size: z.number() });
/**
 * `ino` and `mtimeNs` (as text, exact): the file's inode and modification time, which a hard link or a rename keeps,
 * so that a file someone else put at the same path is not taken for ours (a freed inode number is soon reused).
 */
const claimedFile = savedFile.extend({ ino: z.string().optional(), mtimeNs: z.string().optional() });
const savedStage = z.object({
  /**
   * `pending`: accepted, files still to save; `failed`: the last attempt failed (reported once), or, with `gaveUp`,
   * saving ended with files the server no longer has; `done`.
   */
  state: z.enum(['pending', 'failed', 'done']),
  files: z.record(z.string(), savedFile).default({}),
  /**
   * Where a finished download is about to be published, written before it takes its final name: after a crash
   * between the two, the file found there with this size is that download, not someone else's to avoid.
   */
  publishing: z.record(z.string(), claimedFile).default({}),
  sidecar: savedFile.optional(),
  error: z.object({ code: z.string(), reason: z.string() }).optional(),
  /** By file key: the passes in which the server said it has no such file (404), counted to give it up. */
  notFound: z.record(z.string(), z.number().int().nonnegative()).optional(),
  /**
   * With `state: 'failed'`: saving is over, what is still missing is no longer on the server and is not asked for
   * again. The job's saving counts as finished (the journal may forget the job like any other).
   */
  gaveUp: z.literal(true).optional(),
});

export type SavedStage = z.infer<typeof savedStage>;
export type SavedFileRecord = z.infer<typeof savedFile>;
export type ClaimedFile = z.infer<typeof claimedFile>;

/** The stage as recorded, or undefined when saving never started for the job (or the record is unreadable). */
export function parseSavedStage(value: unknown): SavedStage | undefined {
  const parsed = savedStage.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * True while saving the job started and may still do something: not done, not given up. Asked of every remembered
 * job when the journal is trimmed, so it reads the two fields instead of validating the whole stage.
 */
export function savingUnfinished(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const { state, gaveUp } = value as { state?: unknown; gaveUp?: unknown };
  return state !== 'done' && gaveUp !== true;
}

/** A file of the job that is not saved and will not be tried again: the server said it has none, pass after pass. */
export function givenUp(stage: SavedStage, key: string): boolean {
  return stage.files[key] === undefined && (stage.notFound?.[key] ?? 0) >= NOT_FOUND_PASSES;
}

/** The `publishing` key of the job's sidecar (output keys are JSON arrays, so it never clashes). */
export const SIDECAR_KEY = 'sidecar';

/** The identity of one saved file: (node, index, type, subfolder, filename) as the server named it. */
export function savedKey(ref: Pick<OutputRef, 'nodeId' | 'index' | 'type' | 'subfolder' | 'filename'>): string {
  return JSON.stringify([ref.nodeId, ref.index, ref.type, ref.subfolder, ref.filename]);
}
