// Stands in for the preload in a plain Chromium page: `window.comfyTray` is defined by an init script and talks to
// the test process through one exposed function (invokes) and page.evaluate (snapshot and patch events), so the
// window is driven by a real core (Engine + AppStore) exactly as the shell drives it over IPC.
import type { Page } from 'playwright-core';
import type { AppSnapshot, VersionedPatches } from '../../../electron/shared/ipc-contract.js';

export interface TraySource {
  snapshot(): AppSnapshot;
  /** Returns its unsubscribe. */
  subscribe(listener: (batch: VersionedPatches) => void): () => void;
  cancel(serverId: string, jobId: string): Promise<boolean>;
}

interface HarnessWindow {
  __trayEmit(kind: 'snapshot' | 'patches', payload: unknown): void;
}

/**
 * Runs in the page before its scripts. A string, not a function: tsx rewrites test functions (adding helpers such
 * as `__name`) that would not exist in the page.
 */
const INSTALL_FAKE_TRAY = `(() => {
  const listeners = { snapshot: new Set(), patches: new Set() };
  const on = (kind, listener) => {
    listeners[kind].add(listener);
    return () => void listeners[kind].delete(listener);
  };
  window.comfyTray = {
    getSnapshot: () => window.__trayInvoke('state:get-snapshot'),
    cancelJob: (serverId, jobId) => window.__trayInvoke('jobs:cancel', serverId, jobId),
    onSnapshot: (listener) => on('snapshot', listener),
    onPatches: (listener) => on('patches', listener),
    // Shell-driven events (show a view, focus a job) never fire in these tests.
    onShowView: () => () => undefined,
    onFocusJob: () => () => undefined,
  };
  window.__trayEmit = (kind, payload) => {
    for (const listener of listeners[kind]) listener(payload);
  };
})();`;

/** Call before page.goto. Returns a function that stops forwarding patches. */
export async function attachTray(page: Page, source: TraySource): Promise<() => void> {
  await page.exposeFunction('__trayInvoke', async (channel: string, ...args: unknown[]) => {
    if (channel === 'state:get-snapshot') return source.snapshot();
    if (channel === 'jobs:cancel') return source.cancel(String(args[0]), String(args[1]));
    throw new Error(`No handler for ${channel}`);
  });
  await page.addInitScript({ content: INSTALL_FAKE_TRAY });
  return source.subscribe((batch) => {
    // A patch sent while the page navigates or closes is simply lost, like IPC to a hidden window.
    page.evaluate((b) => (window as unknown as HarnessWindow).__trayEmit('patches', b), batch).catch(() => undefined);
  });
}

/** A core-less source for states that need no server (the empty window). */
export function staticSource(snapshot: AppSnapshot): TraySource {
  return { snapshot: () => snapshot, subscribe: () => () => undefined, cancel: async () => false };
}
