// What the headless CLI prints: one JSON object per line, only when something a reader cares about changed
// (progress in 10% steps, not every sampler step).
import { basename } from 'node:path';
import type { JobView, ServerKind, ServerView } from '../shared/app-state.js';
import { stringifyJson } from '../core/json.js';
import type { SavedFile } from '../core/outputs/output-saver.js';
import { sanitizeSubpath } from '../core/outputs/path-safety.js';

/**
 * What a line calls a server: its URL without credentials or trailing slash, as the user typed it (`serverId` beside it
 * is the id the journal and the app use, e.g. "local").
 */
export type ServerLabel = (serverId: string) => string;

const byId: ServerLabel = (serverId) => serverId;

/** Which kind of server a job runs on (lines say it: comfyui, comfy-cloud, comfycontrol). */
export type ServerKindOf = (serverId: string) => ServerKind | undefined;

export function connectionLine(server: ServerView): Record<string, unknown> {
  return {
    event: 'connection',
    server: server.url.replace(/\/$/, ''),
    serverId: server.id,
    kind: server.kind ?? 'comfyui',
    state: server.state,
    ...(server.version !== undefined && { version: server.version }),
    ...(server.attempt !== undefined && server.state !== 'connected' && { attempt: server.attempt }),
    ...(server.nextRetryAt !== undefined && server.state !== 'connected' && { nextRetryAt: new Date(server.nextRetryAt).toISOString() }),
    ...(server.lastError !== undefined && server.state !== 'connected' && { error: server.lastError }),
    ...(server.capabilities !== undefined && server.state === 'connected' && { capabilities: server.capabilities }),
    ...(server.degraded !== undefined && server.state === 'connected' && { degraded: server.degraded }),
    ...(server.problem !== undefined && server.state === 'connected' && { problem: { code: server.problem.code, message: server.problem.message } }),
  };
}

export function jobLine(job: JobView, final: boolean, label: ServerLabel = byId, kindOf?: ServerKindOf): Record<string, unknown> {
  const kind = kindOf?.(job.serverId);
  return {
    event: 'job',
    server: label(job.serverId),
    serverId: job.serverId,
    ...(kind !== undefined && { kind }),
    id: job.id,
    status: job.status,
    submittedBy: job.submittedBy,
    ...(job.workflowName !== undefined && { workflowName: job.workflowName }),
    ...(job.queuePosition !== undefined && { queuePosition: job.queuePosition }),
    ...(job.progress !== undefined && !final && { progress: roundProgress(job.progress) }),
    ...(job.createdAt !== undefined && { createdAt: iso(job.createdAt) }),
    ...(job.startedAt !== undefined && { startedAt: iso(job.startedAt) }),
    ...(job.endedAt !== undefined && { endedAt: iso(job.endedAt) }),
    ...(job.durationMs !== undefined && { durationMs: job.durationMs }),
    ...(job.error !== undefined && { error: job.error }),
    ...(job.lostReason !== undefined && { lostReason: job.lostReason }),
    ...(job.caughtUp === true && { caughtUp: true }),
    ...((final || job.outputs.length > 0) && { outputs: job.outputs }),
    ...(final && { final: true }),
  };
}

/** Decides whether a job change is worth a line: status, queue position, node, outputs or a 10% progress step. */
export class JobLineFilter {
  private readonly last = new Map<string, string>();

  shouldPrint(job: JobView): boolean {
    const key = `${job.serverId}\u0000${job.id}`;
    const overall = job.progress?.overall;
    const signature = JSON.stringify([
      job.status,
      job.queuePosition,
      job.progress?.nodeId,
      overall === undefined ? undefined : Math.floor(overall * 10),
      job.outputs.length,
      job.error?.message,
    ]);
    if (this.last.get(key) === signature) return false;
    this.last.set(key, signature);
    return true;
  }

  forget(job: JobView): void {
    this.last.delete(`${job.serverId}\u0000${job.id}`);
  }
}

/**
 * Decides whether a connection change is worth a line: state, version, error kind, capabilities or a problem (the server's
 * feature flags arrive after the socket is up, so `connected` is printed again once they are known); not one line
 * per retry of the same outage.
 */
export class ConnectionLineFilter {
  private readonly last = new Map<string, string>();

  shouldPrint(server: ServerView): boolean {
    const capabilities = server.state === 'connected' ? server.capabilities : undefined;
    const problem = server.state === 'connected' ? server.problem?.message : undefined;
    const signature = JSON.stringify([server.state, server.version, server.lastError?.code, capabilities && sortedEntries(capabilities), problem, server.degraded?.code]);
    if (this.last.get(server.id) === signature) return false;
    this.last.set(server.id, signature);
    return true;
  }
}

function sortedEntries(value: object): [string, unknown][] {
  return Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function roundProgress(progress: NonNullable<JobView['progress']>): Record<string, unknown> {
  return { ...progress, ...(progress.overall !== undefined && { overall: Math.round(progress.overall * 1000) / 1000 }) };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** One queued repeat of `submit`. */
export function submittedLine(
  server: { label: string; id: string },
  queued: { index: number; promptId: string; number?: number; warnings: readonly unknown[] },
): Record<string, unknown> {
  return {
    event: 'submitted',
    server: server.label,
    serverId: server.id,
    id: queued.promptId,
    index: queued.index,
    ...(queued.number !== undefined && { number: queued.number }),
    ...(queued.warnings.length > 0 && { warnings: queued.warnings }),
  };
}

/** A repeat the server refused (or that could not be sent), with the server's errors per node. */
export function rejectedLine(
  server: { label: string; id: string },
  failed: { index: number; promptId: string; code: string; message: string; problems: readonly unknown[] },
  notSent: readonly number[],
): Record<string, unknown> {
  return { event: 'rejected', server: server.label, serverId: server.id, index: failed.index, code: failed.code, message: failed.message, problems: failed.problems, notSent };
}

// Characters that change how a terminal or an editor shows the text around them (bidi overrides and isolates, marks,
// line and paragraph separators, C1 controls): a server's name holding U+202E can make `evil\u202Egnp.exe` read as
// `evilexe.png`. JSON.stringify escapes only C0 controls; these are escaped as well (same string once parsed).
const DISGUISING = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** One output line: JSON (big integers exact) with nothing in it that could disguise the text on a terminal. */
export function jsonLine(value: unknown): string {
  return stringifyJson(value).replace(DISGUISING, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A saved file as `saved` and `save-given-up` lines show it: the name it was saved under (made safe by the saver),
 * never the server's raw name, and the server's subfolder made safe the same way.
 */
export function savedFileLine(file: SavedFile): Record<string, unknown> {
  return {
    nodeId: file.nodeId,
    kind: file.kind,
    index: file.index,
    type: file.type,
    subfolder: sanitizeSubpath(file.subfolder).join('/'),
    filename: basename(file.path),
    path: file.path,
    size: file.size,
  };
}
