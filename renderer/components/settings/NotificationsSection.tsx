// The Notifications section: on or off, paused, which endings are announced, sound, the batching window, and where
// notifications are forwarded to (ntfy, webhooks, Discord, Slack).
import { NOTIFICATION_KINDS, type SettingsForm } from '../../models/settings-model.js';
import { useServices } from '../../services.js';
import { ForwardingSettings } from './ForwardingSettings.js';
import { Check, CheckGroup, CheckRow, FormGroup, FormRow, describedBy, inputValue } from './form-controls.js';
import { NOTIFICATION_KIND_LABELS } from './notification-labels.js';

export function NotificationsSection() {
  const { settings } = useServices();
  const form = settings.form.value;
  if (!form) return null;
  const error = settings.errors.value['notifications.batchWindowMs'];
  const notifications = (change: Partial<SettingsForm['notifications']>): void => settings.edit((f) => ({ ...f, notifications: { ...f.notifications, ...change } }));
  return (
    <>
      <FormGroup id="notifications-when" title="When">
        <CheckRow id="notifications-enabled" label="Show notifications" checked={form.notifications.enabled} onChange={(enabled) => notifications({ enabled })} />
        <CheckRow id="notifications-paused" label="Paused" checked={form.notifications.paused} onChange={(paused) => notifications({ paused })} hint="Until you untick it (the tray menu can pause for an hour)." />
        <CheckGroup label="Notify when a job is">
          {NOTIFICATION_KINDS.map((kind) => (
            <Check key={kind} label={NOTIFICATION_KIND_LABELS[kind]} checked={form.notifications.kinds[kind]} onChange={(on) => notifications({ kinds: { ...form.notifications.kinds, [kind]: on } })} />
          ))}
        </CheckGroup>
      </FormGroup>
      <FormGroup id="notifications-how" title="How">
        <CheckRow id="notifications-sound" label="Play a sound" checked={form.notifications.sound} onChange={(sound) => notifications({ sound })} />
        <FormRow id="notifications-batch" label="Batch window (ms)" error={error} hint="Jobs ending within this time are announced together">
          <input id="notifications-batch" inputMode="numeric" value={form.notifications.batchWindowMs} onInput={(e) => notifications({ batchWindowMs: inputValue(e) })} {...describedBy('notifications-batch', error, true)} />
        </FormRow>
      </FormGroup>
      <ForwardingSettings />
    </>
  );
}
