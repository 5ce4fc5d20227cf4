// The app's own settings, as the headless mode sees them: read from the app's settings file in the data folder and
// never written. They say which servers the app watches and under which ids, so a `--server` URL the app knows gets
// the app's id and shares the app's journal records (one record per server, not one per process). Unknown URLs keep
// an id made from the URL.
import { join } from 'node:path';
import { parseBaseUrl, redactedUrl, serverIdForUrl, type ServerAuth, type ServerConfigInput } from '../core/comfy/server-config.js';
import { errorMessage } from '../core/errors.js';
import { SECRET_VARIABLES, type HostedKind } from './args.js';
import { readUserFile } from '../core/user-file.js';
import { migrate, serverSavesOutputs, settingsSchema, type ServerSettings, type Settings } from '../core/store/settings-schema.js';

/** The file electron-store keeps the app's settings in (its `name: 'settings'`), in the same data folder. */
export const APP_SETTINGS_FILE = 'settings.json';
/** The key the app's SettingsStore keeps them under. */
const SETTINGS_KEY = 'settings';
/** Far above any real settings file (a few KB), far below what would hurt to read. */
const MAX_SETTINGS_BYTES = 16 * 1024 * 1024;

/**
 * The app's settings, validated and migrated like the app does, or the app's defaults when there is no file (the app
 * then watches its default server under its default id). Never fails and never writes: a file the app could not use
 * is the app's to set aside; here it only costs a warning and the defaults.
 */
export async function readAppSettings(dataDir: string): Promise<{ settings: Settings; warnings: string[] }> {
  const path = join(dataDir, APP_SETTINGS_FILE);
  // The data folder can be any folder the user names (--data-dir): its settings file is read like any user file.
  const read = await readUserFile(path, MAX_SETTINGS_BYTES);
  if (!read.ok && read.reason === 'missing') return { settings: settingsSchema.parse({}), warnings: [] };
  if (!read.ok) return { settings: settingsSchema.parse({}), warnings: [`The app's settings (${path}) could not be read (${read.message}); using the defaults.`] };
  const text = Buffer.from(read.bytes).toString('utf8');
  try {
    const file: unknown = JSON.parse(text);
    const raw = file !== null && typeof file === 'object' && !Array.isArray(file) ? (file as Record<string, unknown>)[SETTINGS_KEY] : undefined;
    if (raw === undefined) return { settings: settingsSchema.parse({}), warnings: [] };
    const parsed = settingsSchema.safeParse(migrate(raw));
    if (parsed.success) return { settings: parsed.data, warnings: [] };
    const issue = parsed.error.issues[0];
    throw new Error(issue ? `${issue.path.map(String).join('.')}: ${issue.message}` : 'invalid settings');
  } catch (error) {
    return { settings: settingsSchema.parse({}), warnings: [`The app's settings (${path}) could not be used (${errorMessage(error)}); using the defaults.`] };
  }
}

/**
 * Whether the app saves this server's outputs (`serverSavesOutputs`, the app's own rule). A server the app has not configured, or has switched off, is one it
 * never watches: a job left marked for it would wait for a save that never comes.
 */
export function appSavesOutputs(settings: Settings, serverId: string): boolean {
  const server = settings.servers.find((candidate) => candidate.id === serverId);
  return server !== undefined && server.enabled && serverSavesOutputs(settings, server);
}

/** The same server whatever the spelling: scheme and host case, default port, trailing slash, credentials. */
export function sameServerUrl(a: string, b: string): boolean {
  try {
    return redactedUrl(parseBaseUrl(a)) === redactedUrl(parseBaseUrl(b));
  } catch {
    return false;
  }
}

export interface CliServer {
  readonly config: ServerConfigInput;
  /** What the JSON lines call it: the URL without credentials or trailing slash. */
  readonly label: string;
}

/**
 * The servers a headless command works on. With URLs, each one the app has configured (enabled or not) runs under the
 * app's id and name; the others under an id made from the URL. Without URLs, the servers the app watches.
 * Credentials: a `user:password@` in the URL is used; the app's own secrets are encrypted with the OS keychain
 * through Electron, which the headless mode cannot open, so a server that needs them gets a warning instead.
 */
export function resolveCliServers(
  urls: readonly string[],
  settings: Settings,
  /** Secrets of the hosted kinds, from the environment: the app's own are in its keychain. */
  secrets: Partial<Record<HostedKind, string>> = {},
): { servers: CliServer[]; warnings: string[] } {
  const warnings: string[] = [];
  const fromSettings = (server: ServerSettings, url: string): CliServer | undefined => {
    if (server.kind !== 'comfyui') {
      const secret = secrets[server.kind];
      if (secret === undefined) {
        warnings.push(`${server.name}: its credentials are kept in the app's keychain, which the headless mode cannot read; set ${SECRET_VARIABLES[server.kind]} to follow it here.`);
        return undefined;
      }
      return hostedServer(server.kind, url, secret, settings);
    }
    const hasUrlCredentials = parseBaseUrl(url).username !== '';
    if (server.auth.kind !== 'none' && !hasUrlCredentials) {
      warnings.push(
        `${server.name}: its credentials are kept in the app's keychain, which the headless mode cannot read; give them as user:password@ in the --server URL.`,
      );
    }
    return { config: { id: server.id, name: server.name, url, auth: { kind: 'none' } }, label: serverIdForUrl(url) };
  };
  if (urls.length === 0) {
    return { servers: settings.servers.filter((server) => server.enabled).flatMap((server) => fromSettings(server, server.url) ?? []), warnings };
  }
  const servers = urls.map((url): CliServer => {
    const configured = settings.servers.find((server) => server.kind === 'comfyui' && sameServerUrl(server.url, url));
    if (configured) return fromSettings(configured, url)!;
    const id = serverIdForUrl(url);
    return { config: { id, name: id, url }, label: id };
  });
  return { servers, warnings };
}

/**
 * A Comfy Cloud account or ComfyControl named on the command line, with its secret from the environment. A service the
 * app has configured at the same URL runs under the app's id, so both share what they have seen of it.
 */
export function hostedServer(kind: HostedKind, url: string, secret: string, settings: Settings): CliServer {
  const configured = settings.servers.find((server) => server.kind === kind && sameServerUrl(server.url, url));
  const id = configured?.id ?? serverIdForUrl(url);
  const name = configured?.name ?? (kind === 'comfy-cloud' ? 'Comfy Cloud' : 'ComfyControl');
  const auth: ServerAuth = kind === 'comfy-cloud' ? { kind: 'api-key', key: secret } : { kind: 'bearer', token: secret };
  return { config: { kind, id, name, url, auth }, label: serverIdForUrl(url) };
}
