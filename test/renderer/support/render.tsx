// Renders the window (or one component) with fake services, and small helpers to wait for Preact and query by text.
import './dom.js';
import type { ComponentChild } from 'preact';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import type { JobView, ServerView } from '../../../electron/shared/app-state.js';
import type { AppSnapshot, ConnectionTestInput, EventMap, FolderTarget, ForwardTargetInput, SettingsPatch, SettingsView, TrayApi, VersionedPatches } from '../../../electron/shared/ipc-contract.js';
import { App } from '../../../renderer/components/App.js';
import { createClock } from '../../../renderer/models/clock.js';
import { connectModel } from '../../../renderer/models/connect.js';
import { DropModel, connectDrop } from '../../../renderer/models/drop-model.js';
import { FeedbackModel } from '../../../renderer/models/feedback-model.js';
import { QueueModel } from '../../../renderer/models/queue-model.js';
import { SettingsModel, type SettingsApi } from '../../../renderer/models/settings-model.js';
import { ViewModel, connectView } from '../../../renderer/models/view-model.js';
import { ViewerModel } from '../../../renderer/models/viewer-model.js';
import { ServicesContext, type Services } from '../../../renderer/services.js';

/** The window actions a test can answer differently; every call is recorded in `calls`. */
export type ActionApi = Omit<TrayApi, 'getSnapshot' | 'cancelJob' | 'onSnapshot' | 'onPatches' | 'onShowView' | 'onFocusJob' | 'onWorkflowsOpened' | keyof SettingsApi>;

const DEFAULT_ACTIONS: ActionApi = {
  removePending: async () => ({ ok: true }),
  clearPending: async () => ({ ok: true }),
  pauseQueue: async () => ({ ok: true, done: [], skipped: [] }),
  resumeQueue: async () => ({ ok: true, done: [], skipped: [] }),
  moveJobs: async (_serverId, jobIds) => ({ ok: true, done: [...jobIds], skipped: [] }),
  rerunJob: async () => ({ ok: true, promptId: '00000000-0000-4000-8000-000000000001' }),
  followJob: async () => ({ ok: true }),
  getPreview: async () => undefined,
  getThumbnail: async () => undefined,
  getOutputMedia: async () => ({ ok: false, code: 'TEST', message: 'not configured in this test' }),
  copyOutputImage: async () => ({ ok: true }),
  openOutput: async () => ({ ok: true }),
  showOutputInFolder: async () => ({ ok: true }),
  openServerWebUi: async () => ({ ok: true }),
  discoverLocalServer: async () => ({ found: false, url: 'http://127.0.0.1:8188', message: 'Nothing answers at http://127.0.0.1:8188' }),
  openLogFolder: async () => ({ ok: true }),
  openWorkflows: async () => [],
  prepareWorkflow: async () => ({ ok: false, code: 'TEST', message: 'not configured in this test', problems: [] }),
  submitWorkflow: async () => ({ ok: false, code: 'TEST', message: 'not configured in this test', problems: [], promptIds: [] }),
  discardWorkflow: async () => undefined,
};

export interface FakeTray {
  readonly api: TrayApi;
  /** Window actions in call order: method name and arguments. */
  readonly calls: { readonly method: keyof ActionApi; readonly args: readonly unknown[] }[];
  /** What the action methods answer; tests replace entries. */
  actions: ActionApi;
  /** Plays the shell's "files opened outside the window" event. */
  openWorkflows(workflows: EventMap['ui:workflows-opened']): Promise<void>;
  readonly cancelled: [string, string][];
  /** What the settings channels answer; tests replace its functions. */
  settingsApi: SettingsApi;
  showView(view: 'queue' | 'settings'): Promise<void>;
  readonly copied: string[];
  push(batch: VersionedPatches): Promise<void>;
  cancelResult: () => Promise<boolean>;
}

export interface Rendered extends FakeTray {
  readonly root: HTMLElement;
  readonly services: Services;
  unmount(): void;
}

export const DEFAULT_SETTINGS: SettingsView = {
  servers: [{ id: 'local', name: 'Local ComfyUI', url: 'http://127.0.0.1:8188', auth: { kind: 'none' }, enabled: true }],
  outputs: { enabled: true, template: '{server}/{date}/{filename}', saveTemp: false, sidecar: false },
  notifications: { enabled: true, kinds: { success: true, failure: true, cancelled: false, lost: true, queueFinished: false }, batchWindowMs: 2500, sound: false, forwarding: [] },
  general: { startAtLogin: false, theme: 'system', journalJobsPerServer: 1000 },
};

const DEFAULT_SETTINGS_API: SettingsApi = {
  getSettings: async () => DEFAULT_SETTINGS,
  updateSettings: async () => ({ ok: true, settings: DEFAULT_SETTINGS, warnings: [] }),
  testConnection: async () => ({ ok: false, code: 'COMFY_UNREACHABLE', message: 'not configured in this test' }),
  chooseOutputFolder: async () => ({ ok: true }),
  testForwarding: async () => ({ ok: false, code: 'FORWARD_UNREACHABLE', message: 'not configured in this test' }),
};

export const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

export function server(id: string, extra: Partial<ServerView> = {}): ServerView {
  return { id, name: `Server ${id}`, url: `http://${id}.local:8188/`, state: 'connected', version: '0.3.60', ...extra };
}

export function job(id: string, extra: Partial<JobView> = {}): JobView {
  return { serverId: 'a', id, status: 'completed', submittedBy: 'other', outputs: [], workflowName: `Workflow ${id}`, createdAt: NOW - 60_000, ...extra };
}

export async function flush(): Promise<void> {
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
}

export async function renderApp(snapshot: AppSnapshot, view: ComponentChild, options: { thumbnailSettleMs?: number } = {}): Promise<Rendered> {
  let showView: ((view: 'queue' | 'settings') => void) | undefined;
  let patchListener: ((batch: VersionedPatches) => void) | undefined;
  let workflowsListener: ((workflows: EventMap['ui:workflows-opened']) => void) | undefined;
  const calls: FakeTray['calls'] = [];
  const actionApi = Object.fromEntries(
    (Object.keys(DEFAULT_ACTIONS) as (keyof ActionApi)[]).map((method) => [
      method,
      (...args: unknown[]) => {
        calls.push({ method, args });
        return (fake.actions[method] as (...a: unknown[]) => unknown)(...args);
      },
    ]),
  ) as unknown as ActionApi;
  const cancelled: [string, string][] = [];
  const copied: string[] = [];
  const api: TrayApi = {
    ...actionApi,
    onWorkflowsOpened: (listener: (workflows: EventMap['ui:workflows-opened']) => void) => {
      workflowsListener = listener;
      return () => (workflowsListener = undefined);
    },
    getSnapshot: async () => snapshot,
    cancelJob: async (serverId: string, jobId: string) => {
      cancelled.push([serverId, jobId]);
      return fake.cancelResult();
    },
    onSnapshot: () => () => undefined,
    onPatches: (listener: (batch: VersionedPatches) => void) => {
      patchListener = listener;
      return () => (patchListener = undefined);
    },
    onShowView: (listener: (view: 'queue' | 'settings') => void) => {
      showView = listener;
      return () => (showView = undefined);
    },
    onFocusJob: () => () => undefined,
    getSettings: async () => fake.settingsApi.getSettings(),
    updateSettings: async (patch: SettingsPatch) => fake.settingsApi.updateSettings(patch),
    testConnection: async (input: ConnectionTestInput) => fake.settingsApi.testConnection(input),
    testForwarding: async (target: ForwardTargetInput) => fake.settingsApi.testForwarding(target),
    chooseOutputFolder: async (target: FolderTarget) => fake.settingsApi.chooseOutputFolder(target),
  };
  const fake: FakeTray = {
    calls,
    actions: { ...DEFAULT_ACTIONS },
    openWorkflows: async (workflows) => {
      await act(() => workflowsListener?.(workflows));
    },
    cancelled,
    copied,
    cancelResult: async () => true,
    api,
    settingsApi: { ...DEFAULT_SETTINGS_API },
    showView: async (view) => {
      await act(() => showView?.(view));
    },
    push: async (batch) => {
      await act(() => patchListener?.(batch));
    },
  };
  const clock = createClock(1000, () => NOW);
  const model = new QueueModel();
  const feedback = new FeedbackModel(50);
  const services: Services = {
    api: fake.api,
    model,
    feedback,
    clock,
    view: new ViewModel(),
    settings: new SettingsModel(api),
    // No debounce: a test sees the preflight request as soon as the option changes.
    drop: new DropModel(fake.api, model.servers, feedback, { debounceMs: 0, okLifetimeMs: 50 }),
    viewer: new ViewerModel((target) => fake.api.getOutputMedia(target.serverId, target.jobId, target.index), { create: (file) => `blob:test/${file.mime}/${file.bytes.length}`, revoke: () => undefined }),
    copyText: async (text) => void copied.push(text),
    // Thumbnails at once unless a test looks at the settle delay itself.
    thumbnailSettleMs: options.thumbnailSettleMs ?? 0,
  };
  const root = document.createElement('div');
  document.body.appendChild(root);
  const offModel = connectModel(services.model, fake.api, (error) => {
    throw error;
  });
  const offView = connectView(services.view, fake.api);
  const offDrop = connectDrop(services.drop, fake.api);
  const off = (): void => {
    offModel();
    offView();
    offDrop();
    services.drop.dispose();
  };
  await act(() => render(<ServicesContext.Provider value={services}>{view}</ServicesContext.Provider>, root));
  await flush();
  return Object.assign(fake, {
    root,
    services,
    unmount() {
      off();
      render(null, root);
      root.remove();
    },
  });
}

/** Types into a field as a user does: its value changes and an `input` event bubbles. */
export async function typeInto(input: HTMLInputElement, text: string): Promise<void> {
  await act(() => {
    input.value = text;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

/** The app with one server (`a`), its Settings view open, the settings answered as given. */
export async function openSettingsWith(settings: SettingsView): Promise<Rendered> {
  const rendered = await renderApp({ version: 1, servers: [server('a')], jobs: [] }, <App />);
  rendered.settingsApi.getSettings = async () => settings;
  await act(() => byText(rendered.root, 'button', 'Settings').click());
  await flush();
  return rendered;
}

export function byText(root: ParentNode, selector: string, text: string | RegExp): HTMLElement {
  const found = [...root.querySelectorAll<HTMLElement>(selector)].find((el) => (typeof text === 'string' ? el.textContent?.includes(text) : text.test(el.textContent ?? '')));
  if (!found) throw new Error(`No ${selector} with text ${String(text)} in:\n${((root as HTMLElement).innerHTML ?? '').slice(0, 400)}`);
  return found;
}
