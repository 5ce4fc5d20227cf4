// The notification adapter over a fake Electron Notification that records its options and lets the test click it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NativeImage, Notification as ElectronNotification, NotificationConstructorOptions, nativeImage as ElectronNativeImage } from 'electron';
import { notificationFor, type NotificationContent, type NotifyContext } from '../../electron/core/notify/notification-model.js';
import { settingsSchema, type SettingsInput } from '../../electron/core/store/settings-schema.js';
import type { JobView, OutputRef } from '../../electron/shared/app-state.js';
import { createNotifier, type NotificationActions, type NotificationPlatform, type ShownNotification, type Thumbnail } from '../../electron/shell/notifications.js';

// The app passes Electron's own classes: this line stops compiling if they no longer fit what the adapter expects.
type ElectronFits = [typeof ElectronNotification, typeof ElectronNativeImage] extends [NotificationPlatform['Notification'], NotificationPlatform['nativeImage']] ? true : never;
const electronFits: ElectronFits = true;

/** What Electron hands a listener: the action's details (a click's event is not used). */
type Listener = (details: { actionIndex: number }) => void;

class FakeNotification implements ShownNotification {
  static created: FakeNotification[] = [];
  static supported = true;
  static isSupported(): boolean {
    return FakeNotification.supported;
  }
  shown = false;
  private readonly listeners = new Map<string, Listener[]>();
  constructor(readonly options: NotificationConstructorOptions) {
    FakeNotification.created.push(this);
  }
  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  show(): void {
    this.shown = true;
  }
  emit(event: string, details = { actionIndex: -1 }): void {
    for (const listener of this.listeners.get(event) ?? []) listener(details);
  }
}

/** A stand-in for a decoded picture: remembers where it came from. */
function fakeImage(source: string, empty = false): NativeImage {
  return { source, isEmpty: () => empty } as unknown as NativeImage;
}

function platformFor(os: NodeJS.Platform, options: { undecodable?: boolean } = {}): NotificationPlatform {
  FakeNotification.created = [];
  FakeNotification.supported = true;
  return {
    Notification: FakeNotification,
    nativeImage: {
      createFromPath: (path) => fakeImage(`path:${path}`, options.undecodable),
      createFromBuffer: (buffer) => fakeImage(`bytes:${buffer.toString('utf8')}`, options.undecodable),
    },
    platform: os,
  };
}

interface Recorded {
  opened: NotificationContent['target'][];
  files: string[];
  folders: string[];
  fetched: Thumbnail[];
}

function actionsFor(saved: string | undefined, fetched?: (thumb: Thumbnail) => Promise<Uint8Array | undefined>): { actions: NotificationActions; calls: Recorded } {
  const calls: Recorded = { opened: [], files: [], folders: [], fetched: [] };
  const actions: NotificationActions = {
    openJob: (target) => calls.opened.push(target),
    thumbnailPath: () => saved,
    openFile: (path) => calls.files.push(path),
    showInFolder: (path) => calls.folders.push(path),
    ...(fetched && {
      thumbnailImage: (thumb: Thumbnail) => {
        calls.fetched.push(thumb);
        return fetched(thumb);
      },
    }),
  };
  return { actions, calls };
}

const image: OutputRef = { nodeId: '9', kind: 'images', index: 0, filename: 'ComfyUI_00001_.png', subfolder: '', type: 'output' };
const done: JobView = { serverId: 'gpu', id: 'job-1', status: 'completed', submittedBy: 'other', outputs: [image], workflowName: 'Portrait' };

function context(input: SettingsInput = {}): NotifyContext {
  return { settings: settingsSchema.parse(input), serverName: () => 'gpu-box', now: 0 };
}

/** Where the notification's icon came from (a saved file's path or downloaded bytes), if it has one. */
function iconOf(notification: FakeNotification): string | undefined {
  return (notification.options.icon as unknown as { source: string } | undefined)?.source;
}

function only(): FakeNotification {
  assert.equal(FakeNotification.created.length, 1);
  return FakeNotification.created[0]!;
}

test('shows title, body and sound as decided; a click opens the window at the job', async () => {
  assert.equal(electronFits, true);
  const { actions, calls } = actionsFor(undefined);
  await createNotifier(platformFor('linux'), actions).show(notificationFor(done, context({ notifications: { sound: true } })));
  const shown = only();
  assert.equal(shown.shown, true);
  assert.equal(shown.options.title, 'Portrait');
  assert.equal(shown.options.body, 'gpu-box · 1 output');
  assert.equal(shown.options.silent, false, 'sound on: not silent');
  shown.emit('click');
  assert.deepEqual(calls.opened, [{ serverId: 'gpu', jobId: 'job-1' }]);

  await createNotifier(platformFor('linux'), actions).show(notificationFor(done, context({ notifications: { sound: false } })));
  assert.equal(only().options.silent, true, 'sound off: silent');
});

test('on macOS a saved image gives the thumbnail and the buttons, which open the image or its folder', async () => {
  const { actions, calls } = actionsFor('/saved/Portrait.png');
  await createNotifier(platformFor('darwin'), actions).show(notificationFor(done, context()));
  const shown = only();
  assert.equal(iconOf(shown), 'path:/saved/Portrait.png');
  assert.deepEqual(shown.options.actions, [
    { type: 'button', text: 'Open image' },
    { type: 'button', text: 'Show in folder' },
  ]);
  shown.emit('action', { actionIndex: 0 });
  shown.emit('action', { actionIndex: 1 });
  shown.emit('action', { actionIndex: 7 });
  assert.deepEqual(calls.files, ['/saved/Portrait.png']);
  assert.deepEqual(calls.folders, ['/saved/Portrait.png']);
  assert.deepEqual(calls.opened, [], 'a button is not a click');
});

test('elsewhere a saved image gives the thumbnail without buttons', async () => {
  for (const os of ['win32', 'linux'] as const) {
    const { actions } = actionsFor('/saved/Portrait.png');
    await createNotifier(platformFor(os), actions).show(notificationFor(done, context()));
    assert.equal(iconOf(only()), 'path:/saved/Portrait.png');
    assert.deepEqual(only().options.actions, []);
  }
});

test('not saved: the downloaded picture becomes the thumbnail, with no buttons to act on a file that is not there', async () => {
  const { actions, calls } = actionsFor(undefined, async () => new TextEncoder().encode('png-bytes'));
  await createNotifier(platformFor('darwin'), actions).show(notificationFor(done, context()));
  assert.deepEqual(calls.fetched, [{ serverId: 'gpu', jobId: 'job-1', output: image }]);
  assert.equal(iconOf(only()), 'bytes:png-bytes');
  assert.deepEqual(only().options.actions, []);
});

test('a picture that cannot be had or decoded leaves the notification without an icon, still shown', async () => {
  const failing = actionsFor(undefined, () => Promise.reject(new Error('server gone')));
  await createNotifier(platformFor('linux'), failing.actions).show(notificationFor(done, context()));
  assert.equal(only().shown, true);
  assert.equal(iconOf(only()), undefined);

  const undecodable = actionsFor('/saved/Portrait.webp');
  await createNotifier(platformFor('linux', { undecodable: true }), undecodable.actions).show(notificationFor(done, context()));
  assert.equal(iconOf(only()), undefined);
});

test('a summary has no picture to fetch; a click opens its server', async () => {
  const { actions, calls } = actionsFor(undefined, async () => new Uint8Array([1]));
  const summary: NotificationContent = { kind: 'batch', title: '3 jobs finished', body: '3 done on gpu-box', target: { serverId: 'gpu' }, actions: [], silent: true };
  await createNotifier(platformFor('darwin'), actions).show(summary);
  assert.deepEqual(calls.fetched, []);
  assert.equal(iconOf(only()), undefined);
  only().emit('click');
  assert.deepEqual(calls.opened, [{ serverId: 'gpu' }]);
});

test('nothing is shown where the system has no notifications', async () => {
  const platform = platformFor('linux');
  FakeNotification.supported = false;
  await createNotifier(platform, actionsFor(undefined).actions).show(notificationFor(done, context()));
  assert.equal(FakeNotification.created.length, 0);
});
