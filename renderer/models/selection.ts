// Which pending jobs the user picked (by job key), for Remove and Move on many at once. Jobs that leave the pending
// list drop out of the selection by themselves (`within`), so an action never reaches a job that started meanwhile
// because it was still ticked.
import { signal } from '@preact/signals';

export class Selection {
  readonly keys = signal<ReadonlySet<string>>(new Set());
  /** Where a shift-click range starts: the last row ticked or unticked alone. */
  private anchor: string | undefined;

  has(key: string): boolean {
    return this.keys.value.has(key);
  }

  /** Ticks or unticks one row; with `range`, everything from the anchor to this row (in `order`) takes its new state. */
  toggle(key: string, order: readonly string[], range = false): void {
    const next = new Set(this.keys.peek());
    const on = !next.has(key);
    const from = this.anchor === undefined ? -1 : order.indexOf(this.anchor);
    const to = order.indexOf(key);
    if (range && from >= 0 && to >= 0) {
      for (let i = Math.min(from, to); i <= Math.max(from, to); i++) {
        if (on) next.add(order[i]!);
        else next.delete(order[i]!);
      }
    } else if (on) next.add(key);
    else next.delete(key);
    this.anchor = key;
    this.keys.value = next;
  }

  setAll(keys: readonly string[]): void {
    this.keys.value = new Set(keys);
  }

  clear(): void {
    if (this.keys.peek().size > 0) this.keys.value = new Set();
    this.anchor = undefined;
  }

  /** The selected keys still in `present`, in its order. */
  within(present: readonly string[]): string[] {
    const keys = this.keys.value;
    return keys.size === 0 ? [] : present.filter((key) => keys.has(key));
  }
}
