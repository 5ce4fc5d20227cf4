// The state every view shows (tray, window, headless output). Types only: imported by core, shell and renderer.

export type JobStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | 'lost';
export type TerminalJobStatus = Extract<JobStatus, 'completed' | 'failed' | 'cancelled' | 'lost'>;
export type SubmittedBy = 'this-app' | 'other';

export const TERMINAL_STATUSES: readonly TerminalJobStatus[] = ['completed', 'failed', 'cancelled', 'lost'];

export function isTerminal(status: JobStatus): status is TerminalJobStatus {
  return (TERMINAL_STATUSES as readonly JobStatus[]).includes(status);
}

/** One file a job produced, as the server names it (untrusted text: sanitise before using it as a path). */
export interface OutputRef {
  readonly nodeId: string;
  /** The key the node listed it under: `images`, `gifs`, `audio`, `video`, `latents`, `3d`… */
  readonly kind: string;
  readonly index: number;
  readonly filename: string;
  readonly subfolder: string;
  readonly type: string;
  /** True when the node also said `animated` for this entry (animated WebP/PNG, videos listed under images). */
  readonly animated?: boolean;
  readonly format?: string;
}

export interface JobError {
  readonly nodeId?: string;
  readonly nodeType?: string;
  readonly nodeTitle?: string;
  readonly exceptionType: string;
  readonly message: string;
  readonly traceback: readonly string[];
  /** A readable sentence for the exception type (Comfy Cloud's OOMError, ModelDownloadError…), when there is one. */
  readonly hint?: string;
}

export interface JobProgress {
  readonly nodeId?: string;
  readonly nodeTitle?: string;
  readonly nodeType?: string;
  /** Step of the current node (sampler steps…). */
  readonly value?: number;
  readonly max?: number;
  /** How fast the current node's steps go, smoothed (what a sampler's it/s is), once two steps were seen. */
  readonly stepsPerSecond?: number;
  /** Whole job, 0…1, from `progress_state` over the nodes that will run. */
  readonly overall?: number;
}

export type LostReason = 'server-restarted' | 'vanished';

export interface JobView {
  readonly serverId: string;
  readonly id: string;
  readonly status: JobStatus;
  /** 1 = runs next. Only for pending jobs; for a held job, its place among the held ones. */
  readonly queuePosition?: number;
  /** Taken off the server's paused queue and held by this app until the queue is resumed (status stays pending). */
  readonly held?: true;
  readonly submittedBy: SubmittedBy;
  readonly workflowName?: string;
  /** Title (or type) of the node that produced the first output: a name the user recognises when the workflow has none. */
  readonly outputTitle?: string;
  readonly createdAt?: number;
  readonly startedAt?: number;
  readonly endedAt?: number;
  readonly durationMs?: number;
  /**
   * Pending or running: how long this job is expected to run, from earlier runs of the same workflow on the same
   * server (absent until there is one).
   */
  readonly estimatedDurationMs?: number;
  readonly progress?: JobProgress;
  /** Increments with every live preview image; the bytes are fetched separately. */
  readonly previewVersion?: number;
  readonly outputs: readonly OutputRef[];
  readonly error?: JobError;
  readonly lostReason?: LostReason;
  /** Finished while this app was closed or disconnected: reported in a digest, not one by one. */
  readonly caughtUp?: boolean;
  /** Saving its outputs to disk, when saving is on for its server. */
  readonly save?: SaveView;
}

export interface SaveView {
  readonly state: 'pending' | 'failed' | 'done';
  /** Files on disk so far. */
  readonly files: number;
  readonly code?: string;
  readonly reason?: string;
  /** Failed for good (the files are no longer on the server): not tried again. */
  readonly gaveUp?: true;
}

/** What a server is: a ComfyUI (self-hosted, any proxy in front), a Comfy Cloud account, or ComfyControl runs. */
export type ServerKind = 'comfyui' | 'comfy-cloud' | 'comfycontrol';
export const SERVER_KINDS: readonly ServerKind[] = ['comfyui', 'comfy-cloud', 'comfycontrol'];

export type ConnectionStateName = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'auth-failed' | 'incompatible';

export interface ServerCapabilities {
  /** `/api/jobs` exists (ComfyUI ≥ 0.6). */
  readonly jobsApi: boolean;
  /** `POST /api/jobs/{id}/cancel` exists (≥ 0.26). */
  readonly cancelEndpoint: boolean;
  /** `POST /interrupt {prompt_id}` only stops that prompt (≥ 0.3.57). */
  readonly targetedInterrupt: boolean;
  readonly supportsPreviewMetadata: boolean;
  /**
   * Learned from the server's refusals: the statuses its `/api/jobs` filter accepts, when fewer than documented
   * (ComfyUI 0.8.0 knows no `cancelled`); empty when it takes no status filter (jobs are filtered here).
   */
  readonly jobsStatusFilter?: readonly string[];
  /** Learned: its `/api/jobs` refuses `sort_by`/`sort_order` (its default order is used). */
  readonly jobsSort?: false;
}

export interface ErrorView {
  readonly code: string;
  readonly message: string;
}

/**
 * Something that keeps part of the app from working on a server that is otherwise connected (its job lists cannot
 * be read: live events still arrive, but jobs of other clients and catch-up do not): shown beside the connection.
 */
export interface ServerProblem {
  readonly code: string;
  /** One sentence naming what does not work and why, e.g. "cannot list jobs: HTTP 500 from …/api/jobs". */
  readonly message: string;
  /** When it began (epoch ms). */
  readonly since: number;
}

/** What a server's /system_stats says about its machine: its first compute device and memory. Bytes. */
export interface ServerHealth {
  /** "NVIDIA GeForce RTX 4090", "CPU", "Apple M2 (mps)"… */
  readonly device?: string;
  /** `cuda`, `cpu`, `mps`, `xpu`…: on a CPU-only server the device memory is the RAM. */
  readonly deviceType?: string;
  readonly vramUsed?: number;
  readonly vramTotal?: number;
  readonly ramUsed?: number;
  readonly ramTotal?: number;
  /** When it was read (this machine's clock). */
  readonly at: number;
}

export interface ServerView {
  readonly id: string;
  readonly name: string;
  /** Absent means ComfyUI (views built before kinds existed). */
  readonly kind?: ServerKind;
  /** Base URL without credentials. */
  readonly url: string;
  readonly state: ConnectionStateName;
  readonly attempt?: number;
  readonly nextRetryAt?: number;
  readonly lastError?: ErrorView;
  readonly version?: string;
  readonly capabilities?: ServerCapabilities;
  readonly queueRemaining?: number;
  /**
   * Connected, but without live events: the server is followed by polling (a proxy refuses the WebSocket upgrade).
   * Jobs are still seen start and end, without progress or previews.
   */
  readonly degraded?: ErrorView;
  /** Present while a connected server keeps failing at something the app needs (see `ServerProblem`). */
  readonly problem?: ServerProblem;
  /** This app paused the server's queue: pending jobs are held by the app (see `heldJobs`) until resumed. */
  readonly queuePaused?: true;
  /** Jobs this app holds off the server's queue (paused, or waiting to be queued again). */
  readonly heldJobs?: number;
  /** Read while the window is visible (see Engine.watchHealth). */
  readonly health?: ServerHealth;
  /** The last time this app found the server had restarted (its queue and history gone), and how many jobs it lost. */
  readonly restarted?: { readonly at: number; readonly lostJobs: number };
  /**
   * Why this app cannot pause or reorder this server's queue (a hosted service schedules its jobs itself); absent when
   * it can. The window and the tray offer no steering then.
   */
  readonly steeringUnavailable?: string;
}
