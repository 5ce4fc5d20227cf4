// What of the app state goes to the window. Patches go only to a window the user can see (a hidden one would
// re-render for nobody, thirty times a second); patches skipped meanwhile are not replayed: the moment the window
// becomes visible it gets one fresh snapshot instead. That covers the first show too: a new window loads hidden,
// asks for its snapshot, and misses every patch until `ready-to-show`.
import type { AppSnapshot, EventMap, VersionedPatches } from '../shared/ipc-contract.js';

export interface FeedWindow {
  isVisible(): boolean;
  send<C extends 'state:snapshot' | 'state:patches'>(channel: C, payload: EventMap[C]): void;
}

export type PatchDelivery = 'send' | 'skip';

/** The one rule: send while visible, skip otherwise (the next show sends a snapshot). */
export function patchDelivery(window: { readonly visible: boolean } | undefined): PatchDelivery {
  return window?.visible === true ? 'send' : 'skip';
}

export class WindowStateFeed {
  constructor(
    private readonly store: { snapshot(): AppSnapshot },
    private readonly window: () => FeedWindow | undefined,
  ) {}

  patches(batch: VersionedPatches): void {
    const window = this.window();
    if (window && patchDelivery({ visible: window.isVisible() }) === 'send') window.send('state:patches', batch);
  }

  /** The window became visible (shown, restored): whatever it missed while hidden is in this snapshot. */
  shown(): void {
    this.window()?.send('state:snapshot', this.store.snapshot());
  }
}
