// After sleep, screen unlock or a network change, sockets that look open may be dead and jobs may have finished:
// ask the engine to verify every connection now and catch up (one digest, not a storm).
import { networkInterfaces } from 'node:os';

export interface PowerEvents {
  on(event: 'resume' | 'unlock-screen', listener: () => void): unknown;
}

export function wirePowerEvents(power: PowerEvents, engine: { reconnectNow(): void }): void {
  power.on('resume', () => engine.reconnectNow());
  power.on('unlock-screen', () => engine.reconnectNow());
}

/** Calls `onChange` when a check finds the machine's addresses different from the last check. */
export function networkChangeDetector(onChange: () => void, read: () => string = addressSignature): { check(): void } {
  let last = read();
  return {
    check: () => {
      const now = read();
      if (now === last) return;
      last = now;
      onChange();
    },
  };
}

/**
 * Electron has no network-change event in the main process: compare the machine's addresses every few seconds
 * (cheap, no I/O) to notice Wi-Fi switches, VPNs and cables. Returns its stop.
 */
export function watchNetwork(onChange: () => void, intervalMs = 5_000): () => void {
  const detector = networkChangeDetector(onChange);
  const timer = setInterval(() => detector.check(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

export function addressSignature(): string {
  return Object.entries(networkInterfaces())
    .flatMap(([name, addresses]) => (addresses ?? []).filter((a) => !a.internal).map((a) => `${name}:${a.address}`))
    .sort()
    .join(',');
}
