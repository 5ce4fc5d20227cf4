// Holds V8's young generation (the space where new objects are made) at the size it starts with.
//
// Why: V8 doubles that space, up to 2 × 16 MiB, each time more bytes have survived its collections than the space
// holds. A burst of first looks at big queues (10,000 new tracked jobs, listings of tens of MB arriving at once)
// grows it to that maximum, and V8 gives the memory back only once the process has been quiet for about 15 s. For a
// tray app that is idle most of the time, that is ~30 MB of RSS held for nothing after every burst. Held at its
// starting size (1 MiB semi-spaces), the RSS after the looks of 10,000 jobs over 20 legacy servers falls from
// ~115 MB to ~85 MB, and neither message nor reconciliation throughput moves (docs/benchmarks.md, section 14).
//
// How: V8 reads `--semi-space-growth-factor` each time it grows the space, and a factor of 1 means it never grows.
// V8 raises values under 2 when it sets up a heap, so the flag cannot be given on the command line; set at run time
// it holds. Every new isolate's setup raises it again, for the whole process (flags are process-wide): a worker
// thread's start undoes the hold, so it is set again once the worker is online. Node and Electron's main process
// both let flags change after start. Were a V8 to stop reading the flag, nothing would break: the space would grow
// as it does by default.
import { setFlagsFromString } from 'node:v8';
import type { Worker } from 'node:worker_threads';

const HOLD = '--semi-space-growth-factor=1';
let held = false;

/** From now on the young generation no longer grows (the app's entry points call it first). */
export function holdYoungGeneration(): void {
  held = true;
  setFlagsFromString(HOLD);
}

/**
 * A worker's heap setup undoes the hold for the whole process: it is set again once the worker runs, and at each of
 * its answers, since a worker may start isolates of its own after that (run from source, the TypeScript loader's).
 */
export function keepHoldingAfterStart(worker: Worker): Worker {
  const again = (): void => {
    if (held) setFlagsFromString(HOLD);
  };
  worker.once('online', again);
  worker.on('message', again);
  return worker;
}
