// The optional JSON written beside a job's saved files: what produced them (job, server, times, node titles, the
// prompt and workflow as the server stored them), for people and tools that sort outputs later. 64-bit seeds are
// written digit for digit.
import type { OutputRef } from '../../shared/app-state.js';
import type { RemoteJob } from '../comfy/remote-jobs.js';
import { stringifyJson } from '../json.js';
import type { FinishedRecord } from '../jobs/journal.js';

export interface SidecarFile {
  readonly ref: OutputRef;
  readonly path: string;
  readonly size: number;
}

export function sidecarJson(
  server: { id: string; name: string; url: string },
  job: FinishedRecord,
  files: readonly SidecarFile[],
  remote: RemoteJob | undefined,
): string {
  const nodes = remote?.nodes;
  const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());
  const body = {
    version: 1,
    job: {
      id: job.id,
      status: job.status,
      workflowName: job.workflowName,
      createdAt: iso(job.createdAt),
      startedAt: iso(job.startedAt),
      endedAt: iso(job.endedAt),
      durationMs: job.durationMs,
      error: job.error && { nodeId: job.error.nodeId, nodeType: job.error.nodeType, nodeTitle: job.error.nodeTitle, message: job.error.message },
    },
    // The URL is already without credentials (backends only expose redacted URLs).
    server,
    outputs: files.map(({ ref, path, size }) => ({
      nodeId: ref.nodeId,
      nodeTitle: nodes?.[ref.nodeId]?.title,
      nodeType: nodes?.[ref.nodeId]?.type,
      kind: ref.kind,
      index: ref.index,
      type: ref.type,
      subfolder: ref.subfolder,
      filename: ref.filename,
      ...(ref.animated === true && { animated: true }),
      ...(ref.format !== undefined && { format: ref.format }),
      path,
      size,
    })),
    ...(remote?.prompt !== undefined && { prompt: remote.prompt }),
    ...(remote?.workflow !== undefined && { workflow: remote.workflow }),
  };
  return `${stringifyJson(body, 2)}\n`;
}
