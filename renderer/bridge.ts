// The only file that touches window.comfyTray.
import type { TrayApi } from '../electron/shared/ipc-contract.js';

declare global {
  interface Window {
    comfyTray: TrayApi;
  }
}

export function trayApi(): TrayApi {
  return window.comfyTray;
}
