// Stands in for the preload in a plain Chromium page: `window.comfyTray` is defined by an init script and talks to
// the test process through one exposed function (invokes) and page.evaluate (snapshot, patch and shell events), so
// the window is driven by a real core (Engine + AppStore) exactly as the shell drives it over IPC.
import type { Page } from 'playwright-core';
import type { AppSnapshot, EventMap, InvokeChannel, InvokeMap, TrayApi, VersionedPatches } from '../../../electron/shared/ipc-contract.js';

/** Answers for invoke channels; a channel without one rejects, as an unregistered IPC channel would. */
export type TrayHandlers = { [C in InvokeChannel]?: (...args: InvokeMap[C]['args']) => Promise<InvokeMap[C]['result']> | InvokeMap[C]['result'] };

export interface TraySource {
  snapshot(): AppSnapshot;
  /** Returns its unsubscribe. */
  subscribe(listener: (batch: VersionedPatches) => void): () => void;
  cancel(serverId: string, jobId: string): Promise<boolean>;
  /** Every other channel the test serves. */
  handlers?: TrayHandlers;
}

type InvokeMethod = Exclude<keyof TrayApi, `on${string}`>;

/** The preload's mapping from API method to channel (electron/preload.ts), for the page's stand-in. */
const METHOD_CHANNELS: { [M in InvokeMethod]: InvokeChannel } = {
  getSnapshot: 'state:get-snapshot',
  cancelJob: 'jobs:cancel',
  getSettings: 'settings:get',
  updateSettings: 'settings:update',
  testConnection: 'servers:test-connection',
  chooseOutputFolder: 'outputs:choose-folder',
  testForwarding: 'notifications:test-forward',
  removePending: 'jobs:remove-pending',
  clearPending: 'jobs:clear-pending',
  pauseQueue: 'queue:pause',
  resumeQueue: 'queue:resume',
  moveJobs: 'jobs:move',
  rerunJob: 'jobs:rerun',
  followJob: 'jobs:follow',
  getPreview: 'jobs:preview',
  getThumbnail: 'outputs:thumbnail',
  getOutputMedia: 'outputs:media',
  copyOutputImage: 'outputs:copy-image',
  openOutput: 'outputs:open',
  showOutputInFolder: 'outputs:show-in-folder',
  openServerWebUi: 'servers:open-web-ui',
  discoverLocalServer: 'servers:discover-local',
  openLogFolder: 'app:open-log-folder',
  openWorkflows: 'workflows:open',
  prepareWorkflow: 'workflows:prepare',
  submitWorkflow: 'workflows:submit',
  discardWorkflow: 'workflows:discard',
};

type EmitKind = 'snapshot' | 'patches' | 'showView' | 'focusJob' | 'workflowsOpened';

interface HarnessWindow {
  __trayEmit(kind: EmitKind, payload: unknown): void;
}

/**
 * Runs in the page before its scripts. A string, not a function: tsx rewrites test functions (adding helpers such
 * as `__name`) that would not exist in the page. Byte arrays cross the exposed function as plain arrays and are
 * rebuilt on each side.
 */
const INSTALL_FAKE_TRAY = `(() => {
  const methods = ${JSON.stringify(METHOD_CHANNELS)};
  const kinds = ['snapshot', 'patches', 'showView', 'focusJob', 'workflowsOpened'];
  const listeners = Object.fromEntries(kinds.map((kind) => [kind, new Set()]));
  const on = (kind, listener) => {
    listeners[kind].add(listener);
    return () => void listeners[kind].delete(listener);
  };
  const encode = (value) => JSON.parse(JSON.stringify(value, (key, v) => (v instanceof Uint8Array ? { __bytes: Array.from(v) } : v)));
  const decode = (value) => JSON.parse(JSON.stringify(value), (key, v) => (v && typeof v === 'object' && Array.isArray(v.__bytes) ? new Uint8Array(v.__bytes) : v));
  const api = {};
  for (const [method, channel] of Object.entries(methods)) {
    api[method] = async (...args) => decode(await window.__trayInvoke(channel, ...args.map(encode)));
  }
  for (const kind of kinds) api['on' + kind[0].toUpperCase() + kind.slice(1)] = (listener) => on(kind, listener);
  window.comfyTray = api;
  window.__trayEmit = (kind, payload) => {
    for (const listener of listeners[kind]) listener(decode(payload));
  };
})();`;

/** A Buffer reaches a JSON replacer already turned into `{ type: 'Buffer', data }` by its own toJSON. */
const isBufferJson = (v: unknown): v is { data: number[] } =>
  v !== null && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data);
const encodeBytes = (value: unknown): unknown =>
  value === undefined
    ? undefined
    : JSON.parse(JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? { __bytes: Array.from(v) } : isBufferJson(v) ? { __bytes: v.data } : v)));
const decodeBytes = (value: unknown): unknown =>
  value === undefined ? undefined : JSON.parse(JSON.stringify(value), (_key, v: unknown) => (v !== null && typeof v === 'object' && Array.isArray((v as { __bytes?: unknown }).__bytes) ? Uint8Array.from((v as { __bytes: number[] }).__bytes) : v));

export interface AttachedTray {
  (): void;
  /** Plays a shell event (a view to show, a job to focus, files opened outside the window). */
  emit<K extends 'showView' | 'focusJob' | 'workflowsOpened'>(kind: K, payload: K extends 'showView' ? EventMap['ui:show-view'] : K extends 'focusJob' ? EventMap['ui:focus-job'] : EventMap['ui:workflows-opened']): Promise<void>;
}

/** Call before page.goto. Returns a function that stops forwarding patches (and can emit shell events). */
export async function attachTray(page: Page, source: TraySource): Promise<AttachedTray> {
  await page.exposeFunction('__trayInvoke', async (channel: InvokeChannel, ...args: unknown[]) => {
    if (channel === 'state:get-snapshot') return source.snapshot();
    if (channel === 'jobs:cancel') return source.cancel(String(args[0]), String(args[1]));
    const handler = source.handlers?.[channel] as ((...a: unknown[]) => unknown) | undefined;
    if (!handler) throw new Error(`No handler for ${channel}`);
    return encodeBytes(await handler(...args.map(decodeBytes)));
  });
  await page.addInitScript({ content: INSTALL_FAKE_TRAY });
  const emit = (kind: EmitKind, payload: unknown): Promise<void> =>
    page.evaluate(({ k, p }) => (window as unknown as HarnessWindow).__trayEmit(k, p), { k: kind, p: encodeBytes(payload) });
  const stop = source.subscribe((batch) => {
    // A patch sent while the page navigates or closes is simply lost, like IPC to a hidden window.
    emit('patches', batch).catch(() => undefined);
  });
  return Object.assign(() => stop(), { emit: (kind: 'showView' | 'focusJob' | 'workflowsOpened', payload: unknown) => emit(kind, payload) }) as AttachedTray;
}

/** A core-less source for states that need no server (the empty window). */
export function staticSource(snapshot: AppSnapshot, handlers?: TrayHandlers): TraySource {
  return { snapshot: () => snapshot, subscribe: () => () => undefined, cancel: async () => false, ...(handlers && { handlers }) };
}
