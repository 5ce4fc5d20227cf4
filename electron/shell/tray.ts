// Applies what the tray controller decided to Electron's Tray (icon, tooltip, macOS title, menu) and the window's
// taskbar progress and dock badge. Nothing here decides anything: trayModel and TrayController did.
import { Menu, type MenuItemConstructorOptions, type Tray, app, nativeImage, type BrowserWindow } from 'electron';
import type { TrayView } from './tray-controller.js';
import type { TrayAction, TrayMenuItem } from './tray-model.js';
import { trayIconPath } from './tray-icons.js';

export function electronTrayView(tray: Tray, resourcesDir: string, run: (action: TrayAction) => void, window: () => BrowserWindow | undefined): TrayView {
  const mac = process.platform === 'darwin';
  return {
    setIcon: (icon) => {
      const image = nativeImage.createFromPath(trayIconPath(resourcesDir, icon, process.platform));
      if (mac) image.setTemplateImage(true);
      tray.setImage(image);
    },
    setToolTip: (tooltip) => tray.setToolTip(tooltip),
    setTitle: (title) => {
      if (mac) tray.setTitle(title);
    },
    setMenu: (menu) => tray.setContextMenu(Menu.buildFromTemplate(menu.map((item) => toMenuItem(item, run)))),
    setProgress: (progress, badgeCount) => {
      window()?.setProgressBar(progress ?? -1);
      if (mac) app.dock?.setBadge(badgeCount > 0 ? String(badgeCount) : '');
    },
  };
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
