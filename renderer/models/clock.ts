// One shared "now" for elapsed times and retry countdowns: a single timer, and only the components that read it
// re-render each second.
import { signal, type Signal } from '@preact/signals';

export interface Clock {
  readonly now: Signal<number>;
  start(): () => void;
}

export function createClock(periodMs = 1000, read: () => number = Date.now): Clock {
  const now = signal(read());
  return {
    now,
    start() {
      now.value = read();
      const timer = setInterval(() => (now.value = read()), periodMs);
      return () => clearInterval(timer);
    },
  };
}
