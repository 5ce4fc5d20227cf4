// Which finished runs say something about how long the next run of the same workflow will take, and the estimate
// drawn from them. Pure: the store (duration-history.ts) keeps the samples, this decides what they mean.
//
// Caching is the trap. ComfyUI skips every node whose inputs did not change since the last prompt, so re-queuing an
// identical prompt "runs" in milliseconds, and a seed change re-runs only the sampler and what follows it. Two rules:
//   * a run in which every node came from the cache did no work: it is never recorded (it would drag the median
//     towards zero for the next real run);
//   * every other run is recorded with how many of its nodes were cached, and a running job whose cached nodes are
//     known (ComfyUI says so as it starts) is estimated from runs that cached as many nodes, when there are any.
// A job that has not started yet cannot know what will be cached: it gets the median of all recorded runs, which
// shrugs off the odd outlier (a first run that loaded the models from disk, a run that reused nearly everything).
import type { JobStatus } from '../../shared/app-state.js';

export interface RunSample {
  /** Execution time (start to end on the server), not time spent waiting in the queue. */
  readonly ms: number;
  /** Nodes the server took from its cache in that run; absent when the record did not say. */
  readonly cached?: number;
}

export interface FinishedRun {
  readonly status: JobStatus;
  readonly durationMs?: number;
  /** Nodes in the prompt. */
  readonly nodeCount?: number;
  readonly cachedNodeCount?: number;
}

/** A week: anything longer is a clock jump or a job paused for days, not a duration to expect again. */
const MAX_PLAUSIBLE_MS = 7 * 24 * 3600_000;

/** The sample a finished run contributes, or undefined when it must not count (see the rules above). */
export function sampleOfRun(run: FinishedRun): RunSample | undefined {
  if (run.status !== 'completed') return undefined;
  const ms = run.durationMs;
  if (ms === undefined || !Number.isFinite(ms) || ms < 0 || ms > MAX_PLAUSIBLE_MS) return undefined;
  const cached = run.cachedNodeCount;
  if (cached !== undefined && run.nodeCount !== undefined && run.nodeCount > 0 && cached >= run.nodeCount) return undefined;
  return { ms: Math.round(ms), ...(cached !== undefined && { cached }) };
}

/** The expected execution time from earlier runs; `cachedNodeCount` is known once the job has started. */
export function estimateFrom(samples: readonly RunSample[], cachedNodeCount?: number): number | undefined {
  if (cachedNodeCount !== undefined) {
    const alike = samples.filter((sample) => sample.cached === cachedNodeCount);
    if (alike.length > 0) return median(alike.map((sample) => sample.ms));
  }
  return samples.length === 0 ? undefined : median(samples.map((sample) => sample.ms));
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : Math.round((sorted[middle - 1]! + sorted[middle]!) / 2);
}
