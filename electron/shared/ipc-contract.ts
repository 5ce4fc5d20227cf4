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

export interface InvokeMap {
  'state:get-snapshot': { args: []; result: AppSnapshot };
  'jobs:cancel': { args: [serverId: string, jobId: string]; result: boolean };
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

export const INVOKE_CHANNELS = ['state:get-snapshot', 'jobs:cancel'] as const satisfies readonly InvokeChannel[];

export interface TrayApi {
  getSnapshot(): Promise<AppSnapshot>;
  cancelJob(serverId: string, jobId: string): Promise<boolean>;
  /** Returns its unsubscribe. */
  onSnapshot(listener: (snapshot: AppSnapshot) => void): () => void;
  /** Changes after a snapshot, coalesced per frame; returns its unsubscribe. */
  onPatches(listener: (batch: VersionedPatches) => void): () => void;
  onShowView(listener: (view: EventMap['ui:show-view']) => void): () => void;
  onFocusJob(listener: (job: EventMap['ui:focus-job']) => void): () => void;
}
