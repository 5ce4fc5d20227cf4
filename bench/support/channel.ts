// The child's side of the parent channel (bench/support/child.ts is the parent's): kept apart so that client
// bundles do not pull in esbuild.

export interface ParentChannel<In, Out> {
  send(message: Out): void;
  next(): Promise<In>;
  /** Sends the last message, then exits: clients may leave sockets and timers behind on purpose. */
  finish(message: Out): void;
}

export function parentChannel<In, Out>(): ParentChannel<In, Out> {
  const inbox: In[] = [];
  const waiters: ((message: In) => void)[] = [];
  // A parent that died (or gave up on us) must not leave a client running; a killed client still runs its 'exit'
  // handlers (temporary data directories).
  process.once('disconnect', () => process.exit(1));
  process.once('SIGTERM', () => process.exit(0));
  process.on('message', (message) => {
    const waiter = waiters.shift();
    if (waiter) waiter(message as In);
    else inbox.push(message as In);
  });
  return {
    send: (message) => {
      process.send?.(message as object);
    },
    next: () => {
      const queued = inbox.shift();
      return queued !== undefined ? Promise.resolve(queued) : new Promise((resolve) => waiters.push(resolve));
    },
    finish: (message) => {
      process.send?.(message as object, () => process.exit(0));
    },
  };
}
