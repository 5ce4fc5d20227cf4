// The JobBackend for a Comfy Cloud account: ComfyUI's protocol (the same socket messages, /api/prompt, /api/view,
// /api/object_info) with Cloud's differences. The key is X-API-Key on HTTP and `?token=` on the socket; every
// connection hears all of the account's jobs (the tracker takes a job first heard of live as another client's until a
// listing says); jobs are listed through the jobs API (Cloud's sort names, times in seconds) and the queue in Cloud's
// item order; outputs redirect to signed URLs fetched without the key; refusals (bad key, no credits, inactive
// subscription) become states, asked again only slowly.
import type { ServerKind } from '../../../shared/app-state.js';
import type { ClientIdStore } from '../../comfy/comfy-connection.js';
import { jobsPages } from '../../comfy/jobs-pages.js';
import type { ConnectionTimings } from '../../comfy/reconnect-policy.js';
import type { ActiveJobs, RemoteJob } from '../../comfy/remote-jobs.js';
import type { ResolvedServer } from '../../comfy/server-config.js';
import { ComfyTrayError, HttpStatusError } from '../../errors.js';
import type { SubmitRequest, SubmitResult } from '../../jobs/backend.js';
import { ComfyBackend } from '../comfyui/comfy-backend.js';
import { CLOUD_DIALECT } from './cloud-dialect.js';
import { askCloud } from './cloud-errors.js';
import { fromCloudJob, fromCloudJobStatus, fromCloudJobsList, fromCloudQueue } from './cloud-jobs.js';

export const COMFY_CLOUD_URL = 'https://cloud.comfy.org';

export class CloudBackend extends ComfyBackend {
  readonly kind: ServerKind = 'comfy-cloud';
  /** Cloud documents its outputs in the job's record (the jobs API), not on its socket: announced from the record. */
  override readonly liveOutputsComplete: boolean = false;
  /** Moving a job means queueing it again at a chosen place, which Cloud ignores; holding jobs off it is not ours to do. */
  readonly steeringUnavailable = 'Comfy Cloud schedules your jobs itself and ignores queue places: its queue cannot be paused or reordered from here';

  constructor(server: ResolvedServer, clientIds: ClientIdStore, options: { timings?: Partial<ConnectionTimings> } = {}) {
    // Signed output URLs are fetched without the key, wherever they point.
    super(server, clientIds, { ...options, dialect: CLOUD_DIALECT, http: { credentialsAfterRedirect: false } });
  }

  /** A read: its refusal gets Cloud's meaning, and one that retrying cannot mend becomes the connection's state. */
  private async read<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await askCloud(`${this.name} ${what}`, request);
    } catch (error) {
      this.conn.reportFailure(error);
      throw error;
    }
  }

  override async listActive(): Promise<ActiveJobs> {
    return fromCloudQueue(await this.read('queue', () => this.http.getJson('api/queue')));
  }

  /** Cloud's queue already carries each job's prompt (in its own item order): the same read. */
  override describeActive(): Promise<ActiveJobs> {
    return this.listActive();
  }

  override finishedPages(firstPageSize: number): AsyncGenerator<RemoteJob[]> {
    return jobsPages(
      async (limit, offset) =>
        fromCloudJobsList(
          // Cloud's sort names (`create_time`), not ComfyUI's (`created_at`).
          await this.read('jobs', () => this.http.getJson('api/jobs', { status: 'completed,failed,cancelled', sort_by: 'create_time', sort_order: 'desc', limit, offset })),
        ),
      firstPageSize,
    );
  }

  override finishedOrderTime(job: RemoteJob): number | undefined {
    return job.createdAt;
  }

  /** The jobs API's record; a job it does not list (yet) is asked of the status endpoint before it counts as unknown. */
  override async lookup(id: string): Promise<RemoteJob | undefined> {
    const path = encodeURIComponent(id);
    try {
      const job = fromCloudJob(await this.read('job', () => this.http.getJson(`api/jobs/${path}`, undefined, { exactIntegers: true })));
      if (job) return job;
    } catch (error) {
      if (!(error instanceof HttpStatusError && error.status === 404)) throw error;
    }
    try {
      return fromCloudJobStatus(id, await this.read('job status', () => this.http.getJson(`api/job/${path}/status`)));
    } catch (error) {
      if (error instanceof HttpStatusError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** Cloud schedules fairly per user and ignores `number` and `front`: neither is sent. A refusal is the user's to see. */
  override async submit(request: SubmitRequest & { promptId: string }): Promise<SubmitResult> {
    const { front: _front, ...rest } = request;
    return askCloud(`${this.name} prompt`, () => super.submit(rest));
  }

  /**
   * A pending job leaves the queue. Cloud's interrupt stops every running job of the account, so a running job is
   * stopped only when it is the one running; with others running the user is told to stop it in Comfy Cloud.
   */
  override async cancel(id: string): Promise<boolean> {
    const active = await this.listActive();
    if (active.pending.some((job) => job.id === id)) {
      await this.removePending([id]);
      return true;
    }
    if (!active.running.some((job) => job.id === id)) return false;
    if (active.running.length > 1) {
      throw new ComfyTrayError(
        'BACKEND_UNSUPPORTED',
        `${this.name}: Comfy Cloud can only stop all of your ${active.running.length} running jobs at once; stop this one from Comfy Cloud's own page.`,
      );
    }
    const answer = await this.http.postJson('api/interrupt', { prompt_id: id });
    if (answer.status !== 200) throw new HttpStatusError(answer.status, `${this.name} interrupt`, '');
    return true;
  }
}
