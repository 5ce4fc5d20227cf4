// The editor of the selected server: its field groups as server-fields.ts describes them (its kind's own fields),
// Test connection with the result inline (what was reached and what it can do, or what failed, why and what to check),
// and Remove (asked first). A server just added takes the focus on its name. Its output folder is only ever chosen in
// the main process's picker (the field is read-only), or set back to the Outputs folder.
import { useEffect, useRef } from 'preact/hooks';
import { NOTIFICATION_KINDS, type ServerForm, type SettingsForm } from '../../models/settings-model.js';
import { connectionTestText } from '../../models/connection-test-text.js';
import { serverFieldGroups, type ServerField } from '../../models/server-fields.js';
import { useServices } from '../../services.js';
import { ConfirmButton } from '../ConfirmButton.js';
import { Check, CheckGroup, CheckRow, FormGroup, FormRow, describedBy, inputValue } from './form-controls.js';
import { NOTIFICATION_KIND_LABELS } from './notification-labels.js';

function FieldControl({ server, field, global }: { server: ServerForm; field: ServerField; global: SettingsForm['notifications']['kinds'] }) {
  const { settings } = useServices();
  const id = `server-${server.key}-${field.id}`;
  const error = settings.errors.value[`servers.${server.key}.${field.id === 'auth' ? 'authKind' : field.id}`];
  const edit = (change: Partial<ServerForm>): void => settings.editServer(server.key, change);
  const nameInput = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (field.id !== 'name' || settings.focusServer.peek() !== server.key) return;
    settings.focusServer.value = undefined;
    nameInput.current?.focus();
    nameInput.current?.select();
  }, [settings, server.key, field.id]);
  switch (field.control) {
    case 'check':
      return <CheckRow id={id} label={field.label} checked={server[field.key]} onChange={(checked) => edit({ [field.key]: checked })} />;
    case 'notify':
      return (
        <CheckGroup label={`${field.label}`}>
          {NOTIFICATION_KINDS.map((kind) => (
            <Check key={kind} label={NOTIFICATION_KIND_LABELS[kind]} checked={server.notify[kind] ?? global[kind]} onChange={(on) => edit({ notify: { ...server.notify, [kind]: on } })} />
          ))}
        </CheckGroup>
      );
    case 'select': {
      const choose = (choice: string): void => {
        // Another kind brings its own credentials, name and address (settings-model.ts changeKind).
        if (field.key === 'kind') settings.changeKind(server.key, choice as ServerForm['kind']);
        else edit(field.key === 'authKind' ? { authKind: choice as ServerForm['authKind'], secret: '' } : { saveOutputs: choice as ServerForm['saveOutputs'] });
      };
      return (
        <FormRow id={id} label={field.label} hint={field.hint} error={error}>
          <select id={id} value={server[field.key]} onChange={(e) => choose(inputValue(e))} {...describedBy(id, error, field.hint !== undefined)}>
            {field.options.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </FormRow>
      );
    }
    case 'folder':
      return (
        <FormRow id={id} label={field.label} hint={field.hint} error={error}>
          <div class="form-row__inline">
            <input id={id} value={server.outputFolder} readOnly {...describedBy(id, error, field.hint !== undefined)} />
            <button type="button" class="button" onClick={() => void settings.pickFolder({ server: server.key })} aria-label={`Choose the output folder of ${server.name || 'this server'}`}>
              Choose…
            </button>
            {server.outputFolder !== '' && (
              <button type="button" class="button" onClick={() => settings.useDefaultFolder({ server: server.key })}>
                Use the Outputs folder
              </button>
            )}
          </div>
        </FormRow>
      );
    default: {
      const common = {
        id,
        value: server[field.key],
        placeholder: field.placeholder,
        autocomplete: field.autocomplete,
        spellcheck: false,
        onInput: (e: Event) => edit({ [field.key]: inputValue(e) }),
        ...describedBy(id, error, field.hint !== undefined),
      };
      return (
        <FormRow id={id} label={field.label} hint={field.hint} error={error}>
          {field.control === 'password' ? (
            <input type="password" {...common} />
          ) : field.control === 'url' ? (
            <input type="url" {...common} />
          ) : (
            <input ref={field.id === 'name' ? nameInput : undefined} type="text" {...common} />
          )}
        </FormRow>
      );
    }
  }
}

function TestResult({ server }: { server: ServerForm }) {
  const { settings } = useServices();
  const test = settings.tests.value[server.key];
  if (test?.status !== 'done') return null;
  const text = connectionTestText(test.result, server.url.trim(), server.kind);
  return (
    <div class={`test-result test-result--${!text.ok ? 'error' : text.warning ? 'warning' : 'ok'}`} role="status">
      <p class="test-result__headline">{text.headline}</p>
      <p class="test-result__detail">{text.detail}</p>
      {text.hint && <p class="test-result__hint">{text.hint}</p>}
    </div>
  );
}

export function ServerEditor({ server, global }: { server: ServerForm; global: SettingsForm['notifications']['kinds'] }) {
  const { settings } = useServices();
  const test = settings.tests.value[server.key];
  const urlError = settings.errors.value[`servers.${server.key}.url`];
  const title = server.name.trim() || 'Unnamed server';
  return (
    <div class="server-editor" role="group" aria-labelledby={`server-${server.key}-title`}>
      <h3 id={`server-${server.key}-title`} class="server-editor__title">
        {title}
      </h3>
      {serverFieldGroups(server).map((group) => (
        <FormGroup key={group.id} id={`server-${server.key}-${group.id}`} title={group.title}>
          {group.fields.map((field) => (
            <FieldControl key={field.id} server={server} field={field} global={global} />
          ))}
          {group.id === 'auth' && (
            <div class="form-row form-row--actions">
              <span class="form-row__label" aria-hidden="true" />
              <div class="form-row__field">
                <button type="button" class="button" disabled={test?.status === 'running' || Boolean(urlError)} onClick={() => void settings.testConnection(server.key)}>
                  {test?.status === 'running' ? 'Testing…' : 'Test connection'}
                </button>
                <TestResult server={server} />
              </div>
            </div>
          )}
        </FormGroup>
      ))}
      <div class="server-editor__remove">
        <ConfirmButton text="Remove server" label={`Remove ${title}`} question={`Remove ${title}? Its jobs stay in the history.`} confirmText="Remove" onConfirm={() => settings.removeServer(server.key)} />
      </div>
    </div>
  );
}
