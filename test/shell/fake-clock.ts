// A clock the test moves by hand: scheduled calls run, in time order, when `advance` passes their time.
import type { Cancel, ShellClock } from '../../electron/shell/shell-clock.js';

export class FakeClock implements ShellClock {
  private timers: { at: number; seq: number; fn: () => void }[] = [];
  private seq = 0;

  constructor(private time = 0) {}

  now(): number {
    return this.time;
  }

  schedule(fn: () => void, ms: number): Cancel {
    const timer = { at: this.time + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => void (this.timers = this.timers.filter((t) => t !== timer));
  }

  /** Calls waiting now or later, for the assertions that nothing is left behind. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, running every call that falls due (including ones scheduled on the way). */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = next.at;
      next.fn();
    }
    this.time = end;
  }
}
