// How saving is configured: one default folder and template, overridable per server. A plain object passed in;
// the settings store fills it later. Validated once, up front, so a bad template fails at start, not per file.
import { resolve } from 'node:path';
import { ComfyTrayError } from '../errors.js';
import type { WriteStreamFactory } from './download.js';
import { DEFAULT_MAX_FILE_BYTES, DEFAULT_MIN_FREE_BYTES, freeSpace, type DownloadLimits, type FreeSpace } from './download-limits.js';
import { DEFAULT_TEMPLATE, validateTemplate } from './file-template.js';

export interface ServerSaveOptions {
  /** Default true. */
  readonly enabled?: boolean;
  readonly folder?: string;
  readonly template?: string;
}

export interface OutputOptions {
  /** The folder outputs are saved under. It must exist: a missing one (unplugged drive) is reported, not created. */
  readonly folder: string;
  /** Default `{server}/{date}/{filename}`. */
  readonly template?: string;
  /** By server id. */
  readonly perServer?: Readonly<Record<string, ServerSaveOptions>>;
  /** Save `type: "temp"` previews too. Default false. */
  readonly saveTemp?: boolean;
  /** Write a JSON file per job beside its outputs. Default false. */
  readonly sidecar?: boolean;
  /** Downloads at a time per server. Default 2. */
  readonly concurrency?: number;
  /** Tries per file within one pass, for network errors and truncated bodies. Default 3. */
  readonly attempts?: number;
  /** Delay before the second try of a file; doubles each try. Default 500 ms. */
  readonly retryDelayMs?: number;
  /** Delay before a failed job is tried again (a reconnect also triggers it); doubles up to `retryMaxMs`. */
  readonly retryLaterMs?: number;
  readonly retryMaxMs?: number;
  /**
   * How long after the server first said it has no such file (404) a file may be given up, besides being missing in
   * `NOT_FOUND_PASSES` passes: reconnects can come in bursts (Wi-Fi flapping, a crash-looping server) while a drive
   * is being mounted again or a backup restored. Default 6 hours; 0 gives up on the passes alone.
   */
  readonly giveUpAfterMs?: number;
  /** Wall-clock time in ms (tests inject one); default `Date.now`. */
  readonly now?: () => number;
  /**
   * Whose jobs this saver saves: every job it starts saving is marked with it, and it goes on only with jobs marked
   * with it (or unmarked, from older records), so that no job's files are split between the app's folder and a
   * headless run's own. Default `app`; a headless run saving into a folder of its own is `headless`.
   */
  readonly owner?: 'app' | 'headless';
  /** Tests: the stream file bytes are written through. */
  readonly createWriteStream?: WriteStreamFactory;
  /** The most one output may be (bytes received, whatever the server declares). Default 20 GiB. */
  readonly maxFileBytes?: number;
  /** Free space a download must leave on the output folder's disk; it stops below. Default 1 GiB. */
  readonly minFreeBytes?: number;
  /** Tests: the free space of a folder's disk (default: statfs). */
  readonly freeSpace?: FreeSpace;
}

export interface ResolvedServerSave {
  readonly enabled: boolean;
  readonly folder: string;
  readonly template: string;
}

export function validateOutputOptions(options: OutputOptions): void {
  if (options.folder.trim() === '') throw new ComfyTrayError('CONFIG_INVALID', 'The output folder is empty');
  validateTemplate(options.template ?? DEFAULT_TEMPLATE);
  for (const [name, value] of [['maxFileBytes', options.maxFileBytes], ['minFreeBytes', options.minFreeBytes]] as const) {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) throw new ComfyTrayError('CONFIG_INVALID', `${name} must be a size of 0 or more`);
  }
  const wait = options.giveUpAfterMs;
  if (wait !== undefined && !(Number.isFinite(wait) && wait >= 0)) throw new ComfyTrayError('CONFIG_INVALID', 'giveUpAfterMs must be a time of 0 or more');
  for (const [id, server] of Object.entries(options.perServer ?? {})) {
    if (server.template !== undefined) validateTemplate(server.template);
    if (server.folder !== undefined && server.folder.trim() === '') throw new ComfyTrayError('CONFIG_INVALID', `The output folder for ${id} is empty`);
  }
}

export function serverSaveOptions(options: OutputOptions, serverId: string): ResolvedServerSave {
  const own = options.perServer?.[serverId];
  return {
    enabled: own?.enabled ?? true,
    folder: resolve(own?.folder ?? options.folder),
    template: own?.template ?? options.template ?? DEFAULT_TEMPLATE,
  };
}

export function downloadLimits(options: OutputOptions): DownloadLimits {
  return {
    maxBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
    minFreeBytes: options.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES,
    freeSpace: options.freeSpace ?? freeSpace,
  };
}
