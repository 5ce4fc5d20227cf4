// Hardening for every web contents the app creates, and the one door to the user's browser. The rules live in
// web-guards.ts (navigation, windows, permissions) and external-url.ts (which URLs may open); this file only hands
// them Electron's objects.
import { app, session, shell } from 'electron';
import { openCheckedUrl, type UrlRule } from './external-url.js';
import { installWebGuards } from './web-guards.js';

export function hardenApp(isAllowedExternal: UrlRule): void {
  installWebGuards(app, session.defaultSession, (url) => void openExternalSafely(url, isAllowedExternal));
}

/**
 * Opens a URL in the user's browser only when it is http(s) and allowed (a configured server, under its path
 * prefix when the rule is `underAnyBase`), without any credentials it carried.
 */
export function openExternalSafely(text: string, isAllowed: UrlRule): Promise<boolean> {
  return openCheckedUrl(text, isAllowed, (url) => shell.openExternal(url));
}
