// The rules every web contents the app creates lives by: no navigation away from our page, no new windows (a link
// meant for a new window goes to the browser, if the URL rule allows it), no <webview>, and no permission except
// the clipboard write our own page's Copy buttons need. Electron is only a type here, so tests drive the rules
// with fakes that record the handlers.
import type { App, PermissionCheckHandlerHandlerDetails, PermissionRequest, Session, WebContents } from 'electron';

/**
 * The one permission granted: `navigator.clipboard.writeText` ("Copy error"). Chromium asks for it before every
 * write; the text is sanitized and the write needs a user gesture. Only our page's main frame gets it: the window
 * loads the app's own file and can navigate nowhere else, so a file: main frame is ours.
 */
export function isPermissionGranted(permission: string, requestingUrl: string | undefined, isMainFrame: boolean): boolean {
  if (permission !== 'clipboard-sanitized-write' || !isMainFrame || requestingUrl === undefined) return false;
  try {
    return new URL(requestingUrl).protocol === 'file:';
  } catch {
    return false;
  }
}

export function guardSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details: PermissionRequest) =>
    callback(isPermissionGranted(permission, details.requestingUrl, details.isMainFrame)),
  );
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details: PermissionCheckHandlerHandlerDetails) =>
    isPermissionGranted(permission, details.requestingUrl ?? requestingOrigin, details.isMainFrame),
  );
  // USB, HID and serial devices: none.
  session.setDevicePermissionHandler(() => false);
}

export function guardContents(contents: WebContents, openInBrowser: (url: string) => void): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-frame-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openInBrowser(url);
    return { action: 'deny' };
  });
  // A window given its own partition would not share the default session's handlers.
  guardSession(contents.session);
}

/** Guards the default session now and every web contents when it is created. */
export function installWebGuards(app: Pick<App, 'on'>, defaultSession: Session, openInBrowser: (url: string) => void): void {
  guardSession(defaultSession);
  app.on('web-contents-created', (_event, contents) => guardContents(contents, openInBrowser));
}
