// The rules every web contents lives by (shell/web-guards.ts), driven through fakes of Electron's app, session and
// web contents that record the handlers the guards install.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { App, Session, WebContents } from 'electron';
import { installWebGuards, isPermissionGranted } from '../../electron/shell/web-guards.js';

type Listener = (...args: unknown[]) => unknown;

interface FakeSession {
  readonly session: Session;
  request(permission: string, details: { requestingUrl: string; isMainFrame: boolean }): boolean | undefined;
  check(permission: string, origin: string, details: { requestingUrl?: string; isMainFrame: boolean }): unknown;
  device(): unknown;
}

function fakeSession(): FakeSession {
  const handlers = new Map<string, Listener>();
  const record = (name: string) => (handler: Listener) => void handlers.set(name, handler);
  const session = {
    setPermissionRequestHandler: record('request'),
    setPermissionCheckHandler: record('check'),
    setDevicePermissionHandler: record('device'),
  } as unknown as Session;
  const handler = (name: string): Listener => handlers.get(name) ?? assert.fail(`no ${name} handler installed`);
  return {
    session,
    request: (permission, details) => {
      let granted: boolean | undefined;
      handler('request')({}, permission, (answer: boolean) => (granted = answer), details);
      return granted;
    },
    check: (permission, origin, details) => handler('check')({}, permission, origin, details),
    device: () => handler('device')({ deviceType: 'usb', origin: 'file://' }),
  };
}

interface FakeContents {
  readonly contents: WebContents;
  /** Emits `event` and says whether a listener called preventDefault. */
  emit(event: string): boolean;
  windowOpen(url: string): unknown;
}

function fakeContents(session: Session): FakeContents {
  const listeners = new Map<string, Listener[]>();
  let windowOpenHandler: Listener | undefined;
  const contents = {
    session,
    on: (event: string, listener: Listener) => {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
      return contents;
    },
    setWindowOpenHandler: (handler: Listener) => void (windowOpenHandler = handler),
  } as unknown as WebContents;
  return {
    contents,
    emit: (event) => {
      let prevented = false;
      for (const listener of listeners.get(event) ?? []) listener({ preventDefault: () => (prevented = true) }, {}, {});
      return prevented;
    },
    windowOpen: (url) => (windowOpenHandler ?? assert.fail('no window open handler installed'))({ url, frameName: '', features: '', disposition: 'new-window' }),
  };
}

function fakeApp(): { app: Pick<App, 'on'>; createContents(contents: WebContents): void } {
  const created: Listener[] = [];
  const app = {
    on: (event: string, listener: Listener) => {
      if (event === 'web-contents-created') created.push(listener);
      return app;
    },
  } as unknown as Pick<App, 'on'>;
  return { app, createContents: (contents) => created.forEach((listener) => listener({}, contents)) };
}

function guarded(): { defaults: FakeSession; page: FakeContents; opened: string[] } {
  const defaults = fakeSession();
  const { app, createContents } = fakeApp();
  const opened: string[] = [];
  installWebGuards(app, defaults.session, (url) => opened.push(url));
  const page = fakeContents(defaults.session);
  createContents(page.contents);
  return { defaults, page, opened };
}

const ourPage = 'file:///app/resources/app.asar/dist/renderer/index.html';
const otherPermissions = ['media', 'geolocation', 'notifications', 'clipboard-read', 'display-capture', 'openExternal', 'fullscreen', 'hid', 'serial', 'usb', 'unknown'];

test('navigation away from the page, redirects and frame navigation are blocked', () => {
  const { page } = guarded();
  for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect']) assert.equal(page.emit(event), true, event);
});

test('a <webview> is never attached', () => {
  const { page } = guarded();
  assert.equal(page.emit('will-attach-webview'), true);
});

test('window.open is denied; its URL goes to the browser rule instead of a new window', () => {
  const { page, opened } = guarded();
  assert.deepEqual(page.windowOpen('https://example.com/'), { action: 'deny' });
  assert.deepEqual(page.windowOpen('javascript:alert(1)'), { action: 'deny' });
  assert.deepEqual(opened, ['https://example.com/', 'javascript:alert(1)']);
});

test('permission requests are denied, whoever asks', () => {
  const { defaults } = guarded();
  for (const permission of otherPermissions) {
    assert.equal(defaults.request(permission, { requestingUrl: ourPage, isMainFrame: true }), false, permission);
    assert.equal(defaults.request(permission, { requestingUrl: 'https://example.com/', isMainFrame: true }), false, permission);
  }
});

test('permission checks answer false, device access too', () => {
  const { defaults } = guarded();
  for (const permission of otherPermissions) {
    assert.equal(defaults.check(permission, 'file:///', { requestingUrl: ourPage, isMainFrame: true }), false, permission);
  }
  assert.equal(defaults.device(), false);
});

// Regression: denying everything made the history's "Copy error" button fail (Chromium asks for this permission
// before every navigator.clipboard.writeText).
test('our page may write to the clipboard; frames, other pages and reading may not', () => {
  const { defaults } = guarded();
  assert.equal(defaults.request('clipboard-sanitized-write', { requestingUrl: ourPage, isMainFrame: true }), true);
  assert.equal(defaults.check('clipboard-sanitized-write', 'file:///', { requestingUrl: ourPage, isMainFrame: true }), true);
  assert.equal(defaults.check('clipboard-sanitized-write', 'file:///', { isMainFrame: true }), true, 'the origin when no URL is given');
  assert.equal(defaults.request('clipboard-sanitized-write', { requestingUrl: ourPage, isMainFrame: false }), false);
  assert.equal(defaults.request('clipboard-sanitized-write', { requestingUrl: 'https://example.com/', isMainFrame: true }), false);
  assert.equal(defaults.check('clipboard-sanitized-write', 'https://example.com', { isMainFrame: true }), false);
  assert.equal(defaults.request('clipboard-read', { requestingUrl: ourPage, isMainFrame: true }), false);
  assert.equal(isPermissionGranted('clipboard-sanitized-write', 'not a url', true), false);
  assert.equal(isPermissionGranted('clipboard-sanitized-write', undefined, true), false);
});

test('a web contents with its own session gets the same permission rules', () => {
  const defaults = fakeSession();
  const { app, createContents } = fakeApp();
  installWebGuards(app, defaults.session, () => undefined);
  const partition = fakeSession();
  createContents(fakeContents(partition.session).contents);
  assert.equal(partition.request('media', { requestingUrl: ourPage, isMainFrame: true }), false);
  assert.equal(partition.check('geolocation', 'file:///', { requestingUrl: ourPage, isMainFrame: true }), false);
});
