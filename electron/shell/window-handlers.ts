// The queue window's actions: remove and clear pending jobs, re-run, previews and thumbnails, open an output or its
// folder, a server's web UI, local discovery and the log folder. Every answer is data (ok, or a code and a message
// the window shows as is): a failed action must never surface as an unexplained rejected promise.
import { z } from 'zod';
import { errorCode, errorMessage } from '../core/errors.js';
import type { SteerOutcome } from '../core/jobs/queue-steering.js';
import type { ActionResult, DiscoveryResult, ImageBytes, MediaMimeView, OutputMediaResult, RerunResult, SteerResult } from '../shared/ipc-contract.js';
import type { ArgSchemas, Handlers } from './ipc.js';

export type WindowChannel =
  | 'jobs:remove-pending'
  | 'jobs:clear-pending'
  | 'queue:pause'
  | 'queue:resume'
  | 'jobs:move'
  | 'jobs:rerun'
  | 'jobs:follow'
  | 'jobs:preview'
  | 'outputs:thumbnail'
  | 'outputs:media'
  | 'outputs:copy-image'
  | 'outputs:open'
  | 'outputs:show-in-folder'
  | 'servers:open-web-ui'
  | 'servers:discover-local'
  | 'app:open-log-folder';

export interface WindowActionDeps {
  removePending(serverId: string, jobIds: readonly string[]): Promise<void>;
  clearPending(serverId: string): Promise<void>;
  pauseQueue(serverId: string): Promise<SteerOutcome>;
  resumeQueue(serverId: string): Promise<SteerOutcome>;
  moveJobs(serverId: string, jobIds: readonly string[], to: 'front' | 'back'): Promise<SteerOutcome>;
  rerun(serverId: string, jobId: string): Promise<{ readonly promptId: string }>;
  /** Follows a job by its id (a ComfyControl run); refuses an id the server does not know. */
  follow(serverId: string, jobId: string): Promise<unknown>;
  latestPreview(serverId: string, jobId: string): { readonly mime: string; readonly image: Uint8Array } | undefined;
  outputImage(serverId: string, jobId: string, index: number): Promise<{ readonly mime: string; readonly bytes: Uint8Array } | undefined>;
  /** An output in full for the viewer (the engine's outputMedia), up to `maxBytes`; undefined when unknown. */
  outputMedia(serverId: string, jobId: string, index: number, maxBytes: number): Promise<ViewerMedia | undefined>;
  /** Puts an image on the clipboard (Electron's clipboard and nativeImage); false when it cannot decode it. */
  copyImage(image: ImageBytes): boolean;
  /** Scales an image down for a list row (Electron's nativeImage); identity where unavailable. */
  thumbnail(image: ImageBytes): ImageBytes;
  /** Where an output was saved, when it was. */
  savedOutputPath(serverId: string, jobId: string, index: number): string | undefined;
  /** Resolves to an error message, empty on success (Electron's shell.openPath). */
  openPath(path: string): Promise<string>;
  showItemInFolder(path: string): void;
  serverWebUrl(serverId: string): string | undefined;
  /** Opens an http(s) URL of a configured server; false when refused. */
  openExternal(url: string): Promise<boolean>;
  discoverLocal(): Promise<DiscoveryResult>;
  logFolder(): string;
}

export type ViewerMedia =
  | { readonly kind: 'image' | 'video' | 'audio'; readonly mime: string; readonly bytes: Uint8Array; readonly savedPath?: string }
  | { readonly unavailable: 'too-large' | 'not-media' | 'gone' };

const MIMES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] as const;
const MEDIA_MIMES: readonly MediaMimeView[] = [...MIMES, 'video/mp4', 'video/webm', 'video/quicktime', 'audio/mpeg', 'audio/flac', 'audio/ogg', 'audio/wav', 'audio/mp4'];
/** Larger outputs are opened with the system's app instead: the window would hold them in memory whole. */
export const MAX_VIEWER_BYTES = 256 * 1024 * 1024;
const UNAVAILABLE: Record<'too-large' | 'not-media' | 'gone', { code: string; message: string }> = {
  'too-large': { code: 'OUTPUT_TOO_LARGE', message: `This file is larger than ${MAX_VIEWER_BYTES / (1024 * 1024)} MB: open it with its app, or show it in its folder` },
  'not-media': { code: 'OUTPUT_NOT_SHOWABLE', message: 'This file is not an image, a video or an audio file the window can show' },
  gone: { code: 'OUTPUT_NOT_FOUND', message: 'Neither this computer nor the server has this file any more' },
};
/** Thumbnails kept in the main process (~10–30 KB each): a window reopened or scrolled back does not read and
 * scale the full-size image again. Outputs of a finished job never change, so entries never go stale. */
const THUMBNAILS_KEPT = 500;
const id = z.string().min(1).max(500);
const jobId = z.string().min(1).max(200);
const outputIndex = z.number().int().min(0).max(100_000);

const ok: ActionResult = { ok: true };
const refused = (code: string, message: string): ActionResult => ({ ok: false, code, message });

function failure(error: unknown): { ok: false; code: string; message: string } {
  return { ok: false, code: errorCode(error) ?? 'ACTION_FAILED', message: errorMessage(error) };
}

async function steer(action: () => Promise<SteerOutcome>): Promise<SteerResult> {
  try {
    const outcome = await action();
    return { ok: true, done: outcome.done, skipped: outcome.skipped.map(({ id, reason }) => ({ id, code: reason.code, message: reason.message })) };
  } catch (error) {
    return failure(error);
  }
}

async function attempt(action: () => Promise<unknown>): Promise<ActionResult> {
  try {
    await action();
    return ok;
  } catch (error) {
    return failure(error);
  }
}

export function asImage(mime: string, bytes: Uint8Array): ImageBytes | undefined {
  const known = MIMES.find((m) => m === mime);
  return known === undefined ? undefined : { mime: known, bytes };
}

export function windowHandlers(deps: WindowActionDeps): {
  handlers: Pick<Handlers, WindowChannel>;
  schemas: Pick<ArgSchemas, WindowChannel>;
} {
  const thumbnails = new Map<string, ImageBytes | undefined>();
  const thumbnail = async (serverId: string, jobIdValue: string, index: number): Promise<ImageBytes | undefined> => {
    const key = JSON.stringify([serverId, jobIdValue, index]);
    if (thumbnails.has(key)) {
      const kept = thumbnails.get(key);
      thumbnails.delete(key);
      thumbnails.set(key, kept);
      return kept;
    }
    const image = await deps.outputImage(serverId, jobIdValue, index);
    const known = image && asImage(image.mime, image.bytes);
    const made = known && deps.thumbnail(known);
    thumbnails.set(key, made);
    if (thumbnails.size > THUMBNAILS_KEPT) thumbnails.delete(thumbnails.keys().next().value as string);
    return made;
  };
  const openSaved = async (serverId: string, jobIdValue: string, index: number, open: (path: string) => Promise<ActionResult>): Promise<ActionResult> => {
    const path = deps.savedOutputPath(serverId, jobIdValue, index);
    if (path === undefined) return refused('OUTPUT_NOT_SAVED', 'This output is not on this computer: saving is off for its server, or it is still being saved');
    return open(path);
  };
  return {
    handlers: {
      'jobs:remove-pending': (serverId, jobIds) => attempt(() => deps.removePending(serverId, jobIds)),
      'jobs:clear-pending': (serverId) => attempt(() => deps.clearPending(serverId)),
      'queue:pause': (serverId) => steer(() => deps.pauseQueue(serverId)),
      'queue:resume': (serverId) => steer(() => deps.resumeQueue(serverId)),
      'jobs:move': (serverId, jobIds, to) => steer(() => deps.moveJobs(serverId, jobIds, to)),
      'jobs:rerun': async (serverId, jobIdValue): Promise<RerunResult> => {
        try {
          return { ok: true, promptId: (await deps.rerun(serverId, jobIdValue)).promptId };
        } catch (error) {
          return failure(error);
        }
      },
      'jobs:follow': (serverId, jobIdValue) => attempt(() => deps.follow(serverId, jobIdValue.trim())),
      'jobs:preview': (serverId, jobIdValue) => {
        const preview = deps.latestPreview(serverId, jobIdValue);
        return preview && asImage(preview.mime, preview.image);
      },
      'outputs:thumbnail': async (serverId, jobIdValue, index) => {
        try {
          return await thumbnail(serverId, jobIdValue, index);
        } catch {
          // A thumbnail is decoration: the row shows its placeholder instead (and asks again when shown again).
          return undefined;
        }
      },
      'outputs:media': async (serverId, jobIdValue, index): Promise<OutputMediaResult> => {
        try {
          const media = await deps.outputMedia(serverId, jobIdValue, index, MAX_VIEWER_BYTES);
          if (media === undefined) return { ok: false, code: 'OUTPUT_UNKNOWN', message: 'This job has no such output' };
          if ('unavailable' in media) return { ok: false, ...UNAVAILABLE[media.unavailable] };
          const mime = MEDIA_MIMES.find((known) => known === media.mime);
          if (mime === undefined) return { ok: false, ...UNAVAILABLE['not-media'] };
          return { ok: true, kind: media.kind, mime, bytes: media.bytes, ...(media.savedPath !== undefined && { savedPath: media.savedPath }) };
        } catch (error) {
          return failure(error);
        }
      },
      'outputs:copy-image': async (serverId, jobIdValue, index) => {
        try {
          const image = await deps.outputImage(serverId, jobIdValue, index);
          const known = image && asImage(image.mime, image.bytes);
          if (!known) return refused('OUTPUT_NOT_IMAGE', 'This output is not an image');
          return deps.copyImage(known) ? ok : refused('CLIPBOARD_FAILED', 'This image could not be put on the clipboard (its format is not supported here)');
        } catch (error) {
          return failure(error);
        }
      },
      'outputs:open': (serverId, jobIdValue, index) =>
        openSaved(serverId, jobIdValue, index, async (path) => {
          const problem = await deps.openPath(path);
          return problem === '' ? ok : refused('OUTPUT_OPEN_FAILED', problem);
        }),
      'outputs:show-in-folder': (serverId, jobIdValue, index) =>
        openSaved(serverId, jobIdValue, index, async (path) => {
          deps.showItemInFolder(path);
          return ok;
        }),
      'servers:open-web-ui': async (serverId) => {
        const url = deps.serverWebUrl(serverId);
        if (url === undefined) return refused('SERVER_UNKNOWN', 'This server is no longer configured');
        return (await deps.openExternal(url)) ? ok : refused('URL_REFUSED', `${url} cannot be opened in the browser`);
      },
      'servers:discover-local': () => deps.discoverLocal(),
      'app:open-log-folder': async () => {
        const problem = await deps.openPath(deps.logFolder());
        return problem === '' ? ok : refused('FOLDER_OPEN_FAILED', problem);
      },
    },
    schemas: {
      'jobs:remove-pending': z.tuple([id, z.array(jobId).min(1).max(10_000)]),
      'jobs:clear-pending': z.tuple([id]),
      'queue:pause': z.tuple([id]),
      'queue:resume': z.tuple([id]),
      'jobs:move': z.tuple([id, z.array(jobId).min(1).max(10_000), z.enum(['front', 'back'])]),
      'jobs:rerun': z.tuple([id, jobId]),
      'jobs:follow': z.tuple([id, jobId]),
      'jobs:preview': z.tuple([id, jobId]),
      'outputs:thumbnail': z.tuple([id, jobId, outputIndex]),
      'outputs:media': z.tuple([id, jobId, outputIndex]),
      'outputs:copy-image': z.tuple([id, jobId, outputIndex]),
      'outputs:open': z.tuple([id, jobId, outputIndex]),
      'outputs:show-in-folder': z.tuple([id, jobId, outputIndex]),
      'servers:open-web-ui': z.tuple([id]),
      'servers:discover-local': z.tuple([]),
      'app:open-log-folder': z.tuple([]),
    },
  };
}
