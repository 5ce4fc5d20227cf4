// The one schema of the user's settings, with its defaults and its migrations. Every value that reaches the store
// passed this schema; anything that does not is refused where it is typed, not discovered later.
import { z } from 'zod';
import { SERVER_KINDS, type ServerKind } from '../../shared/app-state.js';
import { serverAuthSchema, serverUrlProblem, splitUrlCredentials } from '../comfy/server-config.js';
import { normalizeFingerprint } from '../comfy/tls-pinning.js';
import { errorMessage } from '../errors.js';
import { GIB } from '../outputs/download-limits.js';
import { validateTemplate } from '../outputs/file-template.js';
import { forwardTargetsSchema } from '../notify/forward-settings.js';

export const SETTINGS_VERSION = 2;

/** The saver's own rules, so a template the settings accept is one the saver can use. */
const template = z
  .string()
  .max(500)
  .superRefine((value, ctx) => {
    try {
      validateTemplate(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: errorMessage(error) });
    }
  });

const notificationKinds = z.object({
  success: z.boolean().default(true),
  failure: z.boolean().default(true),
  cancelled: z.boolean().default(false),
  lost: z.boolean().default(true),
  queueFinished: z.boolean().default(false),
});

/** The credentials each hosted service takes (a ComfyUI takes any, or none), said where the user can fix it. */
const KIND_AUTH: Readonly<Partial<Record<ServerKind, { kind: string; message: string }>>> = {
  'comfy-cloud': { kind: 'api-key', message: 'Comfy Cloud needs an API key' },
  comfycontrol: { kind: 'bearer', message: 'ComfyControl needs an API token' },
};

export const serverSettingsSchema = z
  .object({
    /** What the server is; files from before kinds existed hold ComfyUI servers. */
    kind: z.enum(SERVER_KINDS as [ServerKind, ...ServerKind[]]).default('comfyui'),
    id: z.string().min(1).max(200),
    name: z.string().trim().min(1).max(100),
    url: z
      .string()
      .max(2000)
      .superRefine((url, ctx) => {
        const problem = serverUrlProblem(url);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      }),
    auth: serverAuthSchema.default({ kind: 'none' }),
    /** SHA-256 of the one self-signed certificate to trust (stored normalised, `AB:CD:…`). */
    tlsFingerprint: z
      .string()
      .max(200)
      .transform((text, ctx) => {
        const fingerprint = normalizeFingerprint(text);
        if (fingerprint === undefined) ctx.addIssue({ code: 'custom', message: 'A certificate fingerprint is 32 bytes of SHA-256 in hex (AB:CD:…)' });
        return fingerprint ?? text;
      })
      .optional(),
    enabled: z.boolean().default(true),
    saveOutputs: z.boolean().optional(),
    outputFolder: z.string().min(1).optional(),
    notifications: notificationKinds.partial().optional(),
  })
  .superRefine((server, ctx) => {
    const needed = KIND_AUTH[server.kind];
    if (needed && server.auth.kind !== needed.kind) ctx.addIssue({ code: 'custom', path: ['auth'], message: needed.message });
    if (server.tlsFingerprint !== undefined && !/^https:\/\//i.test(server.url)) {
      ctx.addIssue({ code: 'custom', path: ['tlsFingerprint'], message: 'A trusted certificate needs an https:// URL' });
    }
  });

export const settingsSchema = z.object({
  version: z.literal(SETTINGS_VERSION).default(SETTINGS_VERSION),
  servers: z
    .array(serverSettingsSchema)
    .max(50)
    .refine((list) => new Set(list.map((s) => s.id)).size === list.length, { message: 'Server ids must be unique' })
    .default([{ kind: 'comfyui', id: 'local', name: 'Local ComfyUI', url: 'http://127.0.0.1:8188', auth: { kind: 'none' }, enabled: true }]),
  outputs: z
    .object({
      enabled: z.boolean().default(true),
      folder: z.string().min(1).optional(),
      template: template.default('{server}/{date}/{filename}'),
      saveTemp: z.boolean().default(false),
      sidecar: z.boolean().default(false),
      /** The most one output may take, in GiB: a server streaming without end is stopped there. */
      maxFileGiB: z.number().positive().max(1024).default(20),
      /** Free space (GiB) downloads leave on the output folder's disk: they stop below it. */
      minFreeGiB: z.number().min(0).max(1024).default(1),
    })
    .default({ enabled: true, template: '{server}/{date}/{filename}', saveTemp: false, sidecar: false, maxFileGiB: 20, minFreeGiB: 1 }),
  notifications: z
    .object({
      enabled: z.boolean().default(true),
      kinds: notificationKinds.default({ success: true, failure: true, cancelled: false, lost: true, queueFinished: false }),
      /** Jobs ending within this window are announced together. */
      batchWindowMs: z.number().int().min(0).max(60_000).default(2_500),
      sound: z.boolean().default(false),
      /** Epoch ms until which notifications are paused; -1 = until resumed. */
      pausedUntil: z.number().int().optional(),
      /** Where notifications are forwarded to (ntfy, webhooks); secrets are kept by the store, apart. */
      forwarding: forwardTargetsSchema.default([]),
    })
    .default({ enabled: true, kinds: { success: true, failure: true, cancelled: false, lost: true, queueFinished: false }, batchWindowMs: 2_500, sound: false, forwarding: [] }),
  general: z
    .object({
      startAtLogin: z.boolean().default(false),
      theme: z.enum(['system', 'light', 'dark']).default('system'),
      journalJobsPerServer: z.number().int().min(50).max(100_000).default(1_000),
    })
    .default({ startAtLogin: false, theme: 'system', journalJobsPerServer: 1_000 }),
});

export type Settings = z.output<typeof settingsSchema>;
export type SettingsInput = z.input<typeof settingsSchema>;
export type ServerSettings = z.output<typeof serverSettingsSchema>;

/**
 * Whether a server's outputs are saved: its own "Save outputs" (Always / Never) wins; when it has none, the global
 * switch decides. The one rule the saver, the notifications and the headless mode all follow.
 */
export function serverSavesOutputs(settings: Settings, server: ServerSettings | undefined): boolean {
  return server?.saveOutputs ?? settings.outputs.enabled;
}

/** The download limits the settings give, in the saver's units (bytes). */
export function outputLimits(settings: Settings): { maxFileBytes: number; minFreeBytes: number } {
  return { maxFileBytes: Math.round(settings.outputs.maxFileGiB * GIB), minFreeBytes: Math.round(settings.outputs.minFreeGiB * GIB) };
}

/** The URL as views may show it: without any user name or password. */
export function urlWithoutCredentials(url: string): string {
  return splitUrlCredentials(url)?.url ?? url;
}

/**
 * Credentials in a server's URL would be stored and shown as plain text, so they never stay there: with no other
 * authentication they become its basic auth (a secret, stored through the protector); otherwise the server's own
 * authentication wins, as it does when connecting, and they are dropped.
 */
export function liftUrlCredentials(server: ServerSettings): { server: ServerSettings; outcome?: 'moved' | 'dropped' } {
  const found = splitUrlCredentials(server.url);
  if (!found) return { server };
  if (server.auth.kind === 'none') {
    return { server: { ...server, url: found.url, auth: { kind: 'basic', username: found.username, password: found.password } }, outcome: 'moved' };
  }
  return { server: { ...server, url: found.url }, outcome: 'dropped' };
}

/**
 * Migrations from each older version to the next, applied in order before validation.
 * v1 → v2: `notifications.paused: boolean` became `pausedUntil` (epoch ms, -1 = until resumed).
 * Servers written before kinds existed have none: the schema's default reads them as ComfyUI (no version step needed).
 */
const MIGRATIONS: Record<number, (old: Record<string, unknown>) => Record<string, unknown>> = {
  1: (old) => {
    const notifications = { ...(asRecord(old.notifications) ?? {}) };
    if (notifications.paused === true) notifications.pausedUntil = -1;
    delete notifications.paused;
    return { ...old, notifications, version: 2 };
  },
};

export function migrate(raw: unknown): unknown {
  let current = asRecord(raw);
  if (!current) return raw;
  let version = typeof current.version === 'number' ? current.version : 1;
  while (version < SETTINGS_VERSION) {
    const step = MIGRATIONS[version];
    if (!step) break;
    current = step(current);
    version++;
  }
  return current;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
