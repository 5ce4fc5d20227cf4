// Downloads a job's outputs for an agent, under descriptive names (`{prompt_id}_{node}_{index}_{filename}`) made
// safe by the project's path code: the server's subfolder is left out and its file name becomes part of one path
// component, so nothing a server (or a caller) sends can place a file outside the folder. Each file is streamed to a
// temporary file beside its final name and published without overwriting anything (the same bytes already there
// are that file). One file failing does not stop the others; each failure is reported with its code.
import { rm } from 'node:fs/promises';
import type { OutputRef } from '../shared/app-state.js';
import { errorCode, errorMessage } from '../core/errors.js';
import type { JobBackend } from '../core/jobs/backend.js';
import { downloadTo } from '../core/outputs/download.js';
import type { DownloadLimits } from '../core/outputs/download-limits.js';
import { fitPathLength, fsError, sanitizeComponent } from '../core/outputs/path-safety.js';
import { savedKey } from '../core/outputs/saved-stage.js';
import { newTempPath, removeStaleTemps, tempPrefix } from '../core/outputs/temp-files.js';
import { publishUnique } from '../core/outputs/unique-name.js';

export interface DownloadedFile {
  readonly node_id: string;
  readonly index: number;
  /** The server's name for it. */
  readonly filename: string;
  /** Where it is now. */
  readonly path: string;
  readonly size: number;
  /** A file with exactly these bytes was there already under that name (downloaded before): it is that file. */
  readonly already_there: boolean;
}

export interface DownloadFailure {
  readonly node_id: string;
  readonly index: number;
  readonly filename: string;
  readonly code: string;
  readonly message: string;
}

/** The file name an output is downloaded under: one component, safe on every OS, whatever the server called it. */
export function descriptiveName(promptId: string, ref: Pick<OutputRef, 'nodeId' | 'index' | 'filename'>): string {
  // The server's subfolder is not part of the name; separators in its file name (or in an id) become `_` here.
  return sanitizeComponent(`${promptId}_${ref.nodeId}_${String(ref.index).padStart(3, '0')}_${ref.filename}`, 'output');
}

/** What this process downloaded, per output, so get_outputs can say where a file is. */
export class DownloadLog {
  private readonly paths = new Map<string, string>();

  note(serverId: string, jobId: string, ref: OutputRef, path: string): void {
    this.paths.set(keyOf(serverId, jobId, ref), path);
  }

  pathOf(serverId: string, jobId: string, ref: OutputRef): string | undefined {
    return this.paths.get(keyOf(serverId, jobId, ref));
  }
}

function keyOf(serverId: string, jobId: string, ref: OutputRef): string {
  return `${serverId}\u0000${jobId}\u0000${savedKey(ref)}`;
}

export async function downloadOutputs(
  backend: JobBackend,
  jobId: string,
  refs: readonly OutputRef[],
  folder: string,
  options: { readonly limits: DownloadLimits; readonly signal: AbortSignal; readonly log: DownloadLog },
): Promise<{ files: DownloadedFile[]; failures: DownloadFailure[] }> {
  const files: DownloadedFile[] = [];
  const failures: DownloadFailure[] = [];
  // One at a time: the agent waits for all of them anyway, and a busy GPU box is not asked for them all at once.
  for (const ref of refs) {
    const what = `${ref.filename} of job ${jobId} on ${backend.name}`;
    const prefix = tempPrefix(backend.serverId, jobId, `mcp\u0000${savedKey(ref)}`);
    const temp = newTempPath(folder, prefix);
    try {
      if (options.signal.aborted) throw options.signal.reason;
      const [name] = fitPathLength(folder, [descriptiveName(jobId, ref)]);
      await removeStaleTemps(folder, prefix);
      const size = await downloadTo((range, signal) => backend.fetchOutput(ref, range, signal), temp, { signal: options.signal, what, limits: options.limits });
      const published = await publishUnique(temp, folder, name!).catch((error: unknown) => {
        throw fsError(error, `Could not save ${what}`);
      });
      options.log.note(backend.serverId, jobId, ref, published.path);
      files.push({ node_id: ref.nodeId, index: ref.index, filename: ref.filename, path: published.path, size, already_there: published.existing });
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      const aborted = options.signal.aborted;
      failures.push({
        node_id: ref.nodeId,
        index: ref.index,
        filename: ref.filename,
        code: aborted ? 'REQUEST_CANCELLED' : (errorCode(error) ?? 'OUTPUT_WRITE_FAILED'),
        message: aborted ? 'The request was cancelled' : errorMessage(error),
      });
    }
  }
  return { files, failures };
}
