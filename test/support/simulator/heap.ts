// A binary min-heap that behaves exactly like Python's heapq (same sift rules), so the array order served by
// GET /queue (`queue_pending`) matches the real server: heap order, not sorted order.

export class PyHeap<T> {
  private items: T[] = [];

  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get length(): number {
    return this.items.length;
  }

  /** The heap array itself (heap order). */
  toArray(): T[] {
    return [...this.items];
  }

  push(item: T): void {
    this.items.push(item);
    this.siftDown(0, this.items.length - 1);
  }

  pop(): T | undefined {
    const last = this.items.pop();
    if (last === undefined || this.items.length === 0) return last;
    const top = this.items[0]!;
    this.items[0] = last;
    this.siftUp(0);
    return top;
  }

  /** Like the server's delete_queue_item: `queue.pop(i); heapq.heapify(queue)`. */
  removeAt(index: number): T | undefined {
    const [removed] = this.items.splice(index, 1);
    this.heapify();
    return removed;
  }

  findIndex(predicate: (item: T) => boolean): number {
    return this.items.findIndex(predicate);
  }

  clear(): void {
    this.items = [];
  }

  private heapify(): void {
    for (let i = Math.floor(this.items.length / 2) - 1; i >= 0; i--) this.siftUp(i);
  }

  // heapq._siftdown: move the item at `pos` up towards `start` while it is smaller than its parent.
  private siftDown(start: number, pos: number): void {
    const items = this.items;
    const item = items[pos]!;
    while (pos > start) {
      const parentPos = (pos - 1) >> 1;
      const parent = items[parentPos]!;
      if (!this.less(item, parent)) break;
      items[pos] = parent;
      pos = parentPos;
    }
    items[pos] = item;
  }

  // heapq._siftup: bubble the smaller child up until a leaf is reached, then sift the item down into place.
  private siftUp(pos: number): void {
    const items = this.items;
    const end = items.length;
    const start = pos;
    const item = items[pos]!;
    let child = 2 * pos + 1;
    while (child < end) {
      const right = child + 1;
      if (right < end && !this.less(items[child]!, items[right]!)) child = right;
      items[pos] = items[child]!;
      pos = child;
      child = 2 * pos + 1;
    }
    items[pos] = item;
    this.siftDown(start, pos);
  }
}
