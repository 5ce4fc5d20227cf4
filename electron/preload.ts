// The renderer's only door to the main process: exactly `TrayApi` (built in preload-api.ts), nothing else.
import { contextBridge, ipcRenderer } from 'electron';
import { createTrayApi } from './preload-api.js';

contextBridge.exposeInMainWorld('comfyTray', createTrayApi(ipcRenderer));
