// The General section: start at login, the theme, how much history is kept, and the log folder.
import type { SettingsForm } from '../../models/settings-model.js';
import { useServices } from '../../services.js';
import { CheckRow, FormGroup, FormRow, describedBy, inputValue } from './form-controls.js';

export function GeneralSection() {
  const { settings, api, feedback } = useServices();
  const form = settings.form.value;
  if (!form) return null;
  const error = settings.errors.value['general.journalJobsPerServer'];
  const general = (change: Partial<SettingsForm['general']>): void => settings.edit((f) => ({ ...f, general: { ...f.general, ...change } }));
  const openLogFolder = (): void => void feedback.runAction('Opening the log folder…', () => api.openLogFolder(), () => 'Opened the log folder');
  return (
    <>
      <FormGroup id="general-app" title="App">
        <CheckRow id="general-login" label="Start at login" checked={form.general.startAtLogin} onChange={(startAtLogin) => general({ startAtLogin })} />
        <FormRow id="general-theme" label="Theme">
          <select id="general-theme" value={form.general.theme} onChange={(e) => general({ theme: inputValue(e) as SettingsForm['general']['theme'] })}>
            <option value="system">As the system</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </FormRow>
        <FormRow id="general-journal" label="History kept" error={error} hint="Jobs per server">
          <input id="general-journal" inputMode="numeric" value={form.general.journalJobsPerServer} onInput={(e) => general({ journalJobsPerServer: inputValue(e) })} {...describedBy('general-journal', error, true)} />
        </FormRow>
      </FormGroup>
      <FormGroup id="general-support" title="Troubleshooting">
        <div class="form-row">
          <span class="form-row__label" aria-hidden="true" />
          <div class="form-row__field">
            <button type="button" class="button" onClick={openLogFolder} aria-describedby="general-logs-hint">
              Open log folder
            </button>
            <span class="form-row__hint" id="general-logs-hint">
              Where Comfy Tray writes what it did: useful to attach to a bug report.
            </span>
          </div>
        </div>
      </FormGroup>
    </>
  );
}
