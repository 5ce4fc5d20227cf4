// "Quit always quits": the app stops the engine cleanly (journal flushed, sockets closed) but never waits for it
// longer than a deadline. A hung socket or a stalled disk must not leave a process the user cannot end.
import { systemClock, type Cancel, type ShellClock } from './shell-clock.js';

export const QUIT_DEADLINE_MS = 5_000;

export type StopOutcome = 'stopped' | 'failed' | 'timed-out';

/** Runs `stop`, then `exit` exactly once: when stop settles or when the deadline passes, whichever comes first. */
export function stopThenExit(
  stop: () => Promise<unknown>,
  exit: (outcome: StopOutcome) => void,
  deadlineMs: number = QUIT_DEADLINE_MS,
  clock: Pick<ShellClock, 'schedule'> = systemClock,
): Promise<StopOutcome> {
  return new Promise<StopOutcome>((resolve) => {
    let done = false;
    let cancel: Cancel = () => undefined;
    const finish = (outcome: StopOutcome): void => {
      if (done) return;
      done = true;
      cancel();
      exit(outcome);
      resolve(outcome);
    };
    cancel = clock.schedule(() => finish('timed-out'), deadlineMs);
    // stop() may throw before returning a promise: that is a failed stop too, and the app still exits.
    Promise.resolve()
      .then(stop)
      .then(
        () => finish('stopped'),
        () => finish('failed'),
      );
  });
}
