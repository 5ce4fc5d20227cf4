// What the server editor shows, as data: groups of fields, each field naming the ServerForm property it edits, its
// label, its kind of control, when it applies and what to say under it. The editor renders whatever this returns, so
// a server kind with fields of its own (a hosted service's API key, a workspace) is one more group here, shown when
// `visible` says so, not another branch in the component.
import type { AuthKind, ServerForm } from './settings-model.js';
import { keepsSecret, urlCredentialsNote } from './settings-model.js';

/** ServerForm properties holding text, and those holding a choice among fixed values. */
export type ServerTextKey = 'name' | 'url' | 'username' | 'headerName' | 'secret' | 'outputFolder';
export type ServerChoiceKey = 'authKind' | 'saveOutputs';

interface FieldBase {
  /** Also the suffix of the control's id (`server-<key>-<id>`), which tests and labels use. */
  readonly id: string;
  readonly label: string;
  readonly hint?: string;
}

export type ServerField =
  | (FieldBase & { readonly control: 'text' | 'url' | 'password'; readonly key: ServerTextKey; readonly placeholder?: string; readonly autocomplete?: string })
  | (FieldBase & { readonly control: 'folder'; readonly key: 'outputFolder' })
  | (FieldBase & { readonly control: 'select'; readonly key: ServerChoiceKey; readonly options: readonly { readonly value: string; readonly label: string }[] })
  | (FieldBase & { readonly control: 'check'; readonly key: 'enabled' })
  | (FieldBase & { readonly control: 'notify' });

export interface ServerFieldGroup {
  readonly id: string;
  readonly title: string;
  readonly fields: readonly ServerField[];
}

export const AUTH_LABELS: Record<AuthKind, string> = {
  none: 'None',
  basic: 'Basic (user name and password)',
  bearer: 'Bearer token',
  header: 'Custom header',
  'api-key': 'API key',
};

const SECRET_LABELS: Record<AuthKind, string> = { none: '', basic: 'Password', bearer: 'Token', header: 'Header value', 'api-key': 'API key' };

/** The editor's groups for one server as it is being edited (fields come and go with the authentication method). */
export function serverFieldGroups(server: ServerForm): ServerFieldGroup[] {
  const kept = keepsSecret(server);
  const auth: ServerField[] = [
    { id: 'auth', control: 'select', key: 'authKind', label: 'Method', options: (Object.keys(AUTH_LABELS) as AuthKind[]).map((kind) => ({ value: kind, label: AUTH_LABELS[kind] })) },
  ];
  if (server.authKind === 'basic') auth.push({ id: 'username', control: 'text', key: 'username', label: 'User name', autocomplete: 'off' });
  if (server.authKind === 'header') auth.push({ id: 'headerName', control: 'text', key: 'headerName', label: 'Header name', placeholder: 'X-Api-Key' });
  if (server.authKind !== 'none') {
    auth.push({
      id: 'secret',
      control: 'password',
      key: 'secret',
      label: SECRET_LABELS[server.authKind],
      autocomplete: 'new-password',
      ...(kept && { placeholder: '••••••••', hint: 'Saved. Leave empty to keep it.' }),
    });
  }
  return [
    {
      id: 'connection',
      title: 'Connection',
      fields: [
        { id: 'enabled', control: 'check', key: 'enabled', label: 'Follow this server' },
        { id: 'name', control: 'text', key: 'name', label: 'Name' },
        { id: 'url', control: 'url', key: 'url', label: 'Address', placeholder: 'http://127.0.0.1:8188', hint: urlCredentialsNote(server) ?? 'http:// or https://, with the path prefix if it is behind a proxy' },
      ],
    },
    { id: 'auth', title: 'Authentication', fields: auth },
    {
      id: 'saving',
      title: 'Saving outputs',
      fields: [
        {
          id: 'save',
          control: 'select',
          key: 'saveOutputs',
          label: 'Save outputs',
          options: [
            { value: 'default', label: 'As the Outputs section says' },
            { value: 'on', label: 'Always' },
            { value: 'off', label: 'Never' },
          ],
        },
        { id: 'folder', control: 'folder', key: 'outputFolder', label: 'Folder', hint: 'Empty: the folder set in Outputs' },
      ],
    },
    { id: 'notify', title: 'Notifications', fields: [{ id: 'notify', control: 'notify', label: 'Notify when a job is' }] },
  ];
}
