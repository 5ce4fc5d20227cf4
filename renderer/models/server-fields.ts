// What the server editor shows, as data: groups of fields, each field naming the ServerForm property it edits, its
// label, its kind of control, when it applies and what to say under it. The editor renders whatever this returns, so
// a server kind's own fields (a Comfy Cloud API key, a ComfyControl token, a ComfyUI's trusted certificate) are
// decided here, not in the component.
import { SERVER_KINDS, type ServerKind } from '../../electron/shared/app-state.js';
import { KIND_NAMES } from '../format.js';
import type { AuthKind, ServerForm } from './settings-model.js';
import { keepsSecret, urlCredentialsNote } from './settings-model.js';

/** ServerForm properties holding text, and those holding a choice among fixed values. */
export type ServerTextKey = 'name' | 'url' | 'username' | 'headerName' | 'secret' | 'tlsFingerprint' | 'outputFolder';
export type ServerChoiceKey = 'kind' | 'authKind' | 'saveOutputs';

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

/** The methods a ComfyUI (or a proxy in front of it) may ask for; hosted kinds take their own credential only. */
export const AUTH_LABELS: Record<AuthKind, string> = {
  none: 'None',
  basic: 'Basic (user name and password)',
  bearer: 'Bearer token',
  header: 'Custom header',
  'api-key': 'API key',
  'query-token': 'Token in the URL (?token=)',
};

const SECRET_LABELS: Record<AuthKind, string> = { none: '', basic: 'Password', bearer: 'Token', header: 'Header value', 'api-key': 'API key', 'query-token': 'Token' };

/** What each kind says under its address. */
const URL_HINTS: Readonly<Record<ServerKind, string>> = {
  comfyui: 'http:// or https://, with the path prefix if it is behind a proxy',
  'comfy-cloud': 'Comfy Cloud: https://cloud.comfy.org. Every job of the account is followed.',
  comfycontrol: 'ComfyControl: https://api.comfycontrol.app. Runs are added by their id in the queue window.',
};

/** The one credential of a hosted kind, and where it comes from. */
const HOSTED_SECRET_LABELS: Readonly<Record<Exclude<ServerKind, 'comfyui'>, string>> = {
  'comfy-cloud': 'API key (from platform.comfy.org)',
  comfycontrol: 'API token',
};

function secretField(server: ServerForm, label: string): ServerField {
  return {
    id: 'secret',
    control: 'password',
    key: 'secret',
    label,
    autocomplete: 'new-password',
    ...(keepsSecret(server) && { placeholder: '••••••••', hint: 'Saved. Leave empty to keep it.' }),
  };
}

/** The credentials group: a ComfyUI's method and its fields, or a hosted kind's key or token alone. */
function authFields(server: ServerForm): ServerField[] {
  if (server.kind !== 'comfyui') return [secretField(server, HOSTED_SECRET_LABELS[server.kind])];
  const auth: ServerField[] = [
    { id: 'auth', control: 'select', key: 'authKind', label: 'Method', options: (Object.keys(AUTH_LABELS) as AuthKind[]).map((kind) => ({ value: kind, label: AUTH_LABELS[kind] })) },
  ];
  if (server.authKind === 'basic') auth.push({ id: 'username', control: 'text', key: 'username', label: 'User name', autocomplete: 'off' });
  if (server.authKind === 'header') auth.push({ id: 'headerName', control: 'text', key: 'headerName', label: 'Header name', placeholder: 'X-Api-Key' });
  if (server.authKind !== 'none') auth.push(secretField(server, SECRET_LABELS[server.authKind]));
  return auth;
}

/** The editor's groups for one server as it is being edited (fields come and go with its kind and authentication). */
export function serverFieldGroups(server: ServerForm): ServerFieldGroup[] {
  const connection: ServerField[] = [
    { id: 'enabled', control: 'check', key: 'enabled', label: 'Follow this server' },
    { id: 'kind', control: 'select', key: 'kind', label: 'Kind', options: SERVER_KINDS.map((kind) => ({ value: kind, label: KIND_NAMES[kind] })) },
    { id: 'name', control: 'text', key: 'name', label: 'Name' },
    { id: 'url', control: 'url', key: 'url', label: 'Address', placeholder: 'http://127.0.0.1:8188', hint: urlCredentialsNote(server) ?? URL_HINTS[server.kind] },
  ];
  if (server.kind === 'comfyui') {
    connection.push({
      id: 'tlsFingerprint',
      control: 'text',
      key: 'tlsFingerprint',
      label: 'Trusted certificate (SHA-256)',
      autocomplete: 'off',
      hint: 'Only for an https server with a self-signed certificate: its fingerprint, as Test connection shows it. Only that certificate is then accepted.',
    });
  }
  return [
    { id: 'connection', title: 'Connection', fields: connection },
    { id: 'auth', title: 'Authentication', fields: authFields(server) },
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
