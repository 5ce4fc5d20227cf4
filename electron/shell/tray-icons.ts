// Every tray icon file the app ships, by platform: one list used by scripts/make-icons.ts to write them and by the
// tray adapter to find them.
import { icoFromPngs, trayIconPng } from './icon-png.js';
import type { TrayIconName } from './tray-model.js';

export const TRAY_ICON_NAMES: readonly TrayIconName[] = [
  'idle',
  'attention',
  'offline',
  'paused',
  ...Array.from({ length: 11 }, (_, i): TrayIconName => `running-${i}`),
];

/** Relative to resources/: macOS template images (@1x/@2x), Windows .ico, Linux PNG (and @2x). */
export function trayIconFiles(): { path: string; bytes: Buffer }[] {
  return TRAY_ICON_NAMES.flatMap((name) => [
    { path: `tray/mac/${name}Template.png`, bytes: trayIconPng(name, 16, 'template') },
    { path: `tray/mac/${name}Template@2x.png`, bytes: trayIconPng(name, 32, 'template') },
    { path: `tray/win/${name}.ico`, bytes: icoFromPngs([16, 24, 32, 48].map((size) => ({ size, png: trayIconPng(name, size) }))) },
    { path: `tray/linux/${name}.png`, bytes: trayIconPng(name, 24) },
    { path: `tray/linux/${name}@2x.png`, bytes: trayIconPng(name, 48) },
  ]);
}

/** The app icon electron-builder turns into .icns/.ico/PNGs. */
export function appIconFile(): { path: string; bytes: Buffer } {
  return { path: 'icon.png', bytes: trayIconPng('running-7', 512) };
}

export function trayIconPath(resourcesDir: string, name: TrayIconName, platform: NodeJS.Platform): string {
  if (platform === 'darwin') return `${resourcesDir}/tray/mac/${name}Template.png`;
  if (platform === 'win32') return `${resourcesDir}/tray/win/${name}.ico`;
  return `${resourcesDir}/tray/linux/${name}.png`;
}
