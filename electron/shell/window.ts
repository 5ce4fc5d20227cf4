// The one window. Its security options are written out here, in the constructor call itself, so they are read at a
// glance (and by the Electron security scanner that runs with the tests).
import { BrowserWindow } from 'electron';

export function createMainWindow(preloadPath: string): BrowserWindow {
  return new BrowserWindow({
    width: 420,
    height: 640,
    minWidth: 360,
    minHeight: 400,
    show: false,
    title: 'Comfy Tray',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
      // Middle-click would otherwise open links in new windows.
      disableBlinkFeatures: 'Auxclick',
    },
  });
}
