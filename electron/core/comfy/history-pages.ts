// Reads a legacy server's /history (no jobs API) from the newest entry backwards, a page at a time, never without a
// bound. The server counts `offset` from the oldest entry and answers `max_items` alone with the newest N, so going
// further back needs the history's length: found with one-entry probes (about twenty for a full history), then pages
// are asked for by offset. Each page reaches one entry into the page before it; where that entry turns up shows
// whether old entries were evicted meanwhile (at the server's cap each new entry pushes the oldest out and shifts
// every offset), and the next page starts from what the server holds now.
import { fromHistoryBody, historyBodySchema, type DropReporter, type RemoteJob } from './remote-jobs.js';

/** GET /history with these parameters; answers the parsed JSON body. */
export type HistoryFetch = (query: { max_items: number; offset?: number }) => Promise<unknown>;

export const HISTORY_PAGE_SIZE = 200;
/** Far above ComfyUI's own cap (10,000): a server that answers every offset cannot keep us probing forever. */
const MAX_HISTORY_LENGTH = 1 << 20;

/** Newest first, each entry once; the first page `firstPageSize` long. */
export async function* historyPages(fetch: HistoryFetch, firstPageSize: number, dropped?: DropReporter, pageSize = HISTORY_PAGE_SIZE): AsyncGenerator<RemoteJob[]> {
  const newest = fromHistoryBody(await fetch({ max_items: firstPageSize }), dropped);
  yield [...newest].reverse();
  const oldest = newest[0];
  // More than asked for: the server ignores `max_items` and just sent all it has.
  if (newest.length !== firstPageSize || oldest === undefined) return;
  const seen = new Set(newest.map((job) => job.id));
  let boundary = oldest.id;
  const length = await historyLength(fetch, newest.length);
  if (length === undefined) return;
  // Where the oldest entry read so far sits (entries appended since only move the length, not this index).
  let cursor = length - newest.length;
  while (cursor > 0) {
    const start = Math.max(0, cursor - pageSize);
    const page = fromHistoryBody(await fetch({ max_items: cursor - start + 1, offset: start }), dropped);
    const first = page[0];
    if (first === undefined) return; // the history shrank under us (cleared, or the server restarted)
    const at = page.findIndex((job) => job.id === boundary);
    // Without the boundary the history moved by more than a page; everything not yet read is still older.
    const older = (at >= 0 ? page.slice(0, at) : page).filter((job) => !seen.has(job.id));
    // Nothing not read before: the server ignores `offset` and answers its newest entries whatever is asked (walking
    // on would cost a request per page of the length it seemed to have). Honest pages move by a few entries at most.
    if (older.length === 0) return;
    for (const job of older) seen.add(job.id);
    yield older.reverse();
    boundary = first.id;
    cursor = start;
  }
}

/**
 * The number of history entries, at least `atLeast` (known to exist): galloping, then halving, one entry a probe.
 * Undefined when the server ignores `offset`: an entry found again at a higher index (entries only ever move down, as
 * older ones are evicted) is the same answer given whatever was asked.
 */
async function historyLength(fetch: HistoryFetch, atLeast: number): Promise<number | undefined> {
  const found = new Set<string>();
  let offsetIgnored = false;
  const exists = async (index: number): Promise<boolean> => {
    const ids = Object.keys(historyBodySchema.parse(await fetch({ max_items: 1, offset: index })));
    if (ids.some((id) => found.has(id))) offsetIgnored = true;
    for (const id of ids) found.add(id);
    return ids.length > 0;
  };
  let low = atLeast; // an entry at low - 1
  let step = Math.max(1, atLeast);
  let high: number | undefined; // none at high - 1
  while (high === undefined) {
    const probe = low + step;
    if (probe > MAX_HISTORY_LENGTH) return low;
    const there = await exists(probe - 1);
    if (offsetIgnored) return undefined;
    if (there) {
      low = probe;
      step *= 2;
    } else {
      high = probe;
    }
  }
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    const there = await exists(middle - 1);
    if (offsetIgnored) return undefined;
    if (there) low = middle;
    else high = middle;
  }
  return low;
}
