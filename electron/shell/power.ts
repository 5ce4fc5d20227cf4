// After sleep, screen unlock or a network change, sockets that look open may be dead and jobs may have finished:
// ask the engine to verify every connection now and catch up (one digest, not a storm).
export interface PowerEvents {
  on(event: 'resume' | 'unlock-screen', listener: () => void): unknown;
}

export function wirePowerEvents(power: PowerEvents, engine: { reconnectNow(): void }): void {
  power.on('resume', () => engine.reconnectNow());
  power.on('unlock-screen', () => engine.reconnectNow());
}
