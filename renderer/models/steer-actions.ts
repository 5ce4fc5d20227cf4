// The window's queue-steering actions, by job key or server: each server gets one call with its jobs (in the order
// shown), and the feedback area says what was done and, for every job left as it was, why.
import type { JobView } from '../../electron/shared/app-state.js';
import type { SteerResult, TrayApi } from '../../electron/shared/ipc-contract.js';
import { jobTitle } from '../format.js';
import { ActionRefused, type FeedbackModel } from './feedback-model.js';
import { steerText } from './steer-text.js';

type SteerApi = Pick<TrayApi, 'moveJobs' | 'pauseQueue' | 'resumeQueue' | 'removePending'>;

function byServer(jobs: readonly JobView[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const job of jobs) groups.set(job.serverId, [...(groups.get(job.serverId) ?? []), job.id]);
  return groups;
}

async function okOrThrow(answer: SteerResult): Promise<Extract<SteerResult, { ok: true }>> {
  if (!answer.ok) throw new ActionRefused(answer.message);
  return answer;
}

function titles(jobs: readonly JobView[]): (id: string) => string {
  const names = new Map(jobs.map((job) => [job.id, jobTitle(job)]));
  return (id) => names.get(id) ?? `Job ${id.slice(0, 8)}`;
}

export function moveJobs(api: SteerApi, feedback: FeedbackModel, jobs: readonly JobView[], to: 'front' | 'back'): Promise<void> {
  const what = jobs.length === 1 ? jobTitle(jobs[0]!) : `${jobs.length} jobs`;
  return feedback.run(
    `Moving ${what} to the ${to}…`,
    async () => {
      const results = [];
      for (const [serverId, ids] of byServer(jobs)) results.push(await okOrThrow(await api.moveJobs(serverId, ids, to)));
      return results;
    },
    (results) => steerText(to, results, titles(jobs)),
  );
}

export function removeJobs(api: SteerApi, feedback: FeedbackModel, jobs: readonly JobView[]): Promise<void> {
  const what = jobs.length === 1 ? jobTitle(jobs[0]!) : `${jobs.length} jobs`;
  return feedback.run(
    `Removing ${what} from the queue…`,
    async () => {
      for (const [serverId, ids] of byServer(jobs)) {
        const answer = await api.removePending(serverId, ids);
        if (!answer.ok) throw new ActionRefused(answer.message);
      }
    },
    () => `${what}: removed from the queue`,
  );
}

export function pauseQueue(api: SteerApi, feedback: FeedbackModel, serverId: string, serverName: string, jobs: readonly JobView[]): Promise<void> {
  return feedback.run(`Pausing the queue of ${serverName}…`, async () => [await okOrThrow(await api.pauseQueue(serverId))], (results) => `${serverName}: ${steerText('pause', results, titles(jobs))}`);
}

export function resumeQueue(api: SteerApi, feedback: FeedbackModel, serverId: string, serverName: string, jobs: readonly JobView[]): Promise<void> {
  return feedback.run(`Resuming the queue of ${serverName}…`, async () => [await okOrThrow(await api.resumeQueue(serverId))], (results) => `${serverName}: ${steerText('resume', results, titles(jobs))}`);
}
