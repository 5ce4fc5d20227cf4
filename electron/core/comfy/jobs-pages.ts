// Reads a jobs API's finished jobs from the newest down, a page at a time (the shape ComfyUI's /api/jobs and Comfy
// Cloud's share). Jobs finishing meanwhile push the list down, so a job may come twice across pages: it is given
// once. A server that ignores `offset` (and may say "more" forever) is noticed at the first page with nothing new.
import { HISTORY_PAGE_SIZE } from './history-pages.js';
import type { RemoteJob } from './remote-jobs.js';

export interface JobsPage {
  readonly jobs: readonly RemoteJob[];
  readonly hasMore: boolean;
  /** Items the server sent, parsable or not: what the next page's offset must skip. */
  readonly listed: number;
}

export async function* jobsPages(
  fetchPage: (limit: number, offset: number) => Promise<JobsPage>,
  firstPageSize: number,
  pageSize = HISTORY_PAGE_SIZE,
): AsyncGenerator<RemoteJob[]> {
  const seen = new Set<string>();
  let offset = 0;
  let limit = firstPageSize;
  for (;;) {
    const { jobs, hasMore, listed } = await fetchPage(limit, offset);
    const fresh = jobs.filter((job) => !seen.has(job.id));
    for (const job of fresh) seen.add(job.id);
    yield fresh;
    offset += listed;
    // Jobs finishing between two requests shift a page by a few, never by all of it.
    if (!hasMore || listed < limit || (listed > 0 && fresh.length === 0)) return;
    limit = pageSize;
  }
}
