// Applies a TrayModel to Electron's Tray (icon, tooltip, macOS title, menu) and the window's taskbar progress and
// dock badge. Nothing here decides anything: trayModel did.
import { Menu, type MenuItemConstructorOptions, type Tray, app, nativeImage, type BrowserWindow } from 'electron';
import type { TrayAction, TrayMenuItem, TrayModel } from './tray-model.js';
import { trayIconPath } from './tray-icons.js';

export function applyTrayModel(tray: Tray, model: TrayModel, resourcesDir: string, run: (action: TrayAction) => void, window: BrowserWindow | undefined): void {
  const image = nativeImage.createFromPath(trayIconPath(resourcesDir, model.icon, process.platform));
  if (process.platform === 'darwin') image.setTemplateImage(true);
  tray.setImage(image);
  tray.setToolTip(model.tooltip);
  if (process.platform === 'darwin') tray.setTitle(model.title);
  tray.setContextMenu(Menu.buildFromTemplate(model.menu.map((item) => toMenuItem(item, run))));
  window?.setProgressBar(model.progress ?? -1);
  if (process.platform === 'darwin') app.dock?.setBadge(model.badgeCount > 0 ? String(model.badgeCount) : '');
}

function toMenuItem(item: TrayMenuItem, run: (action: TrayAction) => void): MenuItemConstructorOptions {
  switch (item.kind) {
    case 'separator':
      return { type: 'separator' };
    case 'label':
      return { label: item.label, enabled: false };
    case 'action':
      return { label: item.label, enabled: item.enabled ?? true, click: () => run(item.action) };
    case 'submenu':
      return { label: item.label, submenu: item.items.map((child) => toMenuItem(child, run)) };
  }
}
