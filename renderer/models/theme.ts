// The window's colour theme: the setting is written to <html data-theme>, and app.css picks its colours from it
// ('system' keeps following the OS through prefers-color-scheme).
import type { SettingsView } from '../../electron/shared/ipc-contract.js';

export type ThemeName = SettingsView['general']['theme'];

export function applyTheme(root: HTMLElement, theme: ThemeName): void {
  root.dataset.theme = theme;
}
