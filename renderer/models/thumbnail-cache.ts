// Output thumbnails for the history rows, kept in a small LRU cache so scrolling back to a row shows its image
// without asking the main process again. Rows acquire an entry only when the windowed list renders them, so a
// history of 10,000 jobs costs a request per row actually seen. An evicted entry's blob: URL is revoked: the cache
// holds many more entries than the list ever shows at once, so the evicted ones are long out of view.
import { signal, type ReadonlySignal, type Signal } from '@preact/signals';
import type { ImageBytes } from '../../electron/shared/ipc-contract.js';
import { browserObjectUrls, type ObjectUrls } from './object-urls.js';

export type ThumbnailState =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly url: string }
  /** Not an image, or the server no longer has it: the row shows a placeholder. */
  | { readonly status: 'none' }
  | { readonly status: 'failed'; readonly message: string };

export type FetchThumbnail = (serverId: string, jobId: string, index: number) => Promise<ImageBytes | undefined>;

export const THUMBNAIL_CACHE_SIZE = 300;
/**
 * How long a row must stay in view before its thumbnail is asked for. In a fling rows are mounted for a frame or
 * two; asking for each costs a main-process read and resize, a Blob and a blob: URL (synchronous calls into the
 * browser process) and garbage that lands inside frames (docs/benchmarks.md §6).
 */
export const THUMBNAIL_SETTLE_MS = 150;

export class ThumbnailCache {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  private readonly entries = new Map<string, Signal<ThumbnailState>>();
  private disposed = false;

  constructor(
    private readonly fetch: FetchThumbnail,
    private readonly urls: ObjectUrls = browserObjectUrls,
    private readonly capacity = THUMBNAIL_CACHE_SIZE,
    readonly settleMs = THUMBNAIL_SETTLE_MS,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Already asked for (loading, shown or known to have none): a row scrolled back shows it at once. */
  has(serverId: string, jobId: string, index: number): boolean {
    return this.entries.has(`${serverId}/${jobId}/${index}`);
  }

  /** The thumbnail of output `index` of a job, fetched the first time it is asked for. */
  acquire(serverId: string, jobId: string, index: number): ReadonlySignal<ThumbnailState> {
    const key = `${serverId}/${jobId}/${index}`;
    const cached = this.entries.get(key);
    if (cached) {
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached;
    }
    const state = signal<ThumbnailState>({ status: 'loading' });
    this.entries.set(key, state);
    this.evict();
    this.fetch(serverId, jobId, index).then(
      (image) => {
        if (this.disposed || this.entries.get(key) !== state) return;
        state.value = image ? { status: 'ready', url: this.urls.create(image) } : { status: 'none' };
      },
      (error: unknown) => {
        // Not cached: a row mounted later (scrolled back into view) tries again.
        if (this.entries.get(key) === state) this.entries.delete(key);
        state.value = { status: 'failed', message: error instanceof Error ? error.message : String(error) };
      },
    );
    return state;
  }

  /** The window closes: every URL is revoked. */
  dispose(): void {
    this.disposed = true;
    for (const state of this.entries.values()) this.release(state);
    this.entries.clear();
  }

  private evict(): void {
    while (this.entries.size > this.capacity) {
      const [oldest, state] = this.entries.entries().next().value as [string, Signal<ThumbnailState>];
      this.entries.delete(oldest);
      this.release(state);
    }
  }

  private release(state: Signal<ThumbnailState>): void {
    const current = state.peek();
    if (current.status === 'ready') this.urls.revoke(current.url);
    // A late answer for a released entry is dropped (see acquire), so its URL is never created.
    state.value = { status: 'none' };
  }
}
