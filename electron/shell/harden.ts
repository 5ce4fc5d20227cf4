// Hardening for every web contents the app creates: no navigation away from our page, no new windows, no
// permission granted, and external links only to http(s) URLs the user configured.
import { app, session, shell, type WebContents } from 'electron';

export function hardenApp(isAllowedExternal: (url: URL) => boolean): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      void openExternalSafely(url, isAllowedExternal);
      return { action: 'deny' };
    });
  });
}

/** Opens a URL in the user's browser only when it is http(s) and allowed (a configured server, our docs). */
export async function openExternalSafely(text: string, isAllowed: (url: URL) => boolean): Promise<boolean> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !isAllowed(url)) return false;
  await shell.openExternal(url.href);
  return true;
}
