// Text frames from the ComfyUI socket, parsed at the boundary into a closed union. Unknown types (custom nodes send
// their own) and malformed frames become values, never exceptions, so one bad frame cannot break a connection.
import { z } from 'zod';
import type { JobError } from '../../shared/app-state.js';
import { parseJson } from '../json.js';

const nodeId = z.union([z.string(), z.number()]).transform(String);
const optionalNodeId = z.union([z.string(), z.number(), z.null()]).optional().transform((v) => (v == null ? null : String(v)));
const timestamp = z.number().optional();

const statusData = z.object({
  status: z.object({ exec_info: z.object({ queue_remaining: z.number() }) }).optional(),
  sid: z.string().optional(),
});
const promptOnly = z.object({ prompt_id: z.string(), timestamp });
const cachedData = z.object({ prompt_id: z.string(), nodes: z.array(nodeId).default([]), timestamp });
const executingData = z.object({
  node: optionalNodeId,
  display_node: optionalNodeId,
  prompt_id: z.string().optional(),
});
const progressData = z.object({
  value: z.number(),
  max: z.number(),
  prompt_id: z.string().optional(),
  node: optionalNodeId,
});
const nodeProgress = z.object({
  value: z.number().default(0),
  max: z.number().default(1),
  state: z.string(),
  display_node_id: optionalNodeId,
  real_node_id: optionalNodeId,
  parent_node_id: optionalNodeId,
});
const progressStateData = z.object({ prompt_id: z.string(), nodes: z.record(z.string(), nodeProgress) });
const executedData = z.object({
  prompt_id: z.string(),
  node: nodeId,
  display_node: optionalNodeId,
  output: z.record(z.string(), z.unknown()).nullable().optional(),
});
const errorData = z.object({
  prompt_id: z.string(),
  node_id: optionalNodeId,
  node_type: z.string().nullable().optional(),
  exception_type: z.string().default('Error'),
  exception_message: z.string().default(''),
  traceback: z.array(z.string()).default([]),
  timestamp,
});
const interruptedData = z.object({
  prompt_id: z.string(),
  node_id: optionalNodeId,
  node_type: z.string().nullable().optional(),
  timestamp,
});
const frame = z.object({ type: z.string(), data: z.unknown() });

export interface NodeProgressState {
  readonly value: number;
  readonly max: number;
  readonly state: string;
  readonly displayNodeId: string | null;
}

export type ServerMessage =
  | { readonly type: 'status'; readonly queueRemaining?: number; readonly sid?: string }
  | { readonly type: 'feature_flags'; readonly flags: Readonly<Record<string, unknown>> }
  | { readonly type: 'execution_start'; readonly promptId: string; readonly timestamp?: number }
  | { readonly type: 'execution_cached'; readonly promptId: string; readonly nodes: readonly string[] }
  | { readonly type: 'executing'; readonly promptId?: string; readonly node: string | null; readonly displayNode: string | null }
  | { readonly type: 'progress'; readonly promptId?: string; readonly node: string | null; readonly value: number; readonly max: number }
  | { readonly type: 'progress_state'; readonly promptId: string; readonly nodes: Readonly<Record<string, NodeProgressState>> }
  | { readonly type: 'executed'; readonly promptId: string; readonly node: string; readonly displayNode: string | null; readonly output: Readonly<Record<string, unknown>> | null }
  | { readonly type: 'execution_success'; readonly promptId: string; readonly timestamp?: number }
  | { readonly type: 'execution_error'; readonly promptId: string; readonly error: JobError; readonly blocked: boolean; readonly timestamp?: number }
  | { readonly type: 'execution_interrupted'; readonly promptId: string; readonly nodeId: string | null; readonly nodeType?: string; readonly timestamp?: number }
  | { readonly type: 'preview'; readonly mime: 'image/jpeg' | 'image/png'; readonly image: Buffer; readonly promptId?: string; readonly nodeId?: string; readonly displayNodeId?: string }
  | { readonly type: 'progress_text'; readonly nodeId: string; readonly text: string; readonly promptId?: string }
  | { readonly type: 'unknown'; readonly rawType: string }
  | { readonly type: 'malformed'; readonly reason: string };

export function decodeTextFrame(text: string): ServerMessage {
  let raw: unknown;
  try {
    raw = parseJson(text);
  } catch {
    return { type: 'malformed', reason: 'not JSON' };
  }
  const envelope = frame.safeParse(raw);
  if (!envelope.success) return { type: 'malformed', reason: 'no type/data envelope' };
  const { type, data } = envelope.data;
  switch (type) {
    case 'status': {
      const d = statusData.safeParse(data);
      if (!d.success) return malformed(type);
      const queueRemaining = d.data.status?.exec_info.queue_remaining;
      return { type, ...(queueRemaining !== undefined && { queueRemaining }), ...(d.data.sid !== undefined && { sid: d.data.sid }) };
    }
    case 'feature_flags':
      return data !== null && typeof data === 'object' && !Array.isArray(data)
        ? { type, flags: data as Record<string, unknown> }
        : malformed(type);
    case 'execution_start':
    case 'execution_success': {
      const d = promptOnly.safeParse(data);
      if (!d.success) return malformed(type);
      return { type, promptId: d.data.prompt_id, ...(d.data.timestamp !== undefined && { timestamp: d.data.timestamp }) };
    }
    case 'execution_cached': {
      const d = cachedData.safeParse(data);
      return d.success ? { type, promptId: d.data.prompt_id, nodes: d.data.nodes } : malformed(type);
    }
    case 'executing': {
      const d = executingData.safeParse(data);
      if (!d.success) return malformed(type);
      return { type, node: d.data.node, displayNode: d.data.display_node, ...(d.data.prompt_id !== undefined && { promptId: d.data.prompt_id }) };
    }
    case 'progress': {
      const d = progressData.safeParse(data);
      if (!d.success) return malformed(type);
      return { type, node: d.data.node, value: d.data.value, max: d.data.max, ...(d.data.prompt_id !== undefined && { promptId: d.data.prompt_id }) };
    }
    case 'progress_state': {
      const d = progressStateData.safeParse(data);
      if (!d.success) return malformed(type);
      const nodes: Record<string, NodeProgressState> = {};
      for (const [id, n] of Object.entries(d.data.nodes)) {
        nodes[id] = { value: n.value, max: n.max, state: n.state, displayNodeId: n.display_node_id };
      }
      return { type, promptId: d.data.prompt_id, nodes };
    }
    case 'executed': {
      const d = executedData.safeParse(data);
      if (!d.success) return malformed(type);
      return { type, promptId: d.data.prompt_id, node: d.data.node, displayNode: d.data.display_node, output: d.data.output ?? null };
    }
    case 'execution_error': {
      const d = errorData.safeParse(data);
      if (!d.success) return malformed(type);
      const error = toJobError(d.data);
      return {
        type,
        promptId: d.data.prompt_id,
        error,
        blocked: d.data.exception_type === 'ExecutionBlocked',
        ...(d.data.timestamp !== undefined && { timestamp: d.data.timestamp }),
      };
    }
    case 'execution_interrupted': {
      const d = interruptedData.safeParse(data);
      if (!d.success) return malformed(type);
      return {
        type,
        promptId: d.data.prompt_id,
        nodeId: d.data.node_id,
        ...(d.data.node_type != null && { nodeType: d.data.node_type }),
        ...(d.data.timestamp !== undefined && { timestamp: d.data.timestamp }),
      };
    }
    default:
      return { type: 'unknown', rawType: type };
  }
}

/** The `execution_error` payload (socket or history) as the job model's error. */
export function toJobError(d: z.infer<typeof errorData>): JobError {
  return {
    ...(d.node_id != null && { nodeId: d.node_id }),
    ...(d.node_type != null && { nodeType: d.node_type }),
    exceptionType: d.exception_type,
    message: d.exception_message,
    traceback: d.traceback,
  };
}

export const executionErrorSchema = errorData;

function malformed(type: string): ServerMessage {
  return { type: 'malformed', reason: `bad ${type} data` };
}
