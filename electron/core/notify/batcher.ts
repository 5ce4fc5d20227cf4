// Collects what arrives close together and hands it over in one go. The window restarts with each arrival, so a
// burst of 20 over a few seconds is one delivery; a steady stream is still delivered at least every few windows.
import type { PlannerClock } from './planner-clock.js';

export class Batcher<T> {
  private items: T[] = [];
  private timer: unknown;
  private startedAt = 0;

  constructor(
    private readonly clock: PlannerClock,
    /** Read at each arrival, so a changed setting applies to the next one. */
    private readonly windowMs: () => number,
    private readonly deliver: (items: T[]) => void,
    private readonly maxWindows = 6,
  ) {}

  add(item: T): void {
    if (this.items.length === 0) this.startedAt = this.clock.now();
    this.items.push(item);
    const window = this.windowMs();
    const deadline = this.startedAt + window * this.maxWindows;
    this.cancelTimer();
    this.timer = this.clock.setTimeout(() => this.flush(), Math.max(0, Math.min(window, deadline - this.clock.now())));
  }

  /** Removes and returns the waiting items that match (someone else tells them). */
  take(matches: (item: T) => boolean): T[] {
    const taken = this.items.filter(matches);
    this.items = this.items.filter((item) => !matches(item));
    if (this.items.length === 0) this.cancelTimer();
    return taken;
  }

  flush(): void {
    this.cancelTimer();
    const items = this.items;
    this.items = [];
    if (items.length > 0) this.deliver(items);
  }

  /** Drops what waits, without delivering it. */
  clear(): void {
    this.cancelTimer();
    this.items = [];
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
