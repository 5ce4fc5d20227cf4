// The server's in-memory history: insertion order, re-used prompt ids keep their original position, capped.
import type { HistoryEntry } from './types.js';

export const MAXIMUM_HISTORY_SIZE = 10000;

export class History {
  private entries = new Map<string, HistoryEntry>();

  get size(): number {
    return this.entries.size;
  }

  /** task_done: evict the oldest entry first when over the cap, then store (same key keeps its position). */
  put(promptId: string, entry: HistoryEntry): void {
    if (this.entries.size > MAXIMUM_HISTORY_SIZE) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(promptId, entry);
  }

  get(promptId: string): HistoryEntry | undefined {
    return this.entries.get(promptId);
  }

  has(promptId: string): boolean {
    return this.entries.has(promptId);
  }

  delete(promptId: string): void {
    this.entries.delete(promptId);
  }

  clear(): void {
    this.entries.clear();
  }

  all(): [string, HistoryEntry][] {
    return [...this.entries];
  }

  /** PromptQueue.get_history(max_items, offset) without a prompt id. */
  page(maxItems: number | undefined, offset: number): [string, HistoryEntry][] {
    let start = offset;
    if (start < 0 && maxItems !== undefined) start = this.entries.size - maxItems;
    const out: [string, HistoryEntry][] = [];
    let i = 0;
    for (const entry of this.entries) {
      if (i >= start) {
        out.push(entry);
        if (maxItems !== undefined && out.length >= maxItems) break;
      }
      i++;
    }
    return out;
  }
}
