// Reads a legacy server's /history (no jobs API) from the newest entry backwards, a page at a time, never without a
// bound. The server counts `offset` from the oldest entry and answers `max_items` alone with the newest N, so going
// further back needs the history's length: found with one-entry probes (about twenty for a full history), then pages
// are asked for by offset. Each page reaches one entry into the page before it; where that entry turns up shows
// whether old entries were evicted meanwhile (at the server's cap each new entry pushes the oldest out and shifts
// every offset), and the next page starts from what the server holds now.
import { fromHistoryBody, historyBodySchema, type RemoteJob } from './remote-jobs.js';

/** GET /history with these parameters; answers the parsed JSON body. */
export type HistoryFetch = (query: { max_items: number; offset?: number }) => Promise<unknown>;

export const HISTORY_PAGE_SIZE = 200;
/** Far above ComfyUI's own cap (10,000): a server that answers every offset cannot keep us probing forever. */
const MAX_HISTORY_LENGTH = 1 << 20;

/** Newest first, each entry once; the first page `firstPageSize` long. */
export async function* historyPages(fetch: HistoryFetch, firstPageSize: number, pageSize = HISTORY_PAGE_SIZE): AsyncGenerator<RemoteJob[]> {
  const newest = fromHistoryBody(await fetch({ max_items: firstPageSize }));
  yield [...newest].reverse();
  const oldest = newest[0];
  if (newest.length < firstPageSize || oldest === undefined) return;
  const seen = new Set(newest.map((job) => job.id));
  let boundary = oldest.id;
  // Where the oldest entry read so far sits (entries appended since only move the length, not this index).
  let cursor = (await historyLength(fetch, newest.length)) - newest.length;
  while (cursor > 0) {
    const start = Math.max(0, cursor - pageSize);
    const page = fromHistoryBody(await fetch({ max_items: cursor - start + 1, offset: start }));
    const first = page[0];
    if (first === undefined) return; // the history shrank under us (cleared, or the server restarted)
    const at = page.findIndex((job) => job.id === boundary);
    // Without the boundary the history moved by more than a page; everything not yet read is still older.
    const older = (at >= 0 ? page.slice(0, at) : page).filter((job) => !seen.has(job.id));
    for (const job of older) seen.add(job.id);
    yield older.reverse();
    boundary = first.id;
    cursor = start;
  }
}

/** The number of history entries, at least `atLeast` (known to exist): galloping, then halving, one entry a probe. */
async function historyLength(fetch: HistoryFetch, atLeast: number): Promise<number> {
  const exists = async (index: number): Promise<boolean> =>
    Object.keys(historyBodySchema.parse(await fetch({ max_items: 1, offset: index }))).length > 0;
  let low = atLeast; // an entry at low - 1
  let step = Math.max(1, atLeast);
  let high: number | undefined; // none at high - 1
  while (high === undefined) {
    const probe = low + step;
    if (probe > MAX_HISTORY_LENGTH) return low;
    if (await exists(probe - 1)) {
      low = probe;
      step *= 2;
    } else {
      high = probe;
    }
  }
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (await exists(middle - 1)) low = middle;
    else high = middle;
  }
  return low;
}
