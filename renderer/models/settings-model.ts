// The Settings form: a draft of the settings (secrets never included, only whether one is stored), validated as the
// user types with the same rules as the core schema, and turned into a patch on Save. The main process validates again.
import { computed, signal } from '@preact/signals';
import type {
  AuthInput,
  ConnectionTestResult,
  FolderChoice,
  NotificationKindsView,
  RedactedAuth,
  ServerSettingsInput,
  SettingsPatch,
  SettingsUpdateResult,
  SettingsView,
  TrayApi,
} from '../../electron/shared/ipc-contract.js';
import type { ServerKind } from '../../electron/shared/app-state.js';
import { templateProblem } from './template-preview.js';
import { newTarget, targetForms, targetInput, validateTargets, type ForwardKindName, type ForwardTargetForm, type ForwardTestState } from './forwarding-model.js';

export type AuthKind = RedactedAuth['kind'];
export type TestState = { readonly status: 'running' } | { readonly status: 'done'; readonly result: ConnectionTestResult };

export interface ServerForm {
  readonly key: string;
  /** What the server is: a ComfyUI, a Comfy Cloud account, ComfyControl runs. Each asks for its own fields. */
  readonly kind: ServerKind;
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly enabled: boolean;
  readonly authKind: AuthKind;
  readonly username: string;
  readonly headerName: string;
  /** A ComfyUI behind https with a self-signed certificate: its SHA-256 to trust ('' for none). */
  readonly tlsFingerprint: string;
  /** What the user typed; empty keeps the stored secret (when the kind is unchanged). */
  readonly secret: string;
  readonly original: RedactedAuth;
  /** The URL the stored secret was saved for: a changed URL needs the secret typed again ('' for a new server). */
  readonly originalUrl: string;
  readonly saveOutputs: 'default' | 'on' | 'off';
  readonly outputFolder: string;
  readonly notify: Partial<NotificationKindsView>;
}

export interface SettingsForm {
  readonly servers: readonly ServerForm[];
  readonly outputs: { readonly enabled: boolean; readonly folder: string; readonly template: string; readonly saveTemp: boolean; readonly sidecar: boolean };
  readonly notifications: { readonly enabled: boolean; readonly kinds: NotificationKindsView; readonly batchWindowMs: string; readonly sound: boolean; readonly paused: boolean };
  /** Where notifications are forwarded to (forwarding-model.ts). */
  readonly forwarding: readonly ForwardTargetForm[];
  readonly general: { readonly startAtLogin: boolean; readonly theme: 'system' | 'light' | 'dark'; readonly journalJobsPerServer: string };
}

export const NOTIFICATION_KINDS: readonly (keyof NotificationKindsView)[] = ['success', 'failure', 'cancelled', 'lost', 'queueFinished'];

let nextKey = 0;
const newKey = (): string => `k${++nextKey}`;

/** Notifications are paused at `now`: until resumed (-1), or until a time still ahead (a one-hour pause that ended is not). */
export function isPaused(pausedUntil: number | undefined, now: number): boolean {
  return pausedUntil === -1 || (pausedUntil !== undefined && pausedUntil > now);
}

/** The form as the settings are at `now` (which decides whether a timed pause is still on). */
export function formFrom(view: SettingsView, now: number): SettingsForm {
  return {
    servers: view.servers.map((s) => ({
      key: newKey(),
      kind: s.kind ?? 'comfyui',
      id: s.id,
      name: s.name,
      url: s.url,
      enabled: s.enabled,
      authKind: s.auth.kind,
      username: s.auth.kind === 'basic' ? s.auth.username : '',
      headerName: s.auth.kind === 'header' ? s.auth.name : '',
      tlsFingerprint: s.tlsFingerprint ?? '',
      secret: '',
      original: s.auth,
      originalUrl: s.url,
      saveOutputs: s.saveOutputs === undefined ? 'default' : s.saveOutputs ? 'on' : 'off',
      outputFolder: s.outputFolder ?? '',
      notify: s.notifications ?? {},
    })),
    outputs: { ...view.outputs, folder: view.outputs.folder ?? '' },
    notifications: {
      enabled: view.notifications.enabled,
      kinds: view.notifications.kinds,
      batchWindowMs: String(view.notifications.batchWindowMs),
      sound: view.notifications.sound,
      paused: isPaused(view.notifications.pausedUntil, now),
    },
    forwarding: targetForms(view.notifications.forwarding),
    general: { ...view.general, journalJobsPerServer: String(view.general.journalJobsPerServer) },
  };
}

/** A secret is stored for this server, of the kind the form shows. */
function storedSecret(server: ServerForm): boolean {
  return server.original.kind === server.authKind && 'hasSecret' in server.original && server.original.hasSecret;
}

/**
 * The stored secret is kept when nothing new was typed, the kind is unchanged and so is the URL: a stored secret only
 * ever goes to the URL it was saved for (the main process refuses it for another, SECRET_URL_CHANGED).
 */
export function keepsSecret(server: ServerForm): boolean {
  return server.secret === '' && storedSecret(server) && sameServerUrl(server.url, server.originalUrl);
}

/** The URL changed and the stored secret must be typed again before Save (or a connection test) can use one. */
export function secretNeedsRetyping(server: ServerForm): boolean {
  return server.secret === '' && storedSecret(server) && !sameServerUrl(server.url, server.originalUrl);
}

function integerProblem(text: string, min: number, max: number): string | undefined {
  if (!/^\d+$/.test(text.trim())) return 'Enter a whole number';
  const value = Number(text);
  return value < min || value > max ? `Enter a number from ${min} to ${max}` : undefined;
}

export function urlProblem(text: string): string | undefined {
  if (text.trim() === '') return 'Enter the server URL';
  if (!/^https?:\/\//i.test(text.trim())) return 'Use an http:// or https:// URL';
  try {
    new URL(text.trim());
    return undefined;
  } catch {
    return 'Not a valid URL';
  }
}

/** Whether a URL carries a user name or password (`http://alice:pw@host`), which the app never stores there. */
export function hasUrlCredentials(text: string): boolean {
  try {
    const url = new URL(text.trim());
    return url.username !== '' || url.password !== '';
  } catch {
    return false;
  }
}

/** An address as it may be shown: without a user name or password typed into it. */
export function displayUrl(text: string): string {
  const trimmed = text.trim();
  if (/^https?:\/\//i.test(trimmed)) {
    try {
      const url = new URL(trimmed);
      if (url.username === '' && url.password === '') return trimmed;
      url.username = '';
      url.password = '';
      return url.href;
    } catch {
      // Not a URL yet: handled below.
    }
  }
  // Half typed: whatever stands before an @ in the authority could be a user name and password.
  return trimmed.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^@/\s]*@/i, '$1');
}

/** What Save will do with credentials typed into the URL, told before it happens; undefined when there are none. */
export function urlCredentialsNote(server: Pick<ServerForm, 'url' | 'authKind'>): string | undefined {
  if (!hasUrlCredentials(server.url)) return undefined;
  return server.authKind === 'none'
    ? 'The user name and password in this URL will be moved to Authentication (Basic) when you save; the URL is saved without them.'
    : 'The user name and password in this URL will be removed when you save: the authentication below is used instead.';
}

const SECRET_NAMES: Record<AuthKind, string> = { none: '', basic: 'password', bearer: 'token', header: 'header value', 'api-key': 'API key', 'query-token': 'token' };

/** Problems by field (`servers.<key>.url`, `outputs.template`, …); empty when the form can be saved. */
export function validate(form: SettingsForm): Record<string, string> {
  const errors: Record<string, string> = {};
  const set = (field: string, problem: string | undefined): void => {
    if (problem) errors[field] = problem;
  };
  for (const s of form.servers) {
    set(`servers.${s.key}.name`, s.name.trim() === '' ? 'Enter a name' : s.name.trim().length > 100 ? 'Use at most 100 characters' : undefined);
    set(`servers.${s.key}.url`, urlProblem(s.url));
    if (secretNeedsRetyping(s)) set(`servers.${s.key}.secret`, `The URL changed: enter the ${SECRET_NAMES[s.authKind]} again`);
    else if ((s.authKind === 'bearer' || s.authKind === 'api-key' || s.authKind === 'query-token') && s.secret === '' && !keepsSecret(s)) set(`servers.${s.key}.secret`, s.authKind === 'api-key' ? 'Enter the API key' : 'Enter the token');
    if (s.authKind === 'header' && !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(s.headerName)) set(`servers.${s.key}.headerName`, 'Enter a header name (letters, digits and - only)');
    const needed = KIND_DEFAULTS[s.kind].authKind;
    if (s.kind !== 'comfyui' && s.authKind !== needed) set(`servers.${s.key}.secret`, s.kind === 'comfy-cloud' ? 'Comfy Cloud needs an API key' : 'ComfyControl needs an API token');
    set(`servers.${s.key}.tlsFingerprint`, fingerprintProblem(s));
  }
  if (form.servers.length > 50) errors.servers = 'At most 50 servers';
  set('outputs.template', templateProblem(form.outputs.template));
  set('notifications.batchWindowMs', integerProblem(form.notifications.batchWindowMs, 0, 60_000));
  set('general.journalJobsPerServer', integerProblem(form.general.journalJobsPerServer, 50, 100_000));
  return { ...errors, ...validateTargets(form.forwarding) };
}

export function authInput(s: ServerForm): AuthInput {
  if (keepsSecret(s)) {
    switch (s.authKind) {
      case 'basic':
        return { kind: 'basic', username: s.username, hasSecret: true };
      case 'header':
        return { kind: 'header', name: s.headerName, hasSecret: true };
      case 'bearer':
        return { kind: 'bearer', hasSecret: true };
      case 'api-key':
        return { kind: 'api-key', hasSecret: true };
      case 'query-token':
        return { kind: 'query-token', hasSecret: true };
    }
  }
  switch (s.authKind) {
    case 'none':
      return { kind: 'none' };
    case 'basic':
      return { kind: 'basic', username: s.username, password: s.secret };
    case 'bearer':
      return { kind: 'bearer', token: s.secret };
    case 'header':
      return { kind: 'header', name: s.headerName, value: s.secret };
    case 'api-key':
      return { kind: 'api-key', key: s.secret };
    case 'query-token':
      return { kind: 'query-token', token: s.secret };
  }
}

/** A fingerprint as people paste it (`AB:CD:…`, `abcd…`, with or without `SHA256 Fingerprint=`): 32 bytes of hex. */
export function fingerprintHex(text: string): string | undefined {
  const hex = text
    .trim()
    .replace(/^sha-?256\s*(fingerprint)?\s*[:=]?\s*/i, '')
    .replace(/[\s:]/g, '');
  return /^[0-9a-f]{64}$/i.test(hex) ? hex.toUpperCase() : undefined;
}

function fingerprintProblem(s: ServerForm): string | undefined {
  if (s.kind !== 'comfyui' || s.tlsFingerprint.trim() === '') return undefined;
  if (fingerprintHex(s.tlsFingerprint) === undefined) return 'A SHA-256 fingerprint: 64 hex digits (AB:CD:… as Test connection shows it)';
  return /^https:\/\//i.test(s.url.trim()) ? undefined : 'Only an https:// server has a certificate to trust';
}

/** What a new server of each kind starts with. */
export const KIND_DEFAULTS: Readonly<Record<ServerKind, { readonly name: string; readonly url: string; readonly authKind: AuthKind }>> = {
  comfyui: { name: 'New server', url: 'http://127.0.0.1:8188', authKind: 'none' },
  'comfy-cloud': { name: 'Comfy Cloud', url: 'https://cloud.comfy.org', authKind: 'api-key' },
  comfycontrol: { name: 'ComfyControl', url: 'https://api.comfycontrol.app', authKind: 'bearer' },
};

export function toPatch(form: SettingsForm): SettingsPatch {
  return {
    servers: form.servers.map(
      (s): ServerSettingsInput => ({
        kind: s.kind,
        ...(s.kind === 'comfyui' && s.tlsFingerprint.trim() !== '' && { tlsFingerprint: s.tlsFingerprint.trim() }),
        id: s.id,
        name: s.name.trim(),
        url: s.url.trim(),
        enabled: s.enabled,
        auth: authInput(s),
        ...(s.saveOutputs !== 'default' && { saveOutputs: s.saveOutputs === 'on' }),
        ...(s.outputFolder.trim() !== '' && { outputFolder: s.outputFolder.trim() }),
        ...(Object.keys(s.notify).length > 0 && { notifications: s.notify }),
      }),
    ),
    outputs: { ...form.outputs, folder: form.outputs.folder.trim() === '' ? null : form.outputs.folder.trim() },
    notifications: {
      enabled: form.notifications.enabled,
      kinds: form.notifications.kinds,
      batchWindowMs: Number(form.notifications.batchWindowMs),
      sound: form.notifications.sound,
      // Pausing here means until resumed; an existing timed pause is kept as it is.
      ...(!form.notifications.paused && { pausedUntil: null }),
      forwarding: form.forwarding.map(targetInput),
    },
    general: { ...form.general, journalJobsPerServer: Number(form.general.journalJobsPerServer) },
  };
}

export interface ServerPrefill {
  readonly kind?: ServerKind;
  readonly name?: string;
  readonly url?: string;
}

/** Same server despite a trailing slash or letter case in the host. */
export function sameServerUrl(a: string, b: string): boolean {
  const normal = (url: string): string => {
    try {
      return new URL(url.trim()).href.replace(/\/+$/, '');
    } catch {
      return url.trim().replace(/\/+$/, '');
    }
  };
  return normal(a) === normal(b);
}

export type SettingsApi = Pick<TrayApi, 'getSettings' | 'updateSettings' | 'testConnection' | 'chooseOutputFolder' | 'testForwarding'>;

export const SETTINGS_SECTIONS = ['servers', 'outputs', 'notifications', 'general'] as const;
export type SettingsSection = (typeof SETTINGS_SECTIONS)[number];

/** Parts of the form shown in another section than their own name says: forwarding targets are in Notifications. */
const SHOWN_IN: Readonly<Record<string, SettingsSection>> = { forwarding: 'notifications' };

/** Which sections a set of field problems (`validate`) is about. */
export function sectionsWithProblems(errors: Readonly<Record<string, string>>): Set<SettingsSection> {
  const found = new Set<SettingsSection>();
  for (const field of Object.keys(errors)) {
    const head = field.split('.', 1)[0] ?? field;
    const section = SHOWN_IN[head] ?? SETTINGS_SECTIONS.find((name) => name === head);
    if (section) found.add(section);
  }
  return found;
}

export class SettingsModel {
  readonly form = signal<SettingsForm | undefined>(undefined);
  readonly errors = computed(() => (this.form.value ? validate(this.form.value) : {}));
  readonly valid = computed(() => Object.keys(this.errors.value).length === 0);
  readonly dirty = signal(false);
  readonly saving = signal(false);
  readonly message = signal<{ readonly kind: 'ok' | 'error' | 'warning'; readonly text: string } | undefined>(undefined);
  readonly tests = signal<Readonly<Record<string, TestState>>>({});
  /** "Send test" of each forwarding target, by its form key. */
  readonly forwardTests = signal<Readonly<Record<string, ForwardTestState>>>({});
  /** The settings as last read or saved: what applies now (the theme), unlike the draft in `form`. */
  readonly saved = signal<SettingsView | undefined>(undefined);
  readonly theme = computed(() => this.saved.value?.general.theme ?? 'system');
  /** A server just added to the form, whose editor takes the focus (then clears this). */
  readonly focusServer = signal<string | undefined>(undefined);
  /** The section the preferences window shows, and the server (form key) its Servers section edits. */
  readonly section = signal<SettingsSection>('servers');
  readonly selectedServer = signal<string | undefined>(undefined);
  /** The form as loaded or last saved, as a patch: what "changed" is measured against. */
  private readonly baseline = signal<SettingsPatch | undefined>(undefined);
  /** Sections whose fields differ from the saved settings (shown as changed in the side list). */
  readonly changedSections = computed(() => {
    const form = this.form.value;
    const baseline = this.baseline.value;
    const changed = new Set<SettingsSection>();
    if (!form || !baseline) return changed;
    const now = toPatch(form);
    for (const section of SETTINGS_SECTIONS) if (JSON.stringify(now[section]) !== JSON.stringify(baseline[section])) changed.add(section);
    return changed;
  });
  readonly problemSections = computed(() => sectionsWithProblems(this.errors.value));
  /** Whether notifications were paused when the form was filled: an untouched pause is kept exactly as it is. */
  private pausedAtLoad = false;
  /** A server to add once the form is loaded (the queue window's "Add server" opens the settings on it). */
  private requestedServer: ServerPrefill | undefined;
  /** Counts writes to `saved`, so a slow `loadSaved` cannot overwrite newer settings. */
  private savedWrites = 0;

  constructor(
    private readonly api: SettingsApi,
    private readonly now: () => number = Date.now,
  ) {}

  async load(): Promise<void> {
    const requested = this.requestedServer;
    this.requestedServer = undefined;
    try {
      this.reset(await this.api.getSettings());
      this.message.value = undefined;
      if (requested) this.addServer(requested);
    } catch (error) {
      this.message.value = { kind: 'error', text: `Could not load the settings: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  /**
   * Reads the settings for what applies at once (the theme) without touching the form. Silent when it fails: the
   * window then simply follows the system theme.
   */
  async loadSaved(): Promise<void> {
    const write = this.savedWrites;
    try {
      const view = await this.api.getSettings();
      if (write === this.savedWrites) this.setSaved(view);
    } catch {
      // Nothing to tell: the theme stays 'system', and the Settings view reports its own loading errors.
    }
  }

  /** The next `load` (the Settings view opening) adds a server to the form, prefilled. */
  requestNewServer(prefill: ServerPrefill = {}): void {
    this.requestedServer = prefill;
  }

  /**
   * Adds a server found on this computer straight to the settings (no form): the stored servers are sent back as
   * they are (secrets kept by their marker), plus the new one; a stored server with the same URL is enabled instead.
   */
  async addLocalServer(url: string): Promise<SettingsUpdateResult> {
    const current = await this.api.getSettings();
    const servers = toPatch(formFrom(current, this.now())).servers ?? [];
    const same = servers.find((s) => sameServerUrl(s.url, url));
    const ids = new Set(servers.map((s) => s.id));
    let id = 'local';
    for (let n = 2; ids.has(id); n++) id = `local-${n}`;
    const result = await this.api.updateSettings({
      servers: same
        ? servers.map((s) => (s === same ? { ...s, enabled: true } : s))
        : [...servers, { kind: 'comfyui', id, name: 'This computer', url, auth: { kind: 'none' }, enabled: true }],
    });
    if (result.ok) {
      this.setSaved(result.settings);
      // A draft the user is editing is theirs; an untouched one follows the new settings.
      if (this.form.value && !this.dirty.value) this.reset(result.settings);
    }
    return result;
  }

  private setSaved(view: SettingsView): void {
    this.savedWrites++;
    this.saved.value = view;
  }

  private reset(view: SettingsView): void {
    this.setSaved(view);
    const form = formFrom(view, this.now());
    this.pausedAtLoad = form.notifications.paused;
    // The server being edited stays selected across a save (its form key is new, its id is not).
    const selectedId = this.form.peek()?.servers.find((server) => server.key === this.selectedServer.peek())?.id;
    this.form.value = form;
    this.baseline.value = toPatch(form);
    this.dirty.value = false;
    this.tests.value = {};
    this.forwardTests.value = {};
    this.selectedServer.value = (form.servers.find((server) => server.id === selectedId) ?? form.servers[0])?.key;
  }

  /** Drops every unsaved change: the form goes back to the settings as last read or saved. */
  discard(): void {
    const saved = this.saved.peek();
    if (saved) this.reset(saved);
    this.message.value = undefined;
  }

  edit(change: (form: SettingsForm) => SettingsForm): void {
    if (!this.form.value) return;
    this.form.value = change(this.form.value);
    this.dirty.value = true;
    this.message.value = undefined;
  }

  editServer(key: string, change: Partial<ServerForm>): void {
    this.edit((f) => ({ ...f, servers: f.servers.map((s) => (s.key === key ? { ...s, ...change } : s)) }));
  }

  addServer(prefill: ServerPrefill = {}): void {
    const key = newKey();
    const kind = prefill.kind ?? 'comfyui';
    const defaults = KIND_DEFAULTS[kind];
    this.focusServer.value = key;
    this.section.value = 'servers';
    this.selectedServer.value = key;
    this.edit((f) => ({
      ...f,
      servers: [
        ...f.servers,
        {
          key,
          kind,
          id: `server-${Date.now().toString(36)}-${key}`,
          name: prefill.name ?? defaults.name,
          url: prefill.url ?? defaults.url,
          enabled: true,
          authKind: defaults.authKind,
          username: '',
          headerName: '',
          tlsFingerprint: '',
          secret: '',
          original: { kind: 'none' },
          originalUrl: '',
          saveOutputs: 'default',
          outputFolder: '',
          notify: {},
        },
      ],
    }));
  }

  /**
   * Another kind for a server being edited: its credentials become that kind's (a key, a token), and a name and URL
   * still at the previous kind's defaults take the new kind's.
   */
  changeKind(key: string, kind: ServerKind): void {
    const server = this.form.value?.servers.find((s) => s.key === key);
    if (!server || server.kind === kind) return;
    const before = KIND_DEFAULTS[server.kind];
    const after = KIND_DEFAULTS[kind];
    this.editServer(key, {
      kind,
      authKind: after.authKind,
      secret: '',
      tlsFingerprint: '',
      ...((server.url.trim() === '' || sameServerUrl(server.url, before.url)) && { url: after.url }),
      ...((server.name.trim() === '' || server.name === before.name) && { name: after.name }),
    });
  }

  addTarget(kind: ForwardKindName): void {
    this.edit((f) => ({ ...f, forwarding: [...f.forwarding, newTarget(kind, f.forwarding)] }));
  }

  editTarget(key: string, change: Partial<ForwardTargetForm>): void {
    this.edit((f) => ({ ...f, forwarding: f.forwarding.map((target) => (target.key === key ? { ...target, ...change } : target)) }));
  }

  removeTarget(key: string): void {
    this.edit((f) => ({ ...f, forwarding: f.forwarding.filter((target) => target.key !== key) }));
  }

  /** Sends a test notification to a target as it is in the form (its stored secret by the marker). */
  async testForwarding(key: string): Promise<void> {
    const target = this.form.value?.forwarding.find((t) => t.key === key);
    if (!target) return;
    this.forwardTests.value = { ...this.forwardTests.value, [key]: { status: 'running' } };
    let result: ForwardTestState;
    try {
      result = { status: 'done', result: await this.api.testForwarding(targetInput(target)) };
    } catch (error) {
      result = { status: 'done', result: { ok: false, code: 'IPC_FAILED', message: error instanceof Error ? error.message : String(error) } };
    }
    this.forwardTests.value = { ...this.forwardTests.value, [key]: result };
  }

  removeServer(key: string): void {
    const servers = this.form.peek()?.servers ?? [];
    const at = servers.findIndex((s) => s.key === key);
    this.edit((f) => ({ ...f, servers: f.servers.filter((s) => s.key !== key) }));
    // The next server in the list (or the one before the last) is edited next.
    const rest = servers.filter((s) => s.key !== key);
    if (this.selectedServer.peek() === key) this.selectedServer.value = (rest[at] ?? rest[at - 1])?.key;
  }

  async save(): Promise<void> {
    const form = this.form.value;
    if (!form || !this.valid.value || this.saving.value) return;
    this.saving.value = true;
    try {
      const patch = toPatch(form);
      // A pause the user did not touch is kept as it is (a timed one still ends on time); one ticked now lasts until resumed.
      const keepPause = form.notifications.paused && this.pausedAtLoad;
      const result = await this.api.updateSettings({
        ...patch,
        notifications: { ...patch.notifications, ...(form.notifications.paused && !keepPause && { pausedUntil: -1 }) },
      });
      if (result.ok) {
        this.reset(result.settings);
        this.message.value = result.warnings.length > 0 ? { kind: 'warning', text: result.warnings.join(' ') } : { kind: 'ok', text: 'Settings saved.' };
      } else {
        this.message.value = { kind: 'error', text: `Not saved: ${result.message}` };
      }
    } catch (error) {
      this.message.value = { kind: 'error', text: `Not saved: ${error instanceof Error ? error.message : String(error)}` };
    } finally {
      this.saving.value = false;
    }
  }

  async testConnection(key: string): Promise<void> {
    const server = this.form.value?.servers.find((s) => s.key === key);
    if (!server) return;
    this.tests.value = { ...this.tests.value, [key]: { status: 'running' } };
    let result: ConnectionTestResult;
    try {
      result = await this.api.testConnection({
        kind: server.kind,
        id: server.id,
        name: server.name,
        url: server.url.trim(),
        auth: authInput(server),
        ...(server.kind === 'comfyui' && server.tlsFingerprint.trim() !== '' && { tlsFingerprint: server.tlsFingerprint.trim() }),
      });
    } catch (error) {
      result = { ok: false, code: 'IPC_FAILED', message: error instanceof Error ? error.message : String(error) };
    }
    this.tests.value = { ...this.tests.value, [key]: { status: 'done', result } };
  }

  /**
   * Opens the main process's folder picker for a server's output folder (`server`: its form key) or the default one.
   * The only way to change a folder: the main process accepts on Save only a folder chosen there (or the stored one).
   */
  async pickFolder(target: { readonly server?: string }): Promise<void> {
    const serverId = target.server === undefined ? undefined : this.form.value?.servers.find((s) => s.key === target.server)?.id;
    if (target.server !== undefined && serverId === undefined) return;
    let choice: FolderChoice;
    try {
      choice = await this.api.chooseOutputFolder(serverId === undefined ? {} : { serverId });
    } catch (error) {
      this.message.value = { kind: 'error', text: `Could not choose a folder: ${error instanceof Error ? error.message : String(error)}` };
      return;
    }
    if (!choice.ok) {
      this.message.value = { kind: 'error', text: choice.message };
      return;
    }
    if (choice.folder !== undefined) this.setFolder(target, choice.folder);
  }

  /** Back to the default folder (for a server: the Outputs folder). */
  useDefaultFolder(target: { readonly server?: string }): void {
    this.setFolder(target, '');
  }

  private setFolder(target: { readonly server?: string }, folder: string): void {
    if (target.server !== undefined) this.editServer(target.server, { outputFolder: folder });
    else this.edit((f) => ({ ...f, outputs: { ...f.outputs, folder } }));
  }
}
