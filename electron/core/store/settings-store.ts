// The user's settings: loaded once, validated, migrated; changed only through `update`, which refuses anything the
// schema refuses. Secrets (passwords, tokens, keys) go to disk only through the SecretProtector, never in plain text.
import { Emitter } from '../emitter.js';
import { checkOutputFolder, systemPlaces, type SystemPlaces } from '../outputs/output-folder-policy.js';
import { ComfyTrayError } from '../errors.js';
import type { ServerAuth } from '../comfy/server-config.js';
import { revealForwardSecrets, storeForwardSecrets, withoutForwardSecrets } from './forward-secrets.js';
import type { KeyValueStore, SecretProtector } from './kv-store.js';
import { liftUrlCredentials, migrate, settingsSchema, urlWithoutCredentials, type ServerSettings, type Settings, type SettingsInput } from './settings-schema.js';

const SETTINGS_KEY = 'settings';
const SECRETS_KEY = 'secrets';

export interface SettingsEvents {
  changed: Settings;
}

/** Whether secrets typed in the settings survive a restart, and if not, why (for a warning beside them). */
export interface SecretStorageState {
  readonly persisted: boolean;
  readonly reason?: string;
}

export class SettingsStore {
  readonly events = new Emitter<SettingsEvents>();

  private constructor(
    private readonly kv: KeyValueStore,
    private readonly protector: SecretProtector,
    private settings: Settings,
    private readonly places: SystemPlaces,
  ) {}

  /**
   * Never fails on bad content: what cannot be used is set aside and reported in `warnings`. `places` are the
   * machine's protected folders (default: this machine's, for the default data folder).
   */
  static async open(kv: KeyValueStore, protector: SecretProtector, options: { places?: SystemPlaces } = {}): Promise<{ store: SettingsStore; warnings: string[] }> {
    const places = options.places ?? systemPlaces();
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
        // Kept for the user to repair, but not with a password someone once typed into a URL.
        await kv.set(backupKey, withoutRawUrlCredentials(raw));
        await kv.set(SETTINGS_KEY, settingsSchema.parse({}));
        warnings.push(`Your settings could not be used (${describeIssue(parsed.error.issues[0])}); they were kept as "${backupKey}" and defaults are used.`);
        settings = settingsSchema.parse({});
      }
    }
    // Files written before credentials were taken out of server URLs still hold them there: migrate them now.
    const lifted = settings.servers.map((server) => liftUrlCredentials(server));
    const moved = new Set(lifted.filter((l) => l.outcome === 'moved').map((l) => l.server.id));
    const weak = new Set<string>();
    const servers = lifted.map(({ server }) => {
      if (moved.has(server.id)) return server;
      const revealed = revealAuth(server, kv, protector, warnings);
      if (revealed.weak) weak.add(server.id);
      return { ...server, auth: revealed.auth };
    });
    settings = { ...settings, servers };
    if (lifted.some((l) => l.outcome !== undefined) || weak.size > 0) {
      const secrets = storedSecrets(kv);
      // Secrets an earlier version wrote without real protection are read once, then no longer kept on disk.
      for (const id of weak) delete secrets[id];
      for (const { server, outcome } of lifted) {
        if (outcome === undefined) continue;
        warnings.push(liftWarning(server.name, outcome));
        if (outcome !== 'moved') continue;
        const { secret } = splitSecret(server.auth);
        if (secret !== undefined && protector.available) secrets[server.id] = protector.protect(secret);
        else if (secret !== undefined) warnings.push(sessionOnlyWarning(protector, server.name));
      }
      if (weak.size > 0) warnings.push(`${unavailableReason(protector)}: credentials saved earlier were removed from disk and are kept until the app quits; enter them again next time.`);
      await kv.set(SECRETS_KEY, secrets);
      await kv.set(SETTINGS_KEY, storedForm(settings));
    }
    // Forwarding targets' secrets, the same way; one read that must leave the disk is written again, protected or not at all.
    const forward = revealForwardSecrets(kv, protector, settings);
    settings = forward.settings;
    warnings.push(...forward.warnings);
    if (forward.rewrite) {
      warnings.push(...(await storeForwardSecrets(kv, protector, settings, unavailableReason(protector))));
      await kv.set(SETTINGS_KEY, storedForm(settings));
    }
    // A system folder for outputs (a hand-edited file, or one written before such folders were refused): outputs go
    // to the default folder, and the user is told.
    const folders = await withoutRefusedFolders(settings, places);
    if (folders.refused.length > 0) {
      settings = folders.settings;
      warnings.push(...folders.refused.map((problem) => `Outputs are not saved to ${problem}; they go to the default folder instead. Choose another folder in Settings.`));
      await kv.set(SETTINGS_KEY, storedForm(settings));
    }
    return { store: new SettingsStore(kv, protector, settings, places), warnings };
  }

  get current(): Settings {
    return this.settings;
  }

  get secretStorage(): SecretStorageState {
    return this.protector.available ? { persisted: true } : { persisted: false, reason: unavailableReason(this.protector) };
  }

  /**
   * Validates the whole result before anything is stored. Throws CONFIG_INVALID with the first problem and its
   * path (e.g. `servers.0.url`), so a form can show it beside the field.
   */
  async update(change: (current: Settings) => SettingsInput): Promise<{ settings: Settings; warnings: string[] }> {
    const parsed = settingsSchema.safeParse(change(this.settings));
    if (!parsed.success) throw new ComfyTrayError('CONFIG_INVALID', describeIssue(parsed.error.issues[0]));
    for (const { folder, field } of changedFolders(this.settings, parsed.data)) {
      const problem = await checkOutputFolder(folder, this.places);
      if (problem !== undefined) throw new ComfyTrayError('OUTPUT_FOLDER_REFUSED', `${field}: outputs cannot be saved there: ${problem}`);
    }
    const warnings: string[] = [];
    const next: Settings = {
      ...parsed.data,
      servers: parsed.data.servers.map((typed) => {
        const { server, outcome } = liftUrlCredentials(typed);
        if (outcome !== undefined) warnings.push(liftWarning(server.name, outcome));
        return server;
      }),
    };
    const secrets: Record<string, string> = {};
    for (const server of next.servers) {
      const { secret } = splitSecret(server.auth);
      if (secret === undefined) continue;
      if (this.protector.available) secrets[server.id] = this.protector.protect(secret);
      else warnings.push(sessionOnlyWarning(this.protector, server.name));
    }
    await this.kv.set(SECRETS_KEY, secrets);
    warnings.push(...(await storeForwardSecrets(this.kv, this.protector, next, unavailableReason(this.protector))));
    await this.kv.set(SETTINGS_KEY, storedForm(next));
    this.settings = next;
    this.events.emit('changed', next);
    return { settings: next, warnings };
  }
}

/** The output folders settings name (the default one, and each server's own), with the field that names each. */
function outputFolders(settings: Settings): { folder: string; field: string; serverId?: string }[] {
  return [
    ...(settings.outputs.folder === undefined ? [] : [{ folder: settings.outputs.folder, field: 'outputs.folder' }]),
    ...settings.servers.flatMap((server, index) => (server.outputFolder === undefined ? [] : [{ folder: server.outputFolder, field: `servers.${index}.outputFolder`, serverId: server.id }])),
  ];
}

/** The output folders `next` names that `current` did not name in the same place (those already there were checked). */
function changedFolders(current: Settings, next: Settings): { folder: string; field: string }[] {
  const before = new Set(outputFolders(current).map((entry) => `${entry.serverId ?? ''}\u0000${entry.folder}`));
  return outputFolders(next).filter((entry) => !before.has(`${entry.serverId ?? ''}\u0000${entry.folder}`));
}

/** The settings without the output folders the policy refuses, and why each was refused. */
async function withoutRefusedFolders(settings: Settings, places: SystemPlaces): Promise<{ settings: Settings; refused: string[] }> {
  const refused: string[] = [];
  const keep = async (folder: string | undefined): Promise<string | undefined> => {
    if (folder === undefined) return undefined;
    const problem = await checkOutputFolder(folder, places);
    if (problem === undefined) return folder;
    refused.push(problem);
    return undefined;
  };
  const { folder, ...outputs } = settings.outputs;
  const kept = await keep(folder);
  const servers = await Promise.all(
    settings.servers.map(async ({ outputFolder, ...server }) => {
      const own = await keep(outputFolder);
      return own === undefined ? server : { ...server, outputFolder: own };
    }),
  );
  return { settings: { ...settings, outputs: kept === undefined ? outputs : { ...outputs, folder: kept }, servers }, refused };
}

/** The settings as written to disk: every secret blanked (they live, protected, under SECRETS_KEY). */
function storedForm(settings: Settings): Settings {
  return withoutForwardSecrets({ ...settings, servers: settings.servers.map((server) => ({ ...server, auth: splitSecret(server.auth).auth })) });
}

function storedSecrets(kv: KeyValueStore): Record<string, string> {
  const secrets = kv.get(SECRETS_KEY);
  if (secrets === null || typeof secrets !== 'object' || Array.isArray(secrets)) return {};
  return Object.fromEntries(Object.entries(secrets).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

function unavailableReason(protector: SecretProtector): string {
  return protector.unavailableReason ?? 'There is no secure storage on this machine';
}

function sessionOnlyWarning(protector: SecretProtector, serverName: string): string {
  return `${unavailableReason(protector)}: the credentials for ${serverName} are kept until the app quits only.`;
}

function liftWarning(serverName: string, outcome: 'moved' | 'dropped'): string {
  return outcome === 'moved'
    ? `The user name and password in the URL of ${serverName} were moved to its authentication (Basic), so the URL is saved without them.`
    : `The user name and password in the URL of ${serverName} were removed: the authentication set for it is used instead.`;
}

/** A copy of unvalidated settings whose server URLs no longer carry credentials (the rest is kept as it was). */
function withoutRawUrlCredentials(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const record = raw as Record<string, unknown>;
  if (!Array.isArray(record.servers)) return raw;
  const servers: unknown[] = record.servers.map((server: unknown) => {
    if (server === null || typeof server !== 'object' || Array.isArray(server)) return server;
    const { url } = server as { url?: unknown };
    return typeof url === 'string' ? { ...server, url: urlWithoutCredentials(url) } : server;
  });
  return { ...record, servers };
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
    case 'query-token':
      return { auth: { ...auth, token: '-' }, secret: auth.token };
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
    case 'query-token':
      return { ...auth, token: secret };
  }
}

/**
 * The server's auth with its stored secret put back. `weak` when the secret could be read although the protector
 * says it is not safe to write (an earlier version stored it with weak protection): the caller takes it off the disk.
 */
function revealAuth(server: ServerSettings, kv: KeyValueStore, protector: SecretProtector, warnings: string[]): { auth: ServerAuth; weak?: true } {
  const { auth } = server;
  if (auth.kind === 'none') return { auth };
  const stored = storedSecrets(kv)[server.id];
  if (stored === undefined) {
    warnings.push(`The credentials for ${server.name} are not available; enter them again in Settings.`);
    return { auth };
  }
  try {
    const revealed = withSecret(auth, protector.reveal(stored));
    return protector.available ? { auth: revealed } : { auth: revealed, weak: true };
  } catch {
    warnings.push(
      protector.available
        ? `The credentials for ${server.name} could not be decrypted; enter them again in Settings.`
        : `${unavailableReason(protector)}: the credentials for ${server.name} cannot be read; enter them again in Settings.`,
    );
    return { auth };
  }
}
