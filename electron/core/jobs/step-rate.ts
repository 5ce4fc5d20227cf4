// How fast a node's steps go (a sampler's it/s), from the progress messages as they arrive: the steps done between
// two messages over the time between them, smoothed, so one late message does not make the figure jump. A new node,
// or a counter that went back, starts over.

export interface StepRate {
  readonly node: string | undefined;
  readonly value: number;
  readonly at: number;
  /** Undefined until two messages of the same node were seen. */
  readonly perSecond?: number;
}

/** Weight of the newest measure (the rest is the previous figure). */
const SMOOTHING = 0.3;

export function nextStepRate(previous: StepRate | undefined, node: string | undefined, value: number, at: number): StepRate {
  if (!previous || previous.node !== node || value <= previous.value || at <= previous.at) {
    // Same node, same count (a repeated message): keep what is known.
    if (previous && previous.node === node && value === previous.value) return previous;
    return { node, value, at };
  }
  const now = (value - previous.value) / ((at - previous.at) / 1000);
  const perSecond = previous.perSecond === undefined ? now : previous.perSecond * (1 - SMOOTHING) + now * SMOOTHING;
  return { node, value, at, perSecond };
}
