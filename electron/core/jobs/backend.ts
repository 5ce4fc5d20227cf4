// What the tracker needs from a server, whatever kind it is. The ComfyUI implementation lives in core/backends/comfyui;
// hosted backends (Comfy Cloud, job services over Server-Sent Events) implement the same interface.
import type { Readable } from 'node:stream';
import type { OutputRef, ServerHealth, ServerKind } from '../../shared/app-state.js';
import type { ConnectionInfo } from '../comfy/comfy-connection.js';
import type { ServerMessage } from '../comfy/messages.js';
import type { QueuedPrompt, QueuePlacement } from '../comfy/queue-records.js';
import type { ActiveJobs, RemoteJob } from '../comfy/remote-jobs.js';
import type { Emitter } from '../emitter.js';
import { ComfyTrayError } from '../errors.js';
import type { ObjectInfo } from '../workflow/object-info.js';

export interface BackendEvents {
  connection: ConnectionInfo;
  /** Live events, already parsed. */
  message: ServerMessage;
  connected: { clientId: string; reusedClientId: boolean };
  probe: { queueRemaining: number };
  /** Something the server sent that the app could not use, told once (a field it needs that is missing, …). */
  warning: { code: string; message: string };
}

export interface SubmitRequest {
  /** API-format prompt; may hold `bigint`s for integers above 2^53 (sent exactly). */
  readonly prompt: Readonly<Record<string, unknown>>;
  /** Canonical lowercase UUID; generated when absent (retry-safe: the id is known before the request). */
  readonly promptId?: string;
  /** UI workflow, stored by the server in saved files' metadata. */
  readonly workflow?: unknown;
  readonly front?: boolean;
  /** What this app calls the job when the workflow carries no name (a dropped file's name); never sent. */
  readonly label?: string;
}

export interface NodeValidationError {
  readonly nodeId: string;
  readonly classType?: string;
  readonly errors: readonly { type: string; message: string; details?: string; inputName?: string }[];
}

export interface SubmitResult {
  readonly promptId: string;
  readonly number?: number;
  /** Outputs dropped by validation while the rest was queued: warnings, not failures. */
  readonly nodeErrors: readonly NodeValidationError[];
}

export class PromptRejectedError extends ComfyTrayError {
  constructor(
    message: string,
    readonly errorType: string,
    readonly nodeErrors: readonly NodeValidationError[],
  ) {
    super('COMFY_PROMPT_REJECTED', message);
    this.name = 'PromptRejectedError';
  }
}

/** An output file's bytes as the server streams them, and the size it declared (to tell a cut-off download). */
export interface OutputStream {
  readonly body: Readable;
  /** Bytes in this body (Content-Length). */
  readonly size?: number;
  /** On a partial answer (206): where the body starts in the file, and the whole file's size. */
  readonly range?: { readonly start: number; readonly total: number };
  /** The server's validators for this version of the file, to resume only the same file. */
  readonly etag?: string;
  readonly lastModified?: string;
}

/** Ask for the file from byte `from` on, only if it is still the version `ifRange` names (a validator). */
export interface OutputRange {
  readonly from: number;
  readonly ifRange?: string;
}

export interface JobBackend {
  readonly serverId: string;
  readonly name: string;
  /** Without credentials. */
  readonly url: string;
  /** What the server is (views show it); absent means ComfyUI. */
  readonly kind?: ServerKind;
  /**
   * For services that cannot list all jobs (ComfyControl follows runs by id): the tracker names each job it tracks,
   * at start and whenever one is added, and the backend follows it until it ends. Backends that list their jobs
   * leave it out.
   */
  watchJob?(id: string): void;
  /**
   * The live events of a run heard from its start name every output it made (ComfyUI's socket: an output node sends
   * `executed` even when its result came from the cache), so an own job can be announced at its terminal event with
   * them, before the server's record is read. Absent: the tracker waits for the record (outputs only it gives).
   */
  readonly liveOutputsComplete?: boolean;
  readonly events: Emitter<BackendEvents>;
  readonly connection: ConnectionInfo;
  /** The id live events are addressed to now (undefined before the first connect). */
  readonly clientId: string | undefined;
  /** The server's clock now (job times are the server's), as well as this side can tell. */
  serverTime(): number;
  start(): void;
  stop(): Promise<void>;
  /** For one-shot commands that never start the backend: what it needs to know of the server before a lookup. */
  probe?(): Promise<unknown>;
  reconnectNow(): void;
  listActive(): Promise<ActiveJobs>;
  /**
   * The queue with each job's prompt, for names and node titles when `listActive` lists jobs without them (the jobs
   * API does). Read without exact integers: for display only, never to be sent again.
   */
  describeActive?(): Promise<ActiveJobs>;
  /**
   * The server's finished jobs, newest first, one page after another from the top of its list (the first page
   * `firstPageSize` long, later ones longer, at least 100), each job once. The caller stops reading when it reaches
   * what it knows, or at a page with nothing new; reading on walks the whole list, which the server itself bounds
   * (ComfyUI keeps 10,000) and the caller caps.
   */
  finishedPages(firstPageSize: number): AsyncIterable<readonly RemoteJob[]>;
  /**
   * The server-side time its list of finished jobs is sorted by, for one of its jobs (creation for the jobs API,
   * the end for /history), or undefined when the server does not say.
   */
  finishedOrderTime(job: RemoteJob): number | undefined;
  /** The server's record of one job, or undefined when it does not know the id. */
  lookup(id: string): Promise<RemoteJob | undefined>;
  submit(request: SubmitRequest & { promptId: string }): Promise<SubmitResult>;
  /** Stops a running job or removes a pending one; false when the server had nothing to cancel. */
  cancel(id: string, isRunning: boolean): Promise<boolean>;
  removePending(ids: readonly string[]): Promise<void>;
  /**
   * Set when this server's queue must not be steered (paused, reordered) although the backend reads and re-sends
   * queued prompts: a service that schedules the account's jobs itself and ignores `number` and `front` (Comfy Cloud).
   * The reason, told to the user. Steering also needs `queuedPrompts` and `requeue`.
   */
  readonly steeringUnavailable?: string;
  /**
   * The exact records of these queued jobs (prompt and extra_data as JSON text, numbers as the server wrote them), for
   * queue steering; jobs the server no longer queues are left out. Backends that cannot give them omit it.
   */
  queuedPrompts?(ids: readonly string[]): Promise<QueuedPrompt[]>;
  /** Queues a held job again under its own prompt id, unchanged; throws PromptRejectedError when the server refuses it. */
  requeue?(job: Pick<QueuedPrompt, 'id' | 'promptJson' | 'extraDataJson' | 'clientId'>, placement: QueuePlacement): Promise<void>;
  clearPending(): Promise<void>;
  /**
   * The whole file, or its tail from `range.from` (a server may still answer with the whole file). `signal` ends the
   * request, also while it waits for the answer's headers (stopping must not wait for a silent server).
   */
  fetchOutput(ref: OutputRef, range?: OutputRange, signal?: AbortSignal): Promise<OutputStream>;
  /** The machine's device and memory (GET /system_stats); backends without it omit it. */
  systemStats?(): Promise<ServerHealth>;
  /** Node definitions for converting and preflighting workflows; hosted backends without /object_info omit it. */
  objectInfo?(options?: { refresh?: boolean }): Promise<ObjectInfo>;
  /** Stores a file in the server's input folder; the server may rename it (answers with the name it used). */
  uploadInput?(bytes: Uint8Array, filename: string, options?: { subfolder?: string }): Promise<UploadedInput>;
}

/** Where an uploaded input file ended up: reference it as `subfolder/name` (or `name`). */
export interface UploadedInput {
  readonly name: string;
  readonly subfolder: string;
}
