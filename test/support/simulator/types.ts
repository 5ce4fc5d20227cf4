// Shared types of the ComfyUI simulator (test support only).

export type SimGeneration = 'modern' | 'legacy';
export type SimJobsApi = 'v0.28' | 'v0.8';

export interface SimulatorOptions {
  /** modern = behaves like ComfyUI 0.28.0, legacy = 0.3.54 (no /api/jobs). Default 'modern'. */
  generation?: SimGeneration;
  /**
   * Which /api/jobs a modern server has. 'v0.28' (default): as ComfyUI 0.28.0. 'v0.8': as ComfyUI 0.8.0, recorded in
   * test/fixtures/comfyui-real/0.8.0: no `cancelled` status (a filter naming it is refused with a 400 that lists the
   * valid values; interrupted jobs are listed `failed`) and no cancel routes.
   */
  jobsApi?: SimJobsApi;
  /** Reported in /system_stats. Default '0.28.0' ('0.8.0' with jobsApi 'v0.8') or '0.3.54'. */
  version?: string;
  /** Default 0 (random). Restarts reuse the port that was bound first. */
  port?: number;
  /** Delay between progress steps (ms). Default 5. */
  stepDelayMs?: number;
  /** Send a binary preview frame on every progress step. Default false. */
  previews?: boolean;
  /** When set, every HTTP request and WS upgrade without this exact header gets 401. */
  requireHeader?: { name: string; value: string };
  /** Path prefix like '/comfy' (reverse proxy); every route then lives under it. */
  basePath?: string;
}

export type FinishStatus = 'success' | 'error' | 'interrupted';

/** A plain JSON object as received from a client (numbers may be LosslessNumber). */
export type JsonObject = Record<string, unknown>;

/** One queue entry: the server's (number, prompt_id, prompt, extra_data, outputs_to_execute, sensitive). */
export interface QueueItem {
  number: number;
  promptId: string;
  prompt: JsonObject;
  extraData: JsonObject;
  outputsToExecute: string[];
  sensitive: JsonObject;
}

/** History status as stored by the server (`status` of a history entry). */
export interface HistoryStatus {
  status_str: 'success' | 'error';
  completed: boolean;
  messages: [string, JsonObject][];
}

export interface NodeMeta {
  node_id: string;
  display_node: string;
  parent_node: null;
  real_node_id: string;
}

export type UiOutput = Record<string, unknown[]>;

export interface HistoryEntry {
  prompt: [number, string, JsonObject, JsonObject, string[]];
  outputs: Record<string, UiOutput>;
  status: HistoryStatus;
  meta: Record<string, NodeMeta>;
}

/** Public event payloads emitted on `ComfySimulator.events`. */
export interface SimEventMap {
  enqueued: { promptId: string };
  started: { promptId: string };
  finished: { promptId: string; status: FinishStatus };
  removed: { promptId: string };
  'ws-connected': { sid: string };
  'ws-closed': { sid: string };
  request: { method: string; path: string };
  /** A request `stallNext` keeps unanswered (and never acts on). */
  stalled: { method: string; path: string };
  /** /view answered with a file (200, 206 or 416): `bytes` is the body's length. */
  'file-served': { key: string; status: number; range?: string; ifRange?: string; bytes: number };
}

export function queueTuple(item: QueueItem): [number, string, JsonObject, JsonObject, string[]] {
  return [item.number, item.promptId, item.prompt, item.extraData, item.outputsToExecute];
}
