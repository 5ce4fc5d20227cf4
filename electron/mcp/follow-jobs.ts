// Follows the jobs a submission queued to their end, through the engine's events (whatever kind the server is),
// telling progress on the way: each job counts 100, a running one the share of its nodes done.
import type { Engine } from '../core/engine.js';
import { isTerminal, type JobView } from '../shared/app-state.js';

export type ProgressReport = (done: number, total: number, message: string) => void;

export interface FollowedJobs {
  /** Called with each id before it is queued, so no event of the job is missed. */
  add(id: string): void;
  /** Forgets ids that were handed out but not queued (a refused repeat). */
  keepOnly(ids: readonly string[]): void;
  /** Resolves when every job ended (`all`), or when the time is up or the signal fires (the jobs as they stand). */
  until(timeoutMs: number, signal: AbortSignal, progress: ProgressReport): Promise<{ jobs: JobView[]; all: boolean }>;
  stop(): void;
}

export function followJobs(engine: Engine, serverId: string): FollowedJobs {
  const ids: string[] = [];
  const latest = new Map<string, JobView>();
  const finished = new Map<string, JobView>();
  let changed: (() => void) | undefined;
  const offJob = engine.events.on('job', (job) => {
    if (job.serverId !== serverId || !ids.includes(job.id) || finished.has(job.id)) return;
    latest.set(job.id, job);
    changed?.();
  });
  const offFinished = engine.events.on('job-finished', (job) => {
    if (job.serverId !== serverId || !ids.includes(job.id)) return;
    finished.set(job.id, job);
    changed?.();
  });
  const current = (): JobView[] => ids.flatMap((id) => finished.get(id) ?? latest.get(id) ?? engine.job(serverId, id) ?? []);
  return {
    add: (id) => void ids.push(id),
    keepOnly: (kept) => {
      for (let i = ids.length - 1; i >= 0; i--) if (!kept.includes(ids[i]!)) ids.splice(i, 1);
    },
    until: (timeoutMs, signal, progress) =>
      new Promise((resolve) => {
        const done = (all: boolean): void => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          changed = undefined;
          resolve({ jobs: current(), all });
        };
        const onAbort = (): void => done(false);
        const timer = setTimeout(() => done(false), timeoutMs);
        signal.addEventListener('abort', onAbort, { once: true });
        changed = () => {
          const jobs = current();
          progress(...measure(jobs, ids.length));
          if (ids.every((id) => finished.has(id))) done(true);
        };
        if (signal.aborted) return done(false);
        changed();
      }),
    stop: () => {
      offJob();
      offFinished();
    },
  };
}

/** Done so far (of 100 per job), and a line on the job that is not finished yet. */
function measure(jobs: readonly JobView[], count: number): [number, number, string] {
  let done = 0;
  for (const job of jobs) {
    if (isTerminal(job.status)) done += 100;
    else if (job.status === 'running') done += Math.floor((job.progress?.overall ?? 0) * 100);
  }
  const ended = jobs.filter((job) => isTerminal(job.status)).length;
  const next = jobs.find((job) => !isTerminal(job.status));
  return [done, count * 100, `${ended} of ${count} finished${next ? `; ${describe(next)}` : ''}`];
}

function describe(job: JobView): string {
  if (job.status === 'pending') return job.queuePosition === undefined ? 'queued' : `queued at position ${job.queuePosition}`;
  const progress = job.progress;
  const node = progress?.nodeTitle ?? progress?.nodeType;
  const step = progress?.value !== undefined && progress.max !== undefined ? ` ${progress.value}/${progress.max}` : '';
  return `running${node ? `: ${node}${step}` : ''}`;
}
