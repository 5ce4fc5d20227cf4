// A clock the test moves by hand: batching windows and waits without sleeping.
import type { PlannerClock } from '../../../electron/core/notify/planner-clock.js';

export class ManualClock implements PlannerClock {
  time = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private next = 0;

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.next;
    this.timers.push({ at: this.time + ms, fn, id });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** Moves time on, firing each timer due on the way at its own time (a timer set by a timer fires too, if due). */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.clearTimeout(due.id);
      this.time = Math.max(this.time, due.at);
      due.fn();
    }
    this.time = target;
  }

  /** Timers still waiting: a planner at rest leaves none behind. */
  pending(): number {
    return this.timers.length;
  }
}
