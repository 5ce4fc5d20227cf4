// The output viewer: which output is open (a server, a job, an index into its outputs), its bytes as a blob: URL
// once the main process sent them, and the way through the history: the previous or next output (crossing from one
// job to the next), or the first output of the previous or next job. Only one output is held at a time; its URL is
// revoked when another is shown or the viewer closes. A late answer for an output no longer shown is dropped.
import { signal } from '@preact/signals';
import type { JobView } from '../../electron/shared/app-state.js';
import type { OutputMediaResult } from '../../electron/shared/ipc-contract.js';
import { browserObjectUrls, type ObjectUrls } from './object-urls.js';

export interface ViewerTarget {
  readonly serverId: string;
  readonly jobId: string;
  readonly index: number;
}

export type ViewerState =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly kind: 'image' | 'video' | 'audio'; readonly mime: string; readonly url: string; readonly savedPath?: string }
  | { readonly status: 'failed'; readonly code: string; readonly message: string };

export type FetchMedia = (target: ViewerTarget) => Promise<OutputMediaResult>;

export class ViewerModel {
  readonly target = signal<ViewerTarget | undefined>(undefined);
  readonly state = signal<ViewerState>({ status: 'loading' });
  private request = 0;

  constructor(
    private readonly fetch: FetchMedia,
    private readonly urls: ObjectUrls = browserObjectUrls,
  ) {}

  open(target: ViewerTarget): void {
    const current = this.target.peek();
    if (current && sameTarget(current, target)) return;
    this.target.value = target;
    void this.load(target);
  }

  close(): void {
    this.request++;
    this.target.value = undefined;
    this.release({ status: 'loading' });
  }

  private async load(target: ViewerTarget): Promise<void> {
    const request = ++this.request;
    this.release({ status: 'loading' });
    let answer: OutputMediaResult;
    try {
      answer = await this.fetch(target);
    } catch (error) {
      answer = { ok: false, code: 'ACTION_FAILED', message: error instanceof Error ? error.message : String(error) };
    }
    // Another output was asked for meanwhile (or the viewer closed): this one is not shown, so no URL is made.
    if (request !== this.request) return;
    this.release(
      answer.ok
        ? { status: 'ready', kind: answer.kind, mime: answer.mime, url: this.urls.create(answer), ...(answer.savedPath !== undefined && { savedPath: answer.savedPath }) }
        : { status: 'failed', code: answer.code, message: answer.message },
    );
  }

  private release(next: ViewerState): void {
    const previous = this.state.peek();
    this.state.value = next;
    if (previous.status === 'ready') this.urls.revoke(previous.url);
  }
}

export function sameTarget(a: ViewerTarget, b: ViewerTarget): boolean {
  return a.serverId === b.serverId && a.jobId === b.jobId && a.index === b.index;
}

/**
 * The output `step` places away through the history as listed (jobs without outputs skipped): within the job first,
 * then on into the next (or previous) job. With `byJob`, the first output of the job `step` jobs away. Undefined at
 * either end, or when the open job is no longer listed.
 */
export function neighbour(history: readonly JobView[], target: ViewerTarget, step: 1 | -1, byJob = false): ViewerTarget | undefined {
  const jobs = history.filter((job) => job.outputs.length > 0);
  const at = jobs.findIndex((job) => job.serverId === target.serverId && job.id === target.jobId);
  if (at < 0) return undefined;
  const current = jobs[at]!;
  if (!byJob) {
    const index = target.index + step;
    if (index >= 0 && index < current.outputs.length) return { ...target, index };
  }
  const next = jobs[at + step];
  if (!next) return undefined;
  return { serverId: next.serverId, jobId: next.id, index: step === 1 || byJob ? 0 : next.outputs.length - 1 };
}
