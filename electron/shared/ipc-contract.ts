// Every channel between the renderer and the main process, declared once. The preload exposes `TrayApi`; the
// shell registers one handler per `InvokeMap` entry (checked by a type test). Channel names read `area:verb-noun`.
import type { JobView, ServerView } from './app-state.js';

export interface AppSnapshot {
  readonly version: number;
  readonly servers: readonly ServerView[];
  readonly jobs: readonly JobView[];
}

export type StatePatch =
  | { readonly type: 'server-updated'; readonly server: ServerView }
  | { readonly type: 'job-updated'; readonly job: JobView }
  | { readonly type: 'job-removed'; readonly serverId: string; readonly jobId: string };

/** Patches newer than a snapshot of version `version - 1`; a view drops batches not newer than what it has. */
export interface VersionedPatches {
  readonly version: number;
  readonly patches: readonly StatePatch[];
}

/** A server's credentials as the renderer sees them: the secret itself never leaves the main process. */
export type RedactedAuth =
  | { readonly kind: 'none' }
  | { readonly kind: 'basic'; readonly username: string; readonly hasSecret: boolean }
  | { readonly kind: 'bearer'; readonly hasSecret: boolean }
  | { readonly kind: 'header'; readonly name: string; readonly hasSecret: boolean }
  | { readonly kind: 'api-key'; readonly hasSecret: boolean };

/** Credentials sent by the renderer: new ones the user typed, or the marker (`hasSecret: true`) to keep the stored secret. */
export type AuthInput =
  | { readonly kind: 'none' }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  | { readonly kind: 'bearer'; readonly token: string }
  | { readonly kind: 'header'; readonly name: string; readonly value: string }
  | { readonly kind: 'api-key'; readonly key: string }
  | (RedactedAuth & { readonly hasSecret: true });

export interface NotificationKindsView {
  readonly success: boolean;
  readonly failure: boolean;
  readonly cancelled: boolean;
  readonly lost: boolean;
  readonly queueFinished: boolean;
}

export interface ServerSettingsView {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly auth: RedactedAuth;
  readonly enabled: boolean;
  readonly saveOutputs?: boolean;
  readonly outputFolder?: string;
  readonly notifications?: Partial<NotificationKindsView>;
}

export interface SettingsView {
  readonly servers: readonly ServerSettingsView[];
  readonly outputs: { readonly enabled: boolean; readonly folder?: string; readonly template: string; readonly saveTemp: boolean; readonly sidecar: boolean };
  readonly notifications: {
    readonly enabled: boolean;
    readonly kinds: NotificationKindsView;
    readonly batchWindowMs: number;
    readonly sound: boolean;
    readonly pausedUntil?: number;
  };
  readonly general: { readonly startAtLogin: boolean; readonly theme: 'system' | 'light' | 'dark'; readonly journalJobsPerServer: number };
}

export type ServerSettingsInput = Omit<ServerSettingsView, 'auth'> & { readonly auth: AuthInput };

/**
 * A change to the settings: each section given replaces the fields it names; `servers` replaces the whole list.
 * `null` clears an optional value (the default output folder, notifications no longer paused).
 */
export interface SettingsPatch {
  readonly servers?: readonly ServerSettingsInput[];
  readonly outputs?: Partial<Omit<SettingsView['outputs'], 'folder'>> & { readonly folder?: string | null };
  readonly notifications?: Partial<Omit<SettingsView['notifications'], 'pausedUntil'>> & { readonly pausedUntil?: number | null };
  readonly general?: Partial<SettingsView['general']>;
}

export type SettingsUpdateResult =
  | { readonly ok: true; readonly settings: SettingsView; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly code: 'CONFIG_INVALID'; readonly message: string };

/** The server to try: as edited in the form; a kept secret is taken from the stored server with the same id. */
export interface ConnectionTestInput {
  readonly id?: string;
  readonly name?: string;
  readonly url: string;
  readonly auth: AuthInput;
}

export type ConnectionTestResult =
  | {
      readonly ok: true;
      readonly version?: string;
      readonly capabilities: { readonly jobsApi: boolean; readonly cancelEndpoint: boolean; readonly targetedInterrupt: boolean; readonly supportsPreviewMetadata: boolean };
    }
  | { readonly ok: false; readonly code: string; readonly message: string };

export interface InvokeMap {
  'state:get-snapshot': { args: []; result: AppSnapshot };
  'jobs:cancel': { args: [serverId: string, jobId: string]; result: boolean };
  'settings:get': { args: []; result: SettingsView };
  'settings:update': { args: [patch: SettingsPatch]; result: SettingsUpdateResult };
  'servers:test-connection': { args: [server: ConnectionTestInput]; result: ConnectionTestResult };
  /** A native folder picker; undefined when the user cancels. */
  'dialog:pick-folder': { args: []; result: string | undefined };
}

export interface EventMap {
  'state:snapshot': AppSnapshot;
  'state:patches': VersionedPatches;
  /** Show a view of the window (the tray's Settings… entry). */
  'ui:show-view': 'queue' | 'settings';
  /** Bring one job into view (a notification was clicked). */
  'ui:focus-job': { readonly serverId: string; readonly jobId: string };
}

export type InvokeChannel = keyof InvokeMap;
export type EventChannel = keyof EventMap;

/** Compile-time check: the runtime list names every channel of InvokeMap. */
type MissingChannels = Exclude<InvokeChannel, (typeof INVOKE_CHANNELS)[number]>;
export const INVOKE_CHANNELS_COMPLETE: MissingChannels extends never ? true : never = true;

export const INVOKE_CHANNELS = ['state:get-snapshot', 'jobs:cancel', 'settings:get', 'settings:update', 'servers:test-connection', 'dialog:pick-folder'] as const satisfies readonly InvokeChannel[];

export interface TrayApi {
  getSnapshot(): Promise<AppSnapshot>;
  cancelJob(serverId: string, jobId: string): Promise<boolean>;
  getSettings(): Promise<SettingsView>;
  updateSettings(patch: SettingsPatch): Promise<SettingsUpdateResult>;
  testConnection(server: ConnectionTestInput): Promise<ConnectionTestResult>;
  pickFolder(): Promise<string | undefined>;
  /** Returns its unsubscribe. */
  onSnapshot(listener: (snapshot: AppSnapshot) => void): () => void;
  /** Changes after a snapshot, coalesced per frame; returns its unsubscribe. */
  onPatches(listener: (batch: VersionedPatches) => void): () => void;
  onShowView(listener: (view: EventMap['ui:show-view']) => void): () => void;
  onFocusJob(listener: (job: EventMap['ui:focus-job']) => void): () => void;
}
