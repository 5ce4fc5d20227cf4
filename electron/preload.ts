// The renderer's only door to the main process: exactly `TrayApi`, nothing else.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type {
  ActionResult,
  AppSnapshot,
  ConnectionTestInput,
  ConnectionTestResult,
  DiscoveryResult,
  DropOptions,
  DroppedFile,
  EventMap,
  ImageBytes,
  OpenedWorkflow,
  PrepareResult,
  RerunResult,
  SettingsPatch,
  SettingsUpdateResult,
  SettingsView,
  TrayApi,
  VersionedPatches,
  WorkflowSubmitResult,
} from './shared/ipc-contract.js';

function subscribe<C extends keyof EventMap>(channel: C, listener: (payload: EventMap[C]) => void): () => void {
  const handler = (_event: IpcRendererEvent, payload: EventMap[C]): void => listener(payload);
  ipcRenderer.on(channel, handler);
  return () => {
    ipcRenderer.removeListener(channel, handler);
  };
}

const api = {
  getSnapshot: () => ipcRenderer.invoke('state:get-snapshot') as Promise<AppSnapshot>,
  cancelJob: (serverId: string, jobId: string) => ipcRenderer.invoke('jobs:cancel', serverId, jobId) as Promise<boolean>,
  getSettings: () => ipcRenderer.invoke('settings:get') as Promise<SettingsView>,
  updateSettings: (patch: SettingsPatch) => ipcRenderer.invoke('settings:update', patch) as Promise<SettingsUpdateResult>,
  testConnection: (server: ConnectionTestInput) => ipcRenderer.invoke('servers:test-connection', server) as Promise<ConnectionTestResult>,
  pickFolder: () => ipcRenderer.invoke('dialog:pick-folder') as Promise<string | undefined>,
  removePending: (serverId: string, jobIds: readonly string[]) => ipcRenderer.invoke('jobs:remove-pending', serverId, jobIds) as Promise<ActionResult>,
  clearPending: (serverId: string) => ipcRenderer.invoke('jobs:clear-pending', serverId) as Promise<ActionResult>,
  rerunJob: (serverId: string, jobId: string) => ipcRenderer.invoke('jobs:rerun', serverId, jobId) as Promise<RerunResult>,
  getPreview: (serverId: string, jobId: string) => ipcRenderer.invoke('jobs:preview', serverId, jobId) as Promise<ImageBytes | undefined>,
  getThumbnail: (serverId: string, jobId: string, index: number) => ipcRenderer.invoke('outputs:thumbnail', serverId, jobId, index) as Promise<ImageBytes | undefined>,
  openOutput: (serverId: string, jobId: string, index: number) => ipcRenderer.invoke('outputs:open', serverId, jobId, index) as Promise<ActionResult>,
  showOutputInFolder: (serverId: string, jobId: string, index: number) => ipcRenderer.invoke('outputs:show-in-folder', serverId, jobId, index) as Promise<ActionResult>,
  openServerWebUi: (serverId: string) => ipcRenderer.invoke('servers:open-web-ui', serverId) as Promise<ActionResult>,
  discoverLocalServer: () => ipcRenderer.invoke('servers:discover-local') as Promise<DiscoveryResult>,
  openLogFolder: () => ipcRenderer.invoke('app:open-log-folder') as Promise<ActionResult>,
  openWorkflows: (files: readonly DroppedFile[]) => ipcRenderer.invoke('workflows:open', files) as Promise<readonly OpenedWorkflow[]>,
  prepareWorkflow: (token: string, serverId: string, options: DropOptions) => ipcRenderer.invoke('workflows:prepare', token, serverId, options) as Promise<PrepareResult>,
  submitWorkflow: (token: string, serverId: string, options: DropOptions & { readonly uploadInputs: boolean }) =>
    ipcRenderer.invoke('workflows:submit', token, serverId, options) as Promise<WorkflowSubmitResult>,
  discardWorkflow: (token: string) => ipcRenderer.invoke('workflows:discard', token) as Promise<void>,
  onSnapshot: (listener: (snapshot: AppSnapshot) => void) => {
    const handler = (_event: IpcRendererEvent, snapshot: AppSnapshot): void => listener(snapshot);
    ipcRenderer.on('state:snapshot', handler);
    return () => {
      ipcRenderer.removeListener('state:snapshot', handler);
    };
  },
  onPatches: (listener: (batch: VersionedPatches) => void) => {
    const handler = (_event: IpcRendererEvent, batch: VersionedPatches): void => listener(batch);
    ipcRenderer.on('state:patches', handler);
    return () => {
      ipcRenderer.removeListener('state:patches', handler);
    };
  },
  onShowView: (listener: (view: EventMap['ui:show-view']) => void) => subscribe('ui:show-view', listener),
  onFocusJob: (listener: (job: EventMap['ui:focus-job']) => void) => subscribe('ui:focus-job', listener),
  onWorkflowsOpened: (listener: (workflows: EventMap['ui:workflows-opened']) => void) => subscribe('ui:workflows-opened', listener),
} satisfies TrayApi;

contextBridge.exposeInMainWorld('comfyTray', api);
