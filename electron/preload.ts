// The renderer's only door to the main process: exactly `TrayApi`, nothing else.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { AppSnapshot, ConnectionTestInput, ConnectionTestResult, EventMap, SettingsPatch, SettingsUpdateResult, SettingsView, TrayApi, VersionedPatches } from './shared/ipc-contract.js';

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
} satisfies TrayApi;

contextBridge.exposeInMainWorld('comfyTray', api);
