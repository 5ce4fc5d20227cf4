// Shows what the notification model decided, with Electron's Notification. Clicking opens the window at the job.
import { Notification, nativeImage } from 'electron';
import type { NotificationContent } from '../core/notify/notification-model.js';

export interface NotificationActions {
  openJob(target: NotificationContent['target']): void;
  /** The saved file of an output, when there is one, for the thumbnail. */
  thumbnailPath(thumbnail: NonNullable<NotificationContent['thumbnail']>): string | undefined;
}

export function showNotification(content: NotificationContent, actions: NotificationActions): void {
  if (!Notification.isSupported()) return;
  const path = content.thumbnail ? actions.thumbnailPath(content.thumbnail) : undefined;
  const notification = new Notification({
    title: content.title,
    body: content.body,
    silent: content.silent,
    ...(path !== undefined && { icon: nativeImage.createFromPath(path) }),
  });
  notification.on('click', () => actions.openJob(content.target));
  notification.show();
}
