// Time for the shell's small controllers, passed in so tests drive it by hand instead of sleeping.

/** Cancels a scheduled call; calling it after the call ran does nothing. */
export type Cancel = () => void;

export interface ShellClock {
  now(): number;
  schedule(fn: () => void, ms: number): Cancel;
}

/** Node's timers accept at most 2^31 - 1 ms; a longer delay would fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export const systemClock: ShellClock = {
  now: () => Date.now(),
  schedule: (fn, ms) => {
    const timer = setTimeout(fn, Math.min(Math.max(0, ms), MAX_TIMER_MS));
    return () => clearTimeout(timer);
  },
};
