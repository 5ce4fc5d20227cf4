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
  /**
   * By file key: the passes in which the server said it has no such file (404), counted to give it up (see
   * `NOT_FOUND_PASSES`).
   */
  notFound: z.record(z.string(), z.number().int().nonnegative()).optional(),
  /**
   * By file key: the file's latest request got a 404 (any other outcome removes it). Such a file is asked for again
   * only by reconnects and restarts, never by the timer: waiting alone does not bring it back. A file that was
   * missing once and then failed otherwise (the server busy) is the timer's again.
   */
  notFoundLatest: z.record(z.string(), z.literal(true)).optional(),
  /**
   * By file key: when (ms, this machine's clock) a pass first found the file missing; it is given up only a while
   * after (`OutputOptions.giveUpAfterMs`), however quickly the passes came. Absent in older records: the next 404
   * starts the wait.
   */
  notFoundSince: z.record(z.string(), z.number()).optional(),
  /**
   * By file key: files whose name the server refuses (HTTP 400: a name with `..`, an unknown type). No pass can ever
   * fetch them, so they are given up at once.
   */
  refused: z.record(z.string(), z.literal(true)).optional(),
  /**
   * By file key: files larger than the most one output may take (`OutputOptions.maxFileBytes`). Downloading them
   * again would cost as much again and end the same way, so they are given up at once too.
   */
  tooLarge: z.record(z.string(), z.literal(true)).optional(),
  /**
   * Whose saver saves the job, into its own folder: `app` (the app's saver, and `deferSaving` for the app), or
   * `headless` (a headless run with a folder of its own). A saver leaves alone the jobs another owns, so one job's
   * files never end up split between two folders. Absent in older records: the next saver to save the job takes it.
   */
  owner: z.enum(['app', 'headless']).optional(),
  /** Older records' mark for `owner: 'app'`; read as that, never written. */
  forApp: z.literal(true).optional(),
  /**
   * With `state: 'failed'`: saving is over, what is still missing is no longer on the server and is not asked for
   * again. The job's saving counts as finished (the journal may forget the job like any other).
   */
  gaveUp: z.literal(true).optional(),
}).transform(({ forApp, ...stage }) => (forApp === true && stage.owner === undefined ? { ...stage, owner: 'app' as const } : stage));

export type SavedStage = z.infer<typeof savedStage>;
export type SaveOwner = NonNullable<SavedStage['owner']>;
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

/** When a pass looks at what to give up: now, and how long a file must have been missing first. */
export interface GiveUpRule {
  readonly now: number;
  readonly afterMs: number;
}

/**
 * A file no pass asks for again, given up at once: the server refuses its name (HTTP 400), or it is larger than
 * one output may be.
 */
export function refusedFile(stage: SavedStage, key: string): boolean {
  return stage.files[key] === undefined && (stage.refused?.[key] === true || stage.tooLarge?.[key] === true);
}

/**
 * Asked only of a file a reconnect or restart pass just found missing (404): it has been missing pass after pass,
 * over a long enough time (a burst of reconnects while a drive is mounted again is not enough), so it is given up.
 * Never decided from the counts alone, before asking: the file may be back.
 */
export function missingForGood(stage: SavedStage, key: string, rule: GiveUpRule): boolean {
  const since = stage.notFoundSince?.[key];
  return (stage.notFound?.[key] ?? 0) >= NOT_FOUND_PASSES && since !== undefined && rule.now - since >= rule.afterMs;
}

/** A file whose latest request found it missing on the server: only reconnects and restarts ask again. */
export function awaitingReconnect(stage: SavedStage, key: string): boolean {
  return stage.files[key] === undefined && stage.notFoundLatest?.[key] === true;
}

/** The `publishing` key of the job's sidecar (output keys are JSON arrays, so it never clashes). */
export const SIDECAR_KEY = 'sidecar';

/** The identity of one saved file: (node, index, type, subfolder, filename) as the server named it. */
export function savedKey(ref: Pick<OutputRef, 'nodeId' | 'index' | 'type' | 'subfolder' | 'filename'>): string {
  return JSON.stringify([ref.nodeId, ref.index, ref.type, ref.subfolder, ref.filename]);
}
