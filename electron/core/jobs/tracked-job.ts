// The tracker's working record of one job that has not finished yet, and its conversion to the public view.
import type { JobError, JobProgress, JobStatus, JobView, LostReason, OutputRef, SubmittedBy } from '../../shared/app-state.js';
import type { NodeProgressState } from '../comfy/messages.js';
import type { NodeInfo, RemoteJob } from '../comfy/remote-jobs.js';
import type { StepRate } from './step-rate.js';
import { sharedWorkflowSignature } from '../comfy/workflow-signature.js';

export interface LiveTerminal {
  readonly status: 'completed' | 'failed' | 'cancelled';
  readonly endedAt?: number;
  readonly error?: JobError;
}

export interface TrackedJob {
  readonly id: string;
  status: JobStatus;
  submittedBy: SubmittedBy;
  workflowName?: string;
  createdAt?: number;
  startedAt?: number;
  queuePosition?: number;
  progress?: JobProgress;
  previewVersion?: number;
  /** The current node's step rate (step-rate.ts). */
  stepRate?: StepRate;
  /** Replaced, never changed in place (a job without any shares one empty array). */
  outputs: readonly OutputRef[];
  nodes?: Readonly<Record<string, NodeInfo>>;
  /** The prompt's shape (comfy/workflow-signature.ts): which earlier runs predict this one's duration. */
  signature?: string;
  /** Its node table, name and signature were taken from a queue listing's prompt (tracked-job.ts, applyRemoteFields). */
  listingRead?: boolean;
  /** Replaced, never changed in place (a job without any shares one empty set). */
  cached: ReadonlySet<string>;
  /** `cached` came from the server (`execution_cached`), rather than being the empty default. */
  cacheKnown?: boolean;
  /**
   * A terminal event heard on the socket. An own job heard from its start (`heardFromStart`) is announced with it at
   * once, and checked against the server's record afterwards; any other job waits for the record.
   */
  live?: LiveTerminal;
  /**
   * The connection epoch in which `execution_start` was heard: every event of the run since came on that socket, so
   * the outputs its `executed` events listed are all of the job's (cached output nodes send theirs too).
   */
  heardFromStart?: number;
  /** Consecutive reconciliations in which the server knew nothing of this job. */
  misses: number;
  /** Those misses began with the look that followed an absence (it may have ended while we were away). */
  missedWhileAway?: boolean;
  /** Connection epoch in which the job was last seen in the queue or on the socket (-1: not this session). */
  epoch: number;
  /** We asked the server to cancel or remove it. */
  cancelRequested?: boolean;
  /**
   * Known only from live events: no listing or record of the server has shown it yet. Such a job is another
   * client's until a listing names its submitter, and one that no listing ever shows is dropped, not announced.
   */
  unconfirmed?: boolean;
  /**
   * Our own submission: the first reconciliation whose listing can know of it. A listing fetched while the POST was
   * still on its way (or just before the server answered it) proves nothing, and must not count as a miss.
   */
  listedFrom?: number;
}

/** Shared by every job that has none yet (10,000 queued jobs need not hold 10,000 empty arrays and sets). */
const NO_OUTPUTS: readonly OutputRef[] = Object.freeze([]);
const NO_CACHED: ReadonlySet<string> = new Set();

export function newTrackedJob(id: string, fields: Partial<TrackedJob> & Pick<TrackedJob, 'status' | 'submittedBy' | 'epoch'>): TrackedJob {
  return { id, outputs: NO_OUTPUTS, cached: NO_CACHED, misses: 0, ...fields };
}

/**
 * Takes what a server listing or record says about a job into it; true when something the views show changed.
 * Runs for every listed job at every look (10,000 on a busy queue), so it compares and assigns without allocating.
 * The node table and the signature are read (from the prompt, shared by the jobs of one workflow) only while the job
 * has none.
 */
export function applyRemoteFields(job: TrackedJob, remote: RemoteJob): boolean {
  let changed = false;
  if (remote.createdAt !== undefined && job.createdAt !== remote.createdAt) {
    job.createdAt = remote.createdAt;
    changed = true;
  }
  if (job.startedAt === undefined && remote.startedAt !== undefined) {
    job.startedAt = remote.startedAt;
    changed = true;
  }
  // A queue listing's prompt says the same at every look: once read, another look need not parse it again.
  if (remote.listed === true) {
    if (job.listingRead === true) return changed;
    job.listingRead = true;
  }
  if (job.nodes === undefined) {
    const nodes = remote.nodes;
    if (nodes !== undefined) {
      job.nodes = nodes;
      changed = true;
    }
  }
  if (job.workflowName === undefined && remote.workflowName !== undefined) {
    job.workflowName = remote.workflowName;
    changed = true;
  }
  if (job.signature === undefined) {
    const signature = remote.signature ?? sharedWorkflowSignature(remote.prompt);
    if (signature !== undefined) {
      job.signature = signature;
      changed = true;
    }
  }
  return changed;
}

export function nodeLabel(job: TrackedJob, nodeId: string | undefined): { nodeTitle?: string; nodeType?: string } {
  if (nodeId === undefined) return {};
  const info = job.nodes?.[nodeId];
  if (!info) return {};
  return { nodeType: info.type, ...(info.title !== undefined && { nodeTitle: info.title }) };
}

/** Whole-job progress from a `progress_state` snapshot: finished nodes count 1, running ones their fraction. */
export function overallProgress(job: TrackedJob, nodes: Readonly<Record<string, NodeProgressState>>): number | undefined {
  if (!job.nodes) return undefined;
  const total = Object.keys(job.nodes).length;
  if (total === 0) return undefined;
  let done = job.cached.size;
  for (const [id, node] of Object.entries(nodes)) {
    if (job.cached.has(id)) continue;
    if (node.state === 'finished') done += 1;
    else if (node.max > 0) done += Math.min(1, Math.max(0, node.value / node.max));
  }
  return Math.min(1, done / total);
}

/** `estimatedDurationMs` is the tracker's to give (from the duration history); finished views never carry it. */
export function toView(serverId: string, job: TrackedJob, estimatedDurationMs?: number): JobView {
  return {
    serverId,
    id: job.id,
    status: job.status,
    submittedBy: job.submittedBy,
    outputs: job.outputs,
    ...(job.queuePosition !== undefined && job.status === 'pending' && { queuePosition: job.queuePosition }),
    ...(job.workflowName !== undefined && { workflowName: job.workflowName }),
    ...(job.createdAt !== undefined && { createdAt: job.createdAt }),
    ...(job.startedAt !== undefined && { startedAt: job.startedAt }),
    ...(estimatedDurationMs !== undefined && { estimatedDurationMs }),
    ...(job.progress !== undefined && { progress: job.progress }),
    ...(job.previewVersion !== undefined && { previewVersion: job.previewVersion }),
    ...(job.live?.error && { error: withTitle(job, job.live.error) }),
  };
}

export function withTitle(job: TrackedJob, error: JobError): JobError {
  if (error.nodeTitle !== undefined || error.nodeId === undefined) return error;
  const label = nodeLabel(job, error.nodeId);
  return { ...error, ...(label.nodeTitle !== undefined && { nodeTitle: label.nodeTitle }), ...(error.nodeType === undefined && label.nodeType !== undefined && { nodeType: label.nodeType }) };
}

export interface Terminal {
  readonly status: 'completed' | 'failed' | 'cancelled' | 'lost';
  readonly outputs?: readonly OutputRef[];
  readonly error?: JobError;
  readonly startedAt?: number;
  readonly endedAt?: number;
  readonly lostReason?: LostReason;
  /** From the server's record of the run, for the duration history. */
  readonly cachedNodeCount?: number;
  readonly nodeCount?: number;
  readonly signature?: string;
}
