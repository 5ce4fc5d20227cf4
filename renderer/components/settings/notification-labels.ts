// How the notification kinds read in the settings (global and per server).
import type { NOTIFICATION_KINDS } from '../../models/settings-model.js';

export const NOTIFICATION_KIND_LABELS: Record<(typeof NOTIFICATION_KINDS)[number], string> = {
  success: 'Completed',
  failure: 'Failed',
  cancelled: 'Cancelled',
  lost: 'Lost',
  queueFinished: 'Queue finished',
};
