// The Settings view: servers (with a connection test), outputs (with a preview of the saved path), notifications
// and general options. Problems show beside their field as the user types; Save stays disabled while any remain.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { SERVER_KINDS, type ServerKind } from '../../electron/shared/app-state.js';
import type { ConnectionTestResult } from '../../electron/shared/ipc-contract.js';
import { KIND_NAMES } from '../format.js';
import { NOTIFICATION_KINDS, keepsSecret, urlCredentialsNote, type AuthKind, type ServerForm, type SettingsForm } from '../models/settings-model.js';
import { previewPath, sampleValues } from '../models/template-preview.js';
import { useServices } from '../services.js';
import { FeedbackArea } from './FeedbackArea.js';
import { ForwardingSettings } from './ForwardingSettings.js';

const KIND_LABELS: Record<(typeof NOTIFICATION_KINDS)[number], string> = {
  success: 'Completed',
  failure: 'Failed',
  cancelled: 'Cancelled',
  lost: 'Lost',
  queueFinished: 'Queue finished',
};
const AUTH_LABELS: Record<AuthKind, string> = { none: 'None', basic: 'Basic (user name and password)', bearer: 'Bearer token', header: 'Custom header', 'api-key': 'API key', 'query-token': 'Token in the URL (?token=)' };

function Field(props: { id: string; label: string; error?: string | undefined; children: ComponentChildren; hint?: string }) {
  return (
    <div class={`field${props.error ? ' field--invalid' : ''}`}>
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint && <span class="field__hint">{props.hint}</span>}
      {props.error && (
        <span class="field__error" id={`${props.id}-error`} role="alert">
          {props.error}
        </span>
      )}
    </div>
  );
}

function Check(props: { label: string; checked: boolean; onChange: (checked: boolean) => void }) {
  return (
    <label class="check">
      <input type="checkbox" checked={props.checked} onChange={(e) => props.onChange((e.currentTarget as HTMLInputElement).checked)} /> {props.label}
    </label>
  );
}

const value = (e: Event): string => (e.currentTarget as HTMLInputElement).value;
const errorProps = (id: string, error: string | undefined) => (error ? { 'aria-invalid': true, 'aria-describedby': `${id}-error` } : {});

function TestOutcome({ result, kind }: { result: ConnectionTestResult; kind: ServerKind }) {
  if (!result.ok) {
    return (
      <p class="test-result test-result--error" role="status">
        Failed ({result.code}): {result.message}
      </p>
    );
  }
  if (kind !== 'comfyui') {
    return (
      <p class="test-result test-result--ok" role="status">
        Connected to {KIND_NAMES[kind]}: the {kind === 'comfy-cloud' ? 'API key' : 'token'} works.
      </p>
    );
  }
  const caps = result.capabilities;
  const list = [caps.jobsApi && 'jobs API', caps.cancelEndpoint && 'cancel endpoint', caps.targetedInterrupt && 'targeted interrupt', caps.supportsPreviewMetadata && 'preview metadata'].filter(Boolean);
  return (
    <p class={`test-result ${result.degraded ? 'test-result--warning' : 'test-result--ok'}`} role="status">
      Connected: ComfyUI {result.version ?? '(version unknown)'} · {list.length > 0 ? list.join(', ') : 'basic features only'}
      {result.degraded && <> · Without live events: {result.degraded.message}</>}
    </p>
  );
}

/** What each kind asks for beside its name and URL. */
const KIND_HINTS: Readonly<Record<ServerKind, string>> = {
  comfyui: 'http:// or https://, with the path prefix if behind a proxy',
  'comfy-cloud': 'Comfy Cloud: https://cloud.comfy.org. Every job of the account is followed.',
  comfycontrol: 'ComfyControl: https://api.comfycontrol.app. Runs are added by their id in the queue window.',
};

function ServerEditor({ server, global }: { server: ServerForm; global: SettingsForm['notifications']['kinds'] }) {
  const { settings } = useServices();
  const errors = settings.errors.value;
  const test = settings.tests.value[server.key];
  const id = (field: string): string => `server-${server.key}-${field}`;
  const err = (field: string): string | undefined => errors[`servers.${server.key}.${field}`];
  const edit = (change: Partial<ServerForm>): void => settings.editServer(server.key, change);
  const hosted = server.kind !== 'comfyui';
  const secretLabel = hosted
    ? server.kind === 'comfy-cloud'
      ? 'API key (from platform.comfy.org)'
      : 'API token'
    : { none: '', basic: 'Password', bearer: 'Token', header: 'Header value', 'api-key': 'API key', 'query-token': 'Token' }[server.authKind];
  const nameInput = useRef<HTMLInputElement>(null);
  // A server just added (here or by the queue window's "Add server") takes the focus, ready to be named.
  useEffect(() => {
    if (settings.focusServer.peek() !== server.key) return;
    settings.focusServer.value = undefined;
    nameInput.current?.focus();
    nameInput.current?.select();
  }, [settings, server.key]);
  return (
    <fieldset class="server-settings">
      <legend>{server.name || 'Unnamed server'}</legend>
      <Check label="Enabled" checked={server.enabled} onChange={(enabled) => edit({ enabled })} />
      <Field id={id('kind')} label="Kind">
        <select id={id('kind')} value={server.kind} onChange={(e) => settings.changeKind(server.key, value(e) as ServerKind)}>
          {SERVER_KINDS.map((kind) => (
            <option key={kind} value={kind}>
              {KIND_NAMES[kind]}
            </option>
          ))}
        </select>
      </Field>
      <Field id={id('name')} label="Name" error={err('name')}>
        <input ref={nameInput} id={id('name')} value={server.name} onInput={(e) => edit({ name: value(e) })} {...errorProps(id('name'), err('name'))} />
      </Field>
      <Field id={id('url')} label="URL" error={err('url')} hint={urlCredentialsNote(server) ?? KIND_HINTS[server.kind]}>
        <input id={id('url')} type="url" value={server.url} onInput={(e) => edit({ url: value(e) })} {...errorProps(id('url'), err('url'))} />
      </Field>
      {!hosted && (
        <Field id={id('auth')} label="Authentication">
          <select id={id('auth')} value={server.authKind} onChange={(e) => edit({ authKind: value(e) as AuthKind, secret: '' })}>
            {(Object.keys(AUTH_LABELS) as AuthKind[]).map((kind) => (
              <option key={kind} value={kind}>
                {AUTH_LABELS[kind]}
              </option>
            ))}
          </select>
        </Field>
      )}
      {server.authKind === 'basic' && (
        <Field id={id('username')} label="User name">
          <input id={id('username')} autocomplete="off" value={server.username} onInput={(e) => edit({ username: value(e) })} />
        </Field>
      )}
      {server.authKind === 'header' && (
        <Field id={id('headerName')} label="Header name" error={err('headerName')}>
          <input id={id('headerName')} value={server.headerName} onInput={(e) => edit({ headerName: value(e) })} {...errorProps(id('headerName'), err('headerName'))} />
        </Field>
      )}
      {server.authKind !== 'none' && (
        <Field id={id('secret')} label={secretLabel} error={err('secret')} {...(keepsSecret(server) && { hint: 'Saved — leave empty to keep it' })}>
          <input
            id={id('secret')}
            type="password"
            autocomplete="new-password"
            value={server.secret}
            placeholder={keepsSecret(server) ? '••••••••' : ''}
            onInput={(e) => edit({ secret: value(e) })}
            {...errorProps(id('secret'), err('secret'))}
          />
        </Field>
      )}
      {!hosted && (
        <Field
          id={id('tlsFingerprint')}
          label="Trusted certificate (SHA-256)"
          error={err('tlsFingerprint')}
          hint="Only for an https server with a self-signed certificate: its fingerprint, as Test connection shows it. Only that certificate is then accepted."
        >
          <input
            id={id('tlsFingerprint')}
            autocomplete="off"
            spellcheck={false}
            value={server.tlsFingerprint}
            onInput={(e) => edit({ tlsFingerprint: value(e) })}
            {...errorProps(id('tlsFingerprint'), err('tlsFingerprint'))}
          />
        </Field>
      )}
      <div class="server-settings__actions">
        <button type="button" disabled={test?.status === 'running' || Boolean(err('url'))} onClick={() => void settings.testConnection(server.key)}>
          {test?.status === 'running' ? 'Testing…' : 'Test connection'}
        </button>
        <button type="button" class="danger" onClick={() => settings.removeServer(server.key)}>
          Remove
        </button>
      </div>
      {test?.status === 'done' && <TestOutcome result={test.result} kind={server.kind} />}
      <Field id={id('save')} label="Save outputs">
        <select id={id('save')} value={server.saveOutputs} onChange={(e) => edit({ saveOutputs: value(e) as ServerForm['saveOutputs'] })}>
          <option value="default">As the Outputs section says</option>
          <option value="on">Always</option>
          <option value="off">Never</option>
        </select>
      </Field>
      <Field id={id('folder')} label="Output folder for this server" hint="Empty: the Outputs folder">
        <input id={id('folder')} value={server.outputFolder} readOnly />
        <button type="button" onClick={() => void settings.pickFolder({ server: server.key })}>
          Choose…
        </button>
        {server.outputFolder !== '' && (
          <button type="button" onClick={() => settings.useDefaultFolder({ server: server.key })}>
            Use the Outputs folder
          </button>
        )}
      </Field>
      <div class="field" role="group" aria-label={`Notifications for ${server.name}`}>
        <span>Notify for this server</span>
        {NOTIFICATION_KINDS.map((kind) => (
          <Check key={kind} label={KIND_LABELS[kind]} checked={server.notify[kind] ?? global[kind]} onChange={(on) => edit({ notify: { ...server.notify, [kind]: on } })} />
        ))}
      </div>
    </fieldset>
  );
}

export function SettingsView({ onClose }: { onClose: () => void }) {
  const { settings, clock, api, feedback } = useServices();
  useEffect(() => {
    void settings.load();
  }, [settings]);
  const openLogFolder = (): void => void feedback.runAction('Opening the log folder…', () => api.openLogFolder(), () => 'Opened the log folder');
  const form = settings.form.value;
  const message = settings.message.value;
  const header = (
    <header class="app__header">
      <h1>Settings</h1>
      <button type="button" onClick={onClose}>
        Back to queue
      </button>
    </header>
  );
  // Actions of this view (opening the log folder) report in the same area as the queue's.
  const feedbackArea = <FeedbackArea />;
  if (!form) {
    return (
      <main class="app settings">
        {header}
        {feedbackArea}
        {message ? <p class={`settings__message settings__message--${message.kind}`}>{message.text}</p> : <p class="loading">Loading…</p>}
      </main>
    );
  }
  const errors = settings.errors.value;
  const secretStorage = settings.saved.value?.secretStorage;
  const edit = settings.edit.bind(settings);
  const outputs = (change: Partial<SettingsForm['outputs']>): void => edit((f) => ({ ...f, outputs: { ...f.outputs, ...change } }));
  const notifications = (change: Partial<SettingsForm['notifications']>): void => edit((f) => ({ ...f, notifications: { ...f.notifications, ...change } }));
  const general = (change: Partial<SettingsForm['general']>): void => edit((f) => ({ ...f, general: { ...f.general, ...change } }));
  const preview = previewPath(form.outputs.folder.trim() || '<Pictures>/Comfy Tray', form.outputs.template, sampleValues(form.servers[0]?.name ?? 'Local ComfyUI', clock.now.value));
  return (
    <main class="app settings">
      {header}
      {feedbackArea}
      <form
        class="app__body"
        onSubmit={(e) => {
          e.preventDefault();
          void settings.save();
        }}
      >
        <section aria-labelledby="servers-title">
          <h2 id="servers-title">Servers</h2>
          {secretStorage?.persisted === false && (
            <p class="settings__message settings__message--warning" role="note">
              {secretStorage.reason ?? 'No secure storage is available'}: passwords and tokens are kept only until the app quits.
            </p>
          )}
          {form.servers.map((server) => (
            <ServerEditor key={server.key} server={server} global={form.notifications.kinds} />
          ))}
          <div class="settings__add" role="group" aria-label="Add a server">
            <button type="button" onClick={() => settings.addServer()}>
              Add server
            </button>
            <button type="button" onClick={() => settings.addServer({ kind: 'comfy-cloud' })}>
              Add Comfy Cloud
            </button>
            <button type="button" onClick={() => settings.addServer({ kind: 'comfycontrol' })}>
              Add ComfyControl
            </button>
          </div>
        </section>
        <section aria-labelledby="outputs-title">
          <h2 id="outputs-title">Outputs</h2>
          <Check label="Save outputs" checked={form.outputs.enabled} onChange={(enabled) => outputs({ enabled })} />
          <Field id="outputs-folder" label="Folder" hint="Empty: Comfy Tray in your Pictures folder">
            <input id="outputs-folder" value={form.outputs.folder} readOnly />
            <button type="button" onClick={() => void settings.pickFolder({})}>
              Choose…
            </button>
            {form.outputs.folder !== '' && (
              <button type="button" onClick={() => settings.useDefaultFolder({})}>
                Use the default
              </button>
            )}
          </Field>
          <Field id="outputs-template" label="File name template" error={errors['outputs.template']}>
            <input id="outputs-template" value={form.outputs.template} onInput={(e) => outputs({ template: value(e) })} {...errorProps('outputs-template', errors['outputs.template'])} />
          </Field>
          {preview !== undefined && (
            <p class="field__hint" aria-live="polite">
              Example: <code class="template-preview">{preview}</code>
            </p>
          )}
          <Check label="Write a JSON sidecar with the prompt and workflow" checked={form.outputs.sidecar} onChange={(sidecar) => outputs({ sidecar })} />
          <Check label="Save previews (temporary images)" checked={form.outputs.saveTemp} onChange={(saveTemp) => outputs({ saveTemp })} />
        </section>
        <section aria-labelledby="notifications-title">
          <h2 id="notifications-title">Notifications</h2>
          <Check label="Show notifications" checked={form.notifications.enabled} onChange={(enabled) => notifications({ enabled })} />
          <Check label="Paused" checked={form.notifications.paused} onChange={(paused) => notifications({ paused })} />
          <div class="field" role="group" aria-label="Notify when a job is">
            {NOTIFICATION_KINDS.map((kind) => (
              <Check key={kind} label={KIND_LABELS[kind]} checked={form.notifications.kinds[kind]} onChange={(on) => notifications({ kinds: { ...form.notifications.kinds, [kind]: on } })} />
            ))}
          </div>
          <Check label="Play a sound" checked={form.notifications.sound} onChange={(sound) => notifications({ sound })} />
          <Field id="notifications-batch" label="Batch window (ms)" error={errors['notifications.batchWindowMs']} hint="Jobs ending within this time are announced together">
            <input id="notifications-batch" inputMode="numeric" value={form.notifications.batchWindowMs} onInput={(e) => notifications({ batchWindowMs: value(e) })} {...errorProps('notifications-batch', errors['notifications.batchWindowMs'])} />
          </Field>
          <ForwardingSettings />
        </section>
        <section aria-labelledby="general-title">
          <h2 id="general-title">General</h2>
          <Check label="Start at login" checked={form.general.startAtLogin} onChange={(startAtLogin) => general({ startAtLogin })} />
          <Field id="general-theme" label="Theme">
            <select id="general-theme" value={form.general.theme} onChange={(e) => general({ theme: value(e) as SettingsForm['general']['theme'] })}>
              <option value="system">System</option>
              <option value="light">Light</option>
              <option value="dark">Dark</option>
            </select>
          </Field>
          <Field id="general-journal" label="Keep the history of this many jobs per server" error={errors['general.journalJobsPerServer']}>
            <input id="general-journal" inputMode="numeric" value={form.general.journalJobsPerServer} onInput={(e) => general({ journalJobsPerServer: value(e) })} {...errorProps('general-journal', errors['general.journalJobsPerServer'])} />
          </Field>
          <div class="field">
            <button type="button" onClick={openLogFolder} aria-describedby="general-logs-hint">
              Open log folder
            </button>
            <span class="field__hint" id="general-logs-hint">
              Where Comfy Tray writes what it did: useful to attach to a bug report.
            </span>
          </div>
        </section>
        <footer class="settings__footer">
          {message && (
            <p class={`settings__message settings__message--${message.kind}`} role="status">
              {message.text}
            </p>
          )}
          <button type="submit" class="primary" disabled={!settings.valid.value || !settings.dirty.value || settings.saving.value}>
            {settings.saving.value ? 'Saving…' : 'Save'}
          </button>
        </footer>
      </form>
    </main>
  );
}
