// Shows what the notification model decided, with Electron's Notification (passed in, so this runs in Node tests
// with a fake). Clicking opens the window at the job; on macOS the buttons open the saved image or its folder.
import type { NativeImage, NotificationConstructorOptions } from 'electron';
import type { NotificationContent } from '../core/notify/notification-model.js';

export type Thumbnail = NonNullable<NotificationContent['thumbnail']>;

export interface NotificationActions {
  openJob(target: NotificationContent['target']): void;
  /** The saved file of an output, when there is one: the thumbnail, and what the buttons act on. */
  thumbnailPath(thumbnail: Thumbnail): string | undefined;
  /** The output's picture when it was not saved (saving off, or still downloading), for the thumbnail only. */
  thumbnailImage?(thumbnail: Thumbnail): Promise<Uint8Array | undefined>;
  openFile(path: string): void;
  showInFolder(path: string): void;
}

/** The part of an Electron Notification used here. */
export interface ShownNotification {
  on(event: 'click', listener: () => void): unknown;
  on(event: 'action', listener: (details: { actionIndex: number }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  show(): void;
}

/** What of Electron this needs: `{ Notification, nativeImage, platform: process.platform }` in the app. */
export interface NotificationPlatform {
  readonly Notification: { new (options: NotificationConstructorOptions): ShownNotification; isSupported(): boolean };
  readonly nativeImage: { createFromPath(path: string): NativeImage; createFromBuffer(buffer: Buffer): NativeImage };
  readonly platform: NodeJS.Platform;
}

const BUTTON_LABELS = { 'open-image': 'Open image', 'show-in-folder': 'Show in folder' } as const;
/** Notifications kept reachable: one collected by the garbage collector no longer delivers its clicks. */
const KEEP_ALIVE = 20;

export interface Notifier {
  /** Resolves once the notification is shown (after fetching its picture, when it needs one). */
  show(content: NotificationContent): Promise<void>;
}

export function createNotifier(platform: NotificationPlatform, actions: NotificationActions): Notifier {
  const alive = new Set<ShownNotification>();
  return {
    async show(content) {
      if (!platform.Notification.isSupported()) return;
      const path = content.thumbnail ? actions.thumbnailPath(content.thumbnail) : undefined;
      const icon = path !== undefined ? usable(platform.nativeImage.createFromPath(path)) : await fetchedIcon(content.thumbnail, actions, platform);
      // Buttons exist where the platform has them (macOS), and only when the file they act on is saved.
      const buttons = platform.platform === 'darwin' && path !== undefined ? content.actions : [];
      const notification = new platform.Notification({
        title: content.title,
        body: content.body,
        silent: content.silent,
        ...(icon && { icon }),
        actions: buttons.map((action) => ({ type: 'button' as const, text: BUTTON_LABELS[action] })),
      });
      notification.on('click', () => actions.openJob(content.target));
      notification.on('action', (details) => {
        const action = buttons[details.actionIndex];
        if (path === undefined || action === undefined) return;
        if (action === 'open-image') actions.openFile(path);
        else actions.showInFolder(path);
      });
      notification.on('close', () => alive.delete(notification));
      alive.add(notification);
      for (const old of alive) {
        if (alive.size <= KEEP_ALIVE) break;
        alive.delete(old);
      }
      notification.show();
    },
  };
}

/** The downloaded picture as the icon; none when there is no picture, it cannot be had, or cannot be decoded. */
async function fetchedIcon(thumbnail: Thumbnail | undefined, actions: NotificationActions, platform: NotificationPlatform): Promise<NativeImage | undefined> {
  if (!thumbnail || !actions.thumbnailImage) return undefined;
  // A picture is a nicety: a server gone away must not cost the notification.
  const bytes = await actions.thumbnailImage(thumbnail).catch(() => undefined);
  return bytes && usable(platform.nativeImage.createFromBuffer(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
}

/** nativeImage cannot decode every format everywhere (WebP, GIF): an empty image is no icon at all. */
function usable(image: NativeImage): NativeImage | undefined {
  return image.isEmpty() ? undefined : image;
}
