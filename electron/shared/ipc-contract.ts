// Every channel between the renderer and the main process, declared once. The preload exposes `TrayApi`; the
// shell registers one handler per `InvokeMap` entry (checked by a type test). Channel names read `area:verb-noun`.
import type { JobView, ServerKind, ServerView } from './app-state.js';

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
  | { readonly kind: 'api-key'; readonly hasSecret: boolean }
  | { readonly kind: 'query-token'; readonly hasSecret: boolean };

/** Credentials sent by the renderer: new ones the user typed, or the marker (`hasSecret: true`) to keep the stored secret. */
export type AuthInput =
  | { readonly kind: 'none' }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  | { readonly kind: 'bearer'; readonly token: string }
  | { readonly kind: 'header'; readonly name: string; readonly value: string }
  | { readonly kind: 'api-key'; readonly key: string }
  | { readonly kind: 'query-token'; readonly token: string }
  | (RedactedAuth & { readonly hasSecret: true });

export interface NotificationKindsView {
  readonly success: boolean;
  readonly failure: boolean;
  readonly cancelled: boolean;
  readonly lost: boolean;
  readonly queueFinished: boolean;
}

export interface ServerSettingsView {
  /** Absent means ComfyUI. */
  readonly kind?: ServerKind;
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly auth: RedactedAuth;
  /** SHA-256 of the one self-signed certificate trusted for this https server. */
  readonly tlsFingerprint?: string;
  readonly enabled: boolean;
  readonly saveOutputs?: boolean;
  readonly outputFolder?: string;
  readonly notifications?: Partial<NotificationKindsView>;
}

/** Which notifications a forwarding target receives. */
export interface ForwardEventsView {
  readonly done: boolean;
  readonly failed: boolean;
  readonly queueFinished: boolean;
  readonly serverOffline: boolean;
}

/**
 * A forwarding target as the window sees it: never its secret (ntfy token, webhook signing secret, Discord or Slack
 * webhook URL, whose path is the credential: for those `url` is the origin only).
 */
export interface ForwardTargetView {
  readonly id: string;
  readonly name: string;
  readonly kind: 'ntfy' | 'webhook' | 'discord' | 'slack';
  readonly enabled: boolean;
  readonly url: string;
  readonly topic?: string;
  readonly events: ForwardEventsView;
  readonly hasSecret: boolean;
}

/**
 * A forwarding target from the window: a new secret as typed (for Discord and Slack, the whole webhook URL), `keep` to
 * keep the stored one (only beside the URL it was saved for: SECRET_URL_CHANGED otherwise), or none.
 */
export type ForwardTargetInput = Omit<ForwardTargetView, 'hasSecret'> & { readonly secret?: string | { readonly keep: true } };

/** What "Send test" came to: the receiver took it, or why not (FORWARD_REFUSED with its HTTP status, unreachable...). */
export type ForwardTestResult = { readonly ok: true } | { readonly ok: false; readonly code: string; readonly message: string };

export interface SettingsView {
  readonly servers: readonly ServerSettingsView[];
  readonly outputs: { readonly enabled: boolean; readonly folder?: string; readonly template: string; readonly saveTemp: boolean; readonly sidecar: boolean };
  readonly notifications: {
    readonly enabled: boolean;
    readonly kinds: NotificationKindsView;
    readonly batchWindowMs: number;
    readonly sound: boolean;
    readonly pausedUntil?: number;
    readonly forwarding: readonly ForwardTargetView[];
  };
  readonly general: { readonly startAtLogin: boolean; readonly theme: 'system' | 'light' | 'dark'; readonly journalJobsPerServer: number };
  /** Whether passwords and tokens can be kept across restarts (an OS keychain is there), and why not. */
  readonly secretStorage?: { readonly persisted: boolean; readonly reason?: string };
}

export type ServerSettingsInput = Omit<ServerSettingsView, 'auth'> & { readonly auth: AuthInput };

/**
 * A change to the settings: each section given replaces the fields it names; `servers` replaces the whole list.
 * `null` clears an optional value (the default output folder, notifications no longer paused).
 */
export interface SettingsPatch {
  readonly servers?: readonly ServerSettingsInput[];
  readonly outputs?: Partial<Omit<SettingsView['outputs'], 'folder'>> & { readonly folder?: string | null };
  readonly notifications?: Partial<Omit<SettingsView['notifications'], 'pausedUntil' | 'forwarding'>> & {
    readonly pausedUntil?: number | null;
    /** Replaces the whole list. */
    readonly forwarding?: readonly ForwardTargetInput[];
  };
  readonly general?: Partial<SettingsView['general']>;
}

/**
 * Why a change was refused: a value the settings do not accept (the field is named), a kept secret (the marker)
 * for a server whose URL changed (it only ever goes to the URL it was saved for: type it again), an output folder
 * that is a system folder, or one the user did not choose with `chooseOutputFolder`.
 */
export type SettingsRefusal = 'CONFIG_INVALID' | 'SECRET_URL_CHANGED' | 'OUTPUT_FOLDER_REFUSED' | 'OUTPUT_FOLDER_NOT_CHOSEN';

export type SettingsUpdateResult =
  | { readonly ok: true; readonly settings: SettingsView; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly code: SettingsRefusal; readonly message: string };

/** Whose output folder is being chosen: a server's own (by id, saved or not yet), or the default one. */
export interface FolderTarget {
  readonly serverId?: string;
}

/**
 * The folder the user chose in the native picker (undefined: cancelled), held by the main process until the
 * settings are saved with it; or why it cannot hold outputs.
 */
export type FolderChoice = { readonly ok: true; readonly folder?: string } | { readonly ok: false; readonly code: 'OUTPUT_FOLDER_REFUSED'; readonly message: string };

/**
 * The server to try: as edited in the form. A kept secret (the marker) is taken from the stored server with the same
 * id, only when the URL is still the one it was saved for (SECRET_URL_CHANGED otherwise).
 */
export interface ConnectionTestInput {
  readonly kind?: ServerKind;
  readonly id?: string;
  readonly name?: string;
  readonly url: string;
  readonly auth: AuthInput;
  readonly tlsFingerprint?: string;
}

export type ConnectionTestResult =
  | {
      readonly ok: true;
      readonly version?: string;
      readonly capabilities: { readonly jobsApi: boolean; readonly cancelEndpoint: boolean; readonly targetedInterrupt: boolean; readonly supportsPreviewMetadata: boolean };
      /** It works, but not fully: no WebSocket through the proxy, so jobs are followed by polling. */
      readonly degraded?: { readonly code: string; readonly message: string };
    }
  | { readonly ok: false; readonly code: string; readonly message: string };

/** The answer of a window action: done, or why not (shown to the user as is). */
export type ActionResult = { readonly ok: true } | { readonly ok: false; readonly code: string; readonly message: string };

/** What a queue-steering action did: the jobs it applied to, and those it left as they were (with why). */
export type SteerResult =
  | { readonly ok: true; readonly done: readonly string[]; readonly skipped: readonly { readonly id: string; readonly code: string; readonly message: string }[] }
  | { readonly ok: false; readonly code: string; readonly message: string };

export type RerunResult = { readonly ok: true; readonly promptId: string } | { readonly ok: false; readonly code: string; readonly message: string };

/** An image the main process fetched (a live preview or an output thumbnail); the window never loads remote content. */
export interface ImageBytes {
  readonly mime: 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif';
  readonly bytes: Uint8Array;
}

export type MediaMimeView =
  | ImageBytes['mime']
  | 'video/mp4'
  | 'video/webm'
  | 'video/quicktime'
  | 'audio/mpeg'
  | 'audio/flac'
  | 'audio/ogg'
  | 'audio/wav'
  | 'audio/mp4';

/** One output in full for the viewer: bytes the main process read from the saved file or fetched from the server. */
export type OutputMediaResult =
  | {
      readonly ok: true;
      readonly kind: 'image' | 'video' | 'audio';
      readonly mime: MediaMimeView;
      readonly bytes: Uint8Array;
      /** Where the app saved it, when it did and the file is still there (Open, Show in folder, Copy path). */
      readonly savedPath?: string;
    }
  | { readonly ok: false; readonly code: string; readonly message: string };

export type DiscoveryResult =
  | { readonly found: true; readonly url: string; readonly version?: string }
  | { readonly found: false; readonly url: string; readonly message: string };

/** One file the user dropped or picked, read by the renderer (it only ever reads files the user gave it). */
export interface DroppedFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** A dropped file as the main process understood it, before a server is chosen. */
export type OpenedWorkflow =
  | {
      readonly ok: true;
      /** Names this file in later calls (prepare, submit, discard); valid until submitted or discarded. */
      readonly token: string;
      readonly name: string;
      readonly format: string;
      /** The file carries an API prompt (submitted as is) or only the editor's workflow (converted per server). */
      readonly kind: 'api-prompt' | 'ui-workflow';
      readonly workflowName?: string;
      readonly nodeCount: number;
      /** Other files of the same drop, offered for upload when the workflow references them. */
      readonly attachments: readonly string[];
    }
  | { readonly ok: false; readonly name: string; readonly code: string; readonly message: string };

export interface DropOptions {
  readonly randomizeSeeds: boolean;
  /** 1..1000 */
  readonly repeat: number;
  readonly front: boolean;
}

export interface NodeProblemView {
  readonly nodeId?: string;
  readonly nodeTitle?: string;
  readonly nodeType?: string;
  readonly inputName?: string;
  readonly message: string;
}

/** What would be queued on one server, and everything preflight found, per node. */
export type PrepareResult =
  | {
      readonly ok: true;
      readonly origin: 'api-prompt' | 'converted';
      readonly prompts: number;
      readonly nodeCount: number;
      readonly problems: readonly NodeProblemView[];
      /** Problems that make the server refuse it; submit stays disabled while there are any. */
      readonly blocking: number;
      /** Input files the server lacks that came with the drop (uploaded when the user agrees). */
      readonly uploadable: readonly string[];
      readonly warnings: readonly string[];
    }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly problems: readonly NodeProblemView[] };

export type WorkflowSubmitResult =
  | { readonly ok: true; readonly promptIds: readonly string[] }
  | {
      readonly ok: false;
      readonly code: string;
      readonly message: string;
      readonly problems: readonly NodeProblemView[];
      /** Repeats that did reach the queue before the failure. */
      readonly promptIds: readonly string[];
    };

export interface InvokeMap {
  'state:get-snapshot': { args: []; result: AppSnapshot };
  'jobs:cancel': { args: [serverId: string, jobId: string]; result: boolean };
  'settings:get': { args: []; result: SettingsView };
  'settings:update': { args: [patch: SettingsPatch]; result: SettingsUpdateResult };
  'servers:test-connection': { args: [server: ConnectionTestInput]; result: ConnectionTestResult };
  /**
   * The native folder picker, opened by the main process for an output folder: the only way an output folder is
   * changed (settings:update accepts a folder only when it is the stored one or the one chosen here).
   */
  'outputs:choose-folder': { args: [target: FolderTarget]; result: FolderChoice };
  /** Sends a test notification to a forwarding target as it is in the form (not retried; paused or not). */
  'notifications:test-forward': { args: [target: ForwardTargetInput]; result: ForwardTestResult };
  'jobs:remove-pending': { args: [serverId: string, jobIds: readonly string[]]; result: ActionResult };
  /** The window asked the user to confirm first. */
  'jobs:clear-pending': { args: [serverId: string]; result: ActionResult };
  /** Pauses the server's queue: the running job finishes, pending jobs are held by the app until resumed. */
  'queue:pause': { args: [serverId: string]; result: SteerResult };
  /** Queues the held jobs again, in order, under their own prompt ids. */
  'queue:resume': { args: [serverId: string]; result: SteerResult };
  /** Moves pending jobs to the front or the back of the server's queue (held ones among the held). */
  'jobs:move': { args: [serverId: string, jobIds: readonly string[], to: 'front' | 'back']; result: SteerResult };
  /** Queues the job's prompt again (same server, fresh prompt id). */
  'jobs:rerun': { args: [serverId: string, jobId: string]; result: RerunResult };
  /** Follows a job by its id on a server that cannot list its jobs (a ComfyControl run pasted in the window). */
  'jobs:follow': { args: [serverId: string, jobId: string]; result: ActionResult };
  /** The latest live preview of a running job; undefined when there is none (yet). */
  'jobs:preview': { args: [serverId: string, jobId: string]; result: ImageBytes | undefined };
  /** A small image of one output (`index` in the job's outputs); undefined when it is not an image. */
  'outputs:thumbnail': { args: [serverId: string, jobId: string, index: number]; result: ImageBytes | undefined };
  /** One output in full (image, video or audio) for the viewer; never a URL. */
  'outputs:media': { args: [serverId: string, jobId: string, index: number]; result: OutputMediaResult };
  /** Puts an image output on the clipboard as an image. */
  'outputs:copy-image': { args: [serverId: string, jobId: string, index: number]; result: ActionResult };
  /** Opens a saved output with the system's default app. */
  'outputs:open': { args: [serverId: string, jobId: string, index: number]; result: ActionResult };
  'outputs:show-in-folder': { args: [serverId: string, jobId: string, index: number]; result: ActionResult };
  'servers:open-web-ui': { args: [serverId: string]; result: ActionResult };
  /** Looks for a ComfyUI on this computer (127.0.0.1:8188). */
  'servers:discover-local': { args: []; result: DiscoveryResult };
  'app:open-log-folder': { args: []; result: ActionResult };
  /** Reads dropped or picked files: which carry a workflow, and what kind. */
  'workflows:open': { args: [files: readonly DroppedFile[]]; result: readonly OpenedWorkflow[] };
  /** Converts and preflights an opened file for one server. */
  'workflows:prepare': { args: [token: string, serverId: string, options: DropOptions]; result: PrepareResult };
  'workflows:submit': { args: [token: string, serverId: string, options: DropOptions & { readonly uploadInputs: boolean }]; result: WorkflowSubmitResult };
  'workflows:discard': { args: [token: string]; result: void };
}

export interface EventMap {
  'state:snapshot': AppSnapshot;
  'state:patches': VersionedPatches;
  /** Show a view of the window (the tray's Settings… entry). */
  'ui:show-view': 'queue' | 'settings';
  /** Bring one job into view (a notification was clicked). */
  'ui:focus-job': { readonly serverId: string; readonly jobId: string };
  /** Files opened outside the window (tray drop, Open With, command line, a second launch), already read. */
  'ui:workflows-opened': readonly OpenedWorkflow[];
}

export type InvokeChannel = keyof InvokeMap;
export type EventChannel = keyof EventMap;
export type InvokeArgs<C extends InvokeChannel> = InvokeMap[C]['args'];
export type InvokeResult<C extends InvokeChannel> = InvokeMap[C]['result'];

/** The renderer's side of a request: the channel decides the arguments and the answer (used by the preload). */
export type TypedInvoke = <C extends InvokeChannel>(channel: C, ...args: InvokeArgs<C>) => Promise<InvokeResult<C>>;

/** Compile-time check: the runtime list names every channel of InvokeMap. */
type MissingChannels = Exclude<InvokeChannel, (typeof INVOKE_CHANNELS)[number]>;
export const INVOKE_CHANNELS_COMPLETE: MissingChannels extends never ? true : never = true;

export const INVOKE_CHANNELS = [
  'state:get-snapshot',
  'jobs:cancel',
  'settings:get',
  'settings:update',
  'servers:test-connection',
  'outputs:choose-folder',
  'notifications:test-forward',
  'jobs:remove-pending',
  'jobs:clear-pending',
  'queue:pause',
  'queue:resume',
  'jobs:move',
  'jobs:rerun',
  'jobs:follow',
  'jobs:preview',
  'outputs:thumbnail',
  'outputs:media',
  'outputs:copy-image',
  'outputs:open',
  'outputs:show-in-folder',
  'servers:open-web-ui',
  'servers:discover-local',
  'app:open-log-folder',
  'workflows:open',
  'workflows:prepare',
  'workflows:submit',
  'workflows:discard',
] as const satisfies readonly InvokeChannel[];

export interface TrayApi {
  getSnapshot(): Promise<AppSnapshot>;
  cancelJob(serverId: string, jobId: string): Promise<boolean>;
  getSettings(): Promise<SettingsView>;
  updateSettings(patch: SettingsPatch): Promise<SettingsUpdateResult>;
  testConnection(server: ConnectionTestInput): Promise<ConnectionTestResult>;
  chooseOutputFolder(target: FolderTarget): Promise<FolderChoice>;
  testForwarding(target: ForwardTargetInput): Promise<ForwardTestResult>;
  removePending(serverId: string, jobIds: readonly string[]): Promise<ActionResult>;
  clearPending(serverId: string): Promise<ActionResult>;
  pauseQueue(serverId: string): Promise<SteerResult>;
  resumeQueue(serverId: string): Promise<SteerResult>;
  moveJobs(serverId: string, jobIds: readonly string[], to: 'front' | 'back'): Promise<SteerResult>;
  rerunJob(serverId: string, jobId: string): Promise<RerunResult>;
  followJob(serverId: string, jobId: string): Promise<ActionResult>;
  getPreview(serverId: string, jobId: string): Promise<ImageBytes | undefined>;
  getThumbnail(serverId: string, jobId: string, index: number): Promise<ImageBytes | undefined>;
  getOutputMedia(serverId: string, jobId: string, index: number): Promise<OutputMediaResult>;
  copyOutputImage(serverId: string, jobId: string, index: number): Promise<ActionResult>;
  openOutput(serverId: string, jobId: string, index: number): Promise<ActionResult>;
  showOutputInFolder(serverId: string, jobId: string, index: number): Promise<ActionResult>;
  openServerWebUi(serverId: string): Promise<ActionResult>;
  discoverLocalServer(): Promise<DiscoveryResult>;
  openLogFolder(): Promise<ActionResult>;
  openWorkflows(files: readonly DroppedFile[]): Promise<readonly OpenedWorkflow[]>;
  prepareWorkflow(token: string, serverId: string, options: DropOptions): Promise<PrepareResult>;
  submitWorkflow(token: string, serverId: string, options: DropOptions & { readonly uploadInputs: boolean }): Promise<WorkflowSubmitResult>;
  discardWorkflow(token: string): Promise<void>;
  /** Returns its unsubscribe. */
  onSnapshot(listener: (snapshot: AppSnapshot) => void): () => void;
  /** Changes after a snapshot, coalesced per frame; returns its unsubscribe. */
  onPatches(listener: (batch: VersionedPatches) => void): () => void;
  onShowView(listener: (view: EventMap['ui:show-view']) => void): () => void;
  onFocusJob(listener: (job: EventMap['ui:focus-job']) => void): () => void;
  onWorkflowsOpened(listener: (workflows: EventMap['ui:workflows-opened']) => void): () => void;
}
