// The Settings window's channels: settings are read without their secrets (nor credentials in a URL), changed through
// the core schema (which names the field when it refuses), and a server can be tried before it is saved. Secrets the
// renderer does not retype come back as a marker and the stored ones are kept.
import { z } from 'zod';
import { testConnection as tryServer } from '../core/backends/test-connection.js';
import { serverAuthSchema, type ServerAuth, type ServerConfigInput } from '../core/comfy/server-config.js';
import { ComfyTrayError } from '../core/errors.js';
import { urlWithoutCredentials, type Settings, type SettingsInput } from '../core/store/settings-schema.js';
import type { SettingsStore } from '../core/store/settings-store.js';
import { SERVER_KINDS, type ServerKind } from '../shared/app-state.js';
import type { AuthInput, ConnectionTestInput, ConnectionTestResult, RedactedAuth, SettingsPatch, SettingsView } from '../shared/ipc-contract.js';
import type { ArgSchemas, Handlers } from './ipc.js';

export type SettingsChannel = 'settings:get' | 'settings:update' | 'servers:test-connection' | 'dialog:pick-folder';

export interface SettingsHandlerDeps {
  readonly settings: SettingsStore;
  readonly testConnection: (config: ServerConfigInput) => Promise<ConnectionTestResult>;
  readonly pickFolder?: () => Promise<string | undefined>;
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
  return { ...settings, servers: settings.servers.map((server) => ({ ...server, url: urlWithoutCredentials(server.url), auth: redactAuth(server.auth) })) };
}

/** The auth to store: new credentials as typed, or the marker replaced by the stored secret of the same kind. */
function restoreAuth(input: AuthInput, stored: ServerAuth | undefined): ServerAuth | Record<string, unknown> {
  if (!('hasSecret' in input)) return input;
  const same = stored?.kind === input.kind ? stored : undefined;
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

/** The whole settings a patch leads to, before validation (the store validates it with the core schema). */
export function applyPatch(current: Settings, patch: SettingsPatch): SettingsInput {
  const { folder, ...outputs } = patch.outputs ?? {};
  const { pausedUntil, ...notifications } = patch.notifications ?? {};
  const nextOutputs: Record<string, unknown> = { ...current.outputs, ...outputs };
  if (folder === null) delete nextOutputs.folder;
  else if (folder !== undefined) nextOutputs.folder = folder;
  const nextNotifications: Record<string, unknown> = { ...current.notifications, ...notifications };
  if (pausedUntil === null) delete nextNotifications.pausedUntil;
  else if (pausedUntil !== undefined) nextNotifications.pausedUntil = pausedUntil;
  return {
    ...current,
    servers: patch.servers
      ? patch.servers.map((server) => ({ ...server, auth: restoreAuth(server.auth, current.servers.find((s) => s.id === server.id)?.auth) }))
      : current.servers,
    outputs: nextOutputs,
    notifications: nextNotifications,
    general: { ...current.general, ...patch.general },
  } as SettingsInput;
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
  return {
    handlers: {
      'settings:get': () => ({ ...redactSettings(settings.current), secretStorage: settings.secretStorage }),
      'settings:update': async (patch) => {
        try {
          const result = await settings.update((current) => applyPatch(current, patch));
          return { ok: true, settings: { ...redactSettings(result.settings), secretStorage: settings.secretStorage }, warnings: result.warnings };
        } catch (error) {
          if (error instanceof ComfyTrayError && error.code === 'CONFIG_INVALID') return { ok: false, code: 'CONFIG_INVALID', message: error.message };
          throw error;
        }
      },
      'servers:test-connection': (server: ConnectionTestInput) => {
        const stored = server.id === undefined ? undefined : settings.current.servers.find((s) => s.id === server.id)?.auth;
        const auth = restoreAuth(server.auth, stored) as ServerAuth;
        return deps.testConnection({
          ...(server.kind !== undefined && { kind: server.kind }),
          id: server.id || 'connection-test',
          name: server.name || 'Connection test',
          url: server.url,
          auth,
          ...(server.tlsFingerprint !== undefined && server.tlsFingerprint.trim() !== '' && { tlsFingerprint: server.tlsFingerprint }),
        });
      },
      'dialog:pick-folder': () => (deps.pickFolder ? deps.pickFolder() : Promise.resolve(undefined)),
    },
    schemas: {
      'settings:get': z.tuple([]),
      'settings:update': z.tuple([patchSchema]) as unknown as ArgSchemas['settings:update'],
      'servers:test-connection': z.tuple([connectionInputSchema]) as unknown as ArgSchemas['servers:test-connection'],
      'dialog:pick-folder': z.tuple([]),
    },
  };
}
