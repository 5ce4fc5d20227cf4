// The Settings window's channels: settings are read without their secrets (nor credentials in a URL), changed through
// the core schema (which names the field when it refuses), and a server can be tried before it is saved. Secrets the
// renderer does not retype come back as a marker and the stored ones are kept, but only for the URL they were saved
// for: a marker beside another URL is refused (SECRET_URL_CHANGED), so the window can never send a stored secret to
// a server of its choosing. Output folders change only through the native picker the main process opens.
import { z } from 'zod';
import { testConnection as tryServer } from '../core/backends/test-connection.js';
import { parseBaseUrl, redactedUrl, serverAuthSchema, type ServerAuth, type ServerConfigInput } from '../core/comfy/server-config.js';
import { ComfyTrayError } from '../core/errors.js';
import { checkOutputFolder, systemPlaces } from '../core/outputs/output-folder-policy.js';
import { urlWithoutCredentials, type Settings, type SettingsInput } from '../core/store/settings-schema.js';
import type { SettingsStore } from '../core/store/settings-store.js';
import { SERVER_KINDS, type ServerKind } from '../shared/app-state.js';
import type {
  AuthInput,
  ConnectionTestInput,
  ConnectionTestResult,
  FolderChoice,
  FolderTarget,
  ForwardTargetView,
  RedactedAuth,
  SettingsPatch,
  SettingsRefusal,
  SettingsView,
} from '../shared/ipc-contract.js';
import { storedTarget, type ForwardTarget } from '../core/notify/forward-settings.js';
import { restoreTargets } from './forwarding-handlers.js';
import type { ArgSchemas, Handlers } from './ipc.js';

export type SettingsChannel = 'settings:get' | 'settings:update' | 'servers:test-connection' | 'outputs:choose-folder';

export interface SettingsHandlerDeps {
  readonly settings: SettingsStore;
  readonly testConnection: (config: ServerConfigInput) => Promise<ConnectionTestResult>;
  /** Opens the native folder picker; undefined when the user cancels (or there is no picker). */
  readonly pickFolder?: () => Promise<string | undefined>;
  /** Why a folder cannot hold outputs, or undefined (default: the core's policy for this machine, links followed). */
  readonly folderProblem?: (folder: string) => Promise<string | undefined>;
}

const CONNECTION_TIMEOUT_MS = 5_000;

/** Tries a server as the app would follow it: its version and what it can do, or exactly what is wrong. */
export function testConnection(config: ServerConfigInput, timeoutMs = CONNECTION_TIMEOUT_MS): Promise<ConnectionTestResult> {
  return tryServer(config, timeoutMs);
}

export function redactAuth(auth: ServerAuth): RedactedAuth {
  switch (auth.kind) {
    case 'none':
      return { kind: 'none' };
    case 'basic':
      return { kind: 'basic', username: auth.username, hasSecret: auth.password !== '' };
    case 'bearer':
      return { kind: 'bearer', hasSecret: auth.token !== '' && auth.token !== '-' };
    case 'header':
      return { kind: 'header', name: auth.name, hasSecret: auth.value !== '' };
    case 'api-key':
      return { kind: 'api-key', hasSecret: auth.key !== '' && auth.key !== '-' };
    case 'query-token':
      return { kind: 'query-token', hasSecret: auth.token !== '' && auth.token !== '-' };
  }
}

/** What the window may see: no secret, and no credentials in a URL (the store never keeps any there; this makes sure). */
export function redactSettings(settings: Settings): SettingsView {
  return {
    ...settings,
    servers: settings.servers.map((server) => ({ ...server, url: urlWithoutCredentials(server.url), auth: redactAuth(server.auth) })),
    notifications: { ...settings.notifications, forwarding: settings.notifications.forwarding.map(redactTarget) },
  };
}

/** A forwarding target without its secret; whether it has one. */
export function redactTarget(target: ForwardTarget): ForwardTargetView {
  const { target: kept, secret } = storedTarget(target);
  return { ...kept, url: urlWithoutCredentials(kept.url), hasSecret: secret !== undefined };
}

/**
 * Whether a secret saved for a server at `savedUrl` may go to `url`: the same origin and the same path prefix, as the
 * app connects to them (scheme and host case, default port, trailing slash and credentials aside).
 */
export function sameSecretTarget(savedUrl: string, url: string): boolean {
  try {
    return redactedUrl(parseBaseUrl(savedUrl)) === redactedUrl(parseBaseUrl(url));
  } catch {
    return false;
  }
}

/**
 * The auth to store or try: new credentials as typed, or the marker replaced by the stored secret of the same kind,
 * which is only ever given for the URL it was saved with.
 */
function restoreAuth(input: AuthInput, stored: { auth: ServerAuth; url: string; name: string } | undefined, url: string): ServerAuth | Record<string, unknown> {
  if (!('hasSecret' in input)) return input;
  const same = stored?.auth.kind === input.kind ? stored.auth : undefined;
  if (same !== undefined && same.kind !== 'none' && stored !== undefined && !sameSecretTarget(stored.url, url)) {
    throw new ComfyTrayError('SECRET_URL_CHANGED', `The URL of ${stored.name} changed: enter its ${secretName(same)} again (a saved one only goes to the URL it was saved for)`);
  }
  switch (input.kind) {
    case 'none':
      return { kind: 'none' };
    case 'basic':
      return { kind: 'basic', username: input.username, password: same?.kind === 'basic' ? same.password : '' };
    case 'bearer':
      return { kind: 'bearer', token: same?.kind === 'bearer' ? same.token : '' };
    case 'header':
      return { kind: 'header', name: input.name, value: same?.kind === 'header' ? same.value : '' };
    case 'api-key':
      return { kind: 'api-key', key: same?.kind === 'api-key' ? same.key : '' };
    case 'query-token':
      return { kind: 'query-token', token: same?.kind === 'query-token' ? same.token : '' };
  }
}

function secretName(auth: ServerAuth): string {
  return { none: '', basic: 'password', bearer: 'token', header: 'header value', 'api-key': 'API key', 'query-token': 'token' }[auth.kind];
}

/** Output folders the user chose in the native picker this session, by target: the only new folders accepted. */
export class ChosenFolders {
  private readonly chosen = new Map<string, string>();

  static key(target: FolderTarget): string {
    return target.serverId === undefined ? 'outputs' : `server:${target.serverId}`;
  }

  remember(target: FolderTarget, folder: string): void {
    this.chosen.set(ChosenFolders.key(target), folder);
  }

  /** A folder the patch names for `target`: kept as stored, or the one chosen for it; refused otherwise. */
  check(target: FolderTarget, folder: string, stored: string | undefined, field: string): void {
    if (folder === stored || this.chosen.get(ChosenFolders.key(target)) === folder) return;
    throw new ComfyTrayError('OUTPUT_FOLDER_NOT_CHOSEN', `${field}: choose the folder with Choose… (a folder is never taken as typed)`);
  }
}

/**
 * The whole settings a patch leads to, before validation (the store validates it with the core schema). Throws
 * SECRET_URL_CHANGED for a kept secret beside a changed URL, OUTPUT_FOLDER_NOT_CHOSEN for a folder not chosen.
 */
export function applyPatch(current: Settings, patch: SettingsPatch, chosen: ChosenFolders = new ChosenFolders()): SettingsInput {
  const { folder, ...outputs } = patch.outputs ?? {};
  const { pausedUntil, forwarding, ...notifications } = patch.notifications ?? {};
  const nextOutputs: Record<string, unknown> = { ...current.outputs, ...outputs };
  if (folder === null) delete nextOutputs.folder;
  else if (folder !== undefined) {
    chosen.check({}, folder, current.outputs.folder, 'outputs.folder');
    nextOutputs.folder = folder;
  }
  const nextNotifications: Record<string, unknown> = { ...current.notifications, ...notifications };
  if (pausedUntil === null) delete nextNotifications.pausedUntil;
  else if (pausedUntil !== undefined) nextNotifications.pausedUntil = pausedUntil;
  // Targets' secrets come back only as the marker, beside the URL they were saved for.
  if (forwarding !== undefined) nextNotifications.forwarding = restoreTargets(forwarding, current.notifications.forwarding);
  return {
    ...current,
    servers: patch.servers
      ? patch.servers.map((server, index) => {
          const stored = current.servers.find((s) => s.id === server.id);
          if (server.outputFolder !== undefined) chosen.check({ serverId: server.id }, server.outputFolder, stored?.outputFolder, `servers.${index}.outputFolder`);
          return { ...server, auth: restoreAuth(server.auth, stored, server.url) };
        })
      : current.servers,
    outputs: nextOutputs,
    notifications: nextNotifications,
    general: { ...current.general, ...patch.general },
  } as SettingsInput;
}

/** Refusals the window is answered with as data (with their code), rather than as a failed call. */
const REFUSALS: ReadonlySet<string> = new Set<SettingsRefusal>(['CONFIG_INVALID', 'SECRET_URL_CHANGED', 'OUTPUT_FOLDER_REFUSED', 'OUTPUT_FOLDER_NOT_CHOSEN']);

function refusal(error: unknown): { ok: false; code: SettingsRefusal; message: string } | undefined {
  return error instanceof ComfyTrayError && REFUSALS.has(error.code) ? { ok: false, code: error.code as SettingsRefusal, message: error.message } : undefined;
}

// Argument shapes only: the values themselves are checked by the core schema, which names the field it refuses.
const text = z.string().max(2000);
const markerSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('basic'), username: text, hasSecret: z.literal(true) }),
  z.object({ kind: z.literal('bearer'), hasSecret: z.literal(true) }),
  z.object({ kind: z.literal('header'), name: text, hasSecret: z.literal(true) }),
  z.object({ kind: z.literal('api-key'), hasSecret: z.literal(true) }),
  z.object({ kind: z.literal('query-token'), hasSecret: z.literal(true) }),
]);
const authInputSchema = z.union([markerSchema, serverAuthSchema]);
const kindSchema = z.enum(SERVER_KINDS as [ServerKind, ...ServerKind[]]);
const serverInputSchema = z.object({
  kind: kindSchema.optional(),
  tlsFingerprint: text.optional(),
  id: text,
  name: text,
  url: text,
  auth: authInputSchema,
  enabled: z.boolean(),
  saveOutputs: z.boolean().optional(),
  outputFolder: text.optional(),
  notifications: z.record(z.string(), z.boolean()).optional(),
});
const section = z.record(z.string().max(100), z.unknown());
const patchSchema = z.object({
  servers: z.array(serverInputSchema).max(50).optional(),
  outputs: section.optional(),
  notifications: section.optional(),
  general: section.optional(),
});
const connectionInputSchema = z.object({
  kind: kindSchema.optional(),
  id: text.optional(),
  name: text.optional(),
  url: text,
  auth: authInputSchema,
  tlsFingerprint: text.optional(),
});

export function settingsHandlers(deps: SettingsHandlerDeps): { handlers: Pick<Handlers, SettingsChannel>; schemas: Pick<ArgSchemas, SettingsChannel> } {
  const { settings } = deps;
  const chosen = new ChosenFolders();
  return {
    handlers: {
      'settings:get': () => ({ ...redactSettings(settings.current), secretStorage: settings.secretStorage }),
      'settings:update': async (patch) => {
        try {
          const result = await settings.update((current) => applyPatch(current, patch, chosen));
          return { ok: true, settings: { ...redactSettings(result.settings), secretStorage: settings.secretStorage }, warnings: result.warnings };
        } catch (error) {
          const refused = refusal(error);
          if (refused) return refused;
          throw error;
        }
      },
      'servers:test-connection': async (server: ConnectionTestInput) => {
        const stored = server.id === undefined ? undefined : settings.current.servers.find((s) => s.id === server.id);
        let auth: ServerAuth;
        try {
          auth = restoreAuth(server.auth, stored, server.url) as ServerAuth;
        } catch (error) {
          const refused = refusal(error);
          if (refused) return refused;
          throw error;
        }
        return deps.testConnection({
          ...(server.kind !== undefined && { kind: server.kind }),
          id: server.id || 'connection-test',
          name: server.name || 'Connection test',
          url: server.url,
          auth,
          ...(server.tlsFingerprint !== undefined && server.tlsFingerprint.trim() !== '' && { tlsFingerprint: server.tlsFingerprint }),
        });
      },
      'outputs:choose-folder': async (target): Promise<FolderChoice> => {
        const folder = deps.pickFolder ? await deps.pickFolder() : undefined;
        if (folder === undefined) return { ok: true };
        const problem = await (deps.folderProblem ?? ((path: string) => checkOutputFolder(path, systemPlaces())))(folder);
        if (problem !== undefined) return { ok: false, code: 'OUTPUT_FOLDER_REFUSED', message: `Outputs cannot be saved there: ${problem}` };
        chosen.remember(target, folder);
        return { ok: true, folder };
      },
    },
    schemas: {
      'settings:get': z.tuple([]),
      'settings:update': z.tuple([patchSchema]) as unknown as ArgSchemas['settings:update'],
      'servers:test-connection': z.tuple([connectionInputSchema]) as unknown as ArgSchemas['servers:test-connection'],
      'outputs:choose-folder': z.tuple([z.object({ serverId: text.optional() }).strict()]),
    },
  };
}
