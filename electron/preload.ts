// The renderer's only door to the main process: exactly `TrayApi`, nothing else.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { AppSnapshot, TrayApi, VersionedPatches } from './shared/ipc-contract.js';

const api = {
  getSnapshot: () => ipcRenderer.invoke('state:get-snapshot') as Promise<AppSnapshot>,
  cancelJob: (serverId: string, jobId: string) => ipcRenderer.invoke('jobs:cancel', serverId, jobId) as Promise<boolean>,
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
} satisfies TrayApi;

contextBridge.exposeInMainWorld('comfyTray', api);
