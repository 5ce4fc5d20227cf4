// The user's settings: loaded once, validated, migrated; changed only through `update`, which refuses anything the
// schema refuses. Secrets (passwords, tokens, keys) go to disk only through the SecretProtector, never in plain text.
import { Emitter } from '../emitter.js';
import { ComfyTrayError } from '../errors.js';
import type { ServerAuth } from '../comfy/server-config.js';
import type { KeyValueStore, SecretProtector } from './kv-store.js';
import { migrate, settingsSchema, type Settings, type SettingsInput } from './settings-schema.js';

const SETTINGS_KEY = 'settings';
const SECRETS_KEY = 'secrets';

export interface SettingsEvents {
  changed: Settings;
}

export class SettingsStore {
  readonly events = new Emitter<SettingsEvents>();

  private constructor(
    private readonly kv: KeyValueStore,
    private readonly protector: SecretProtector,
    private settings: Settings,
  ) {}

  /** Never fails on bad content: what cannot be used is set aside and reported in `warnings`. */
  static async open(kv: KeyValueStore, protector: SecretProtector): Promise<{ store: SettingsStore; warnings: string[] }> {
    const warnings: string[] = [];
    const raw = kv.get(SETTINGS_KEY);
    let settings: Settings;
    if (raw === undefined) {
      settings = settingsSchema.parse({});
    } else {
      const parsed = settingsSchema.safeParse(migrate(raw));
      if (parsed.success) {
        settings = parsed.data;
      } else {
        const backupKey = `${SETTINGS_KEY}-invalid-${Date.now()}`;
        await kv.set(backupKey, raw);
        await kv.set(SETTINGS_KEY, settingsSchema.parse({}));
        warnings.push(`Your settings could not be used (${describeIssue(parsed.error.issues[0])}); they were kept as "${backupKey}" and defaults are used.`);
        settings = settingsSchema.parse({});
      }
    }
    settings = { ...settings, servers: settings.servers.map((server) => ({ ...server, auth: revealAuth(server.id, server.auth, kv, protector, warnings) })) };
    return { store: new SettingsStore(kv, protector, settings), warnings };
  }

  get current(): Settings {
    return this.settings;
  }

  /**
   * Validates the whole result before anything is stored. Throws CONFIG_INVALID with the first problem and its
   * path (e.g. `servers.0.url`), so a form can show it beside the field.
   */
  async update(change: (current: Settings) => SettingsInput): Promise<{ settings: Settings; warnings: string[] }> {
    const parsed = settingsSchema.safeParse(change(this.settings));
    if (!parsed.success) throw new ComfyTrayError('CONFIG_INVALID', describeIssue(parsed.error.issues[0]));
    const warnings: string[] = [];
    const secrets: Record<string, string> = {};
    const stored = {
      ...parsed.data,
      servers: parsed.data.servers.map((server) => {
        const { auth, secret } = splitSecret(server.auth);
        if (secret !== undefined) {
          if (this.protector.available) secrets[server.id] = this.protector.protect(secret);
          else warnings.push(`There is no secure storage on this machine: the credentials for ${server.name} are kept until the app quits only.`);
        }
        return { ...server, auth };
      }),
    };
    await this.kv.set(SECRETS_KEY, secrets);
    await this.kv.set(SETTINGS_KEY, stored);
    this.settings = parsed.data;
    this.events.emit('changed', parsed.data);
    return { settings: parsed.data, warnings };
  }
}

function describeIssue(issue: { path: PropertyKey[]; message: string } | undefined): string {
  if (!issue) return 'invalid settings';
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** The auth with its secret blanked, and the secret. */
function splitSecret(auth: ServerAuth): { auth: ServerAuth; secret?: string } {
  switch (auth.kind) {
    case 'none':
      return { auth };
    case 'basic':
      return { auth: { ...auth, password: '' }, secret: auth.password };
    case 'bearer':
      return { auth: { ...auth, token: '-' }, secret: auth.token };
    case 'header':
      return { auth: { ...auth, value: '' }, secret: auth.value };
    case 'api-key':
      return { auth: { ...auth, key: '-' }, secret: auth.key };
  }
}

function withSecret(auth: ServerAuth, secret: string): ServerAuth {
  switch (auth.kind) {
    case 'none':
      return auth;
    case 'basic':
      return { ...auth, password: secret };
    case 'bearer':
      return { ...auth, token: secret };
    case 'header':
      return { ...auth, value: secret };
    case 'api-key':
      return { ...auth, key: secret };
  }
}

function revealAuth(serverId: string, auth: ServerAuth, kv: KeyValueStore, protector: SecretProtector, warnings: string[]): ServerAuth {
  if (auth.kind === 'none') return auth;
  const secrets = kv.get(SECRETS_KEY);
  const stored = secrets !== null && typeof secrets === 'object' ? (secrets as Record<string, unknown>)[serverId] : undefined;
  if (typeof stored !== 'string' || !protector.available) {
    warnings.push(`The credentials for server ${serverId} are not available; enter them again in Settings.`);
    return auth;
  }
  try {
    return withSecret(auth, protector.reveal(stored));
  } catch {
    warnings.push(`The credentials for server ${serverId} could not be decrypted; enter them again in Settings.`);
    return auth;
  }
}
