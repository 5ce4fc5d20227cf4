// PromptQueue of the real server: a heap of pending items ordered by (number, prompt_id), the running items,
// and a `status` broadcast (via onUpdated) on every change.
import { PyHeap } from './heap.js';
import type { QueueItem } from './types.js';

function lessItem(a: QueueItem, b: QueueItem): boolean {
  if (a.number !== b.number) return a.number < b.number;
  return a.promptId < b.promptId;
}

export class PromptQueue {
  private readonly pending = new PyHeap<QueueItem>(lessItem);
  private readonly running = new Map<number, QueueItem>();
  private taskCounter = 0;

  constructor(private readonly onUpdated: () => void) {}

  /** queue_remaining: pending + running. */
  remaining(): number {
    return this.pending.length + this.running.size;
  }

  pendingCount(): number {
    return this.pending.length;
  }

  put(item: QueueItem): void {
    this.pending.push(item);
    this.onUpdated();
  }

  /** Takes the next item to run (status broadcast), or undefined when nothing is pending. */
  get(): { item: QueueItem; taskId: number } | undefined {
    const item = this.pending.pop();
    if (!item) return undefined;
    const taskId = this.taskCounter++;
    this.running.set(taskId, item);
    this.onUpdated();
    return { item, taskId };
  }

  /** Removes the running item (the caller writes history), then broadcasts status. */
  taskDone(taskId: number, writeHistory: (item: QueueItem) => void): void {
    const item = this.running.get(taskId);
    this.running.delete(taskId);
    if (item) writeHistory(item);
    this.onUpdated();
  }

  /** Drops a running item without history or broadcast (server killed mid-run). */
  dropRunning(taskId: number): void {
    this.running.delete(taskId);
  }

  runningItems(): QueueItem[] {
    return [...this.running.values()];
  }

  pendingItems(): QueueItem[] {
    return this.pending.toArray();
  }

  /** delete_queue_item: the first match in heap order; deleting the last item goes through wipe (two broadcasts). */
  deletePending(predicate: (item: QueueItem) => boolean): QueueItem | undefined {
    const index = this.pending.findIndex(predicate);
    if (index < 0) return undefined;
    const items = this.pending.toArray();
    const removed = items[index]!;
    if (this.pending.length === 1) this.wipe();
    else this.pending.removeAt(index);
    this.onUpdated();
    return removed;
  }

  /** wipe_queue: drops every pending item and broadcasts status (even when already empty). */
  wipe(): QueueItem[] {
    const removed = this.pending.toArray();
    this.pending.clear();
    this.onUpdated();
    return removed;
  }

  isRunning(promptId: string): boolean {
    return this.runningItems().some((item) => item.promptId === promptId);
  }

  /** Restart: forget everything silently. */
  reset(): void {
    this.pending.clear();
    this.running.clear();
    this.taskCounter = 0;
  }
}
