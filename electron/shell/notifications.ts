// Shows what the notification model decided, with Electron's Notification. Clicking opens the window at the job.
import { Notification, nativeImage } from 'electron';
import type { NotificationContent } from '../core/notify/notification-model.js';

export interface NotificationActions {
  openJob(target: NotificationContent['target']): void;
  /** The saved file of an output, when there is one, for the thumbnail and the buttons. */
  thumbnailPath(thumbnail: NonNullable<NotificationContent['thumbnail']>): string | undefined;
  openFile(path: string): void;
  showInFolder(path: string): void;
}

const BUTTON_LABELS = { 'open-image': 'Open image', 'show-in-folder': 'Show in folder' } as const;

export function showNotification(content: NotificationContent, actions: NotificationActions): void {
  if (!Notification.isSupported()) return;
  const path = content.thumbnail ? actions.thumbnailPath(content.thumbnail) : undefined;
  // Buttons exist where the platform has them (macOS), and only when the file they act on is saved.
  const buttons = process.platform === 'darwin' && path !== undefined ? content.actions : [];
  const notification = new Notification({
    title: content.title,
    body: content.body,
    silent: content.silent,
    ...(path !== undefined && { icon: nativeImage.createFromPath(path) }),
    actions: buttons.map((action) => ({ type: 'button' as const, text: BUTTON_LABELS[action] })),
  });
  notification.on('click', () => actions.openJob(content.target));
  notification.on('action', (_event, index) => {
    const action = buttons[index];
    if (path === undefined || action === undefined) return;
    if (action === 'open-image') actions.openFile(path);
    else actions.showInFolder(path);
  });
  notification.show();
}
