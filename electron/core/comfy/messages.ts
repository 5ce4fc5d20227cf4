// Text frames from the ComfyUI socket, parsed at the boundary into a closed union. Unknown types (custom nodes send
// their own) and malformed frames become values, never exceptions, so one bad frame cannot break a connection.
import type { JobError } from '../../shared/app-state.js';
import { parseJson } from '../json.js';
import { setOwn } from '../own-key.js';
import { executionErrorSchema, toJobError } from './execution-error.js';
import { asFields, readNodeId, readNumber, readString, type Fields } from './frame-fields.js';
import { readProgressStateFrame } from './hot-frames.js';

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
  const snapshot = readProgressStateFrame(text);
  if (snapshot !== undefined) return snapshot;
  let raw: unknown;
  try {
    raw = parseJson(text);
  } catch {
    return { type: 'malformed', reason: 'not JSON' };
  }
  const envelope = asFields(raw);
  const type = readString(envelope?.type);
  if (!envelope || type === undefined) return { type: 'malformed', reason: 'no type/data envelope' };
  const data = asFields(envelope.data);
  if (!data) return KNOWN.has(type) ? malformed(type) : { type: 'unknown', rawType: type };
  return decodeData(type, data) ?? malformed(type);
}

const KNOWN = new Set([
  'status', 'feature_flags', 'execution_start', 'execution_success', 'execution_cached', 'executing', 'progress',
  'progress_state', 'executed', 'execution_error', 'execution_interrupted',
]);

/** undefined = a known type whose data does not have the shape the protocol gives it. */
function decodeData(type: string, data: Fields): ServerMessage | undefined {
  switch (type) {
    case 'progress_state': {
      const promptId = readString(data.prompt_id);
      const raw = asFields(data.nodes);
      if (promptId === undefined || !raw) return undefined;
      const nodes: Record<string, NodeProgressState> = {};
      for (const id in raw) {
        const n = asFields(raw[id]);
        const state = readString(n?.state);
        const displayNodeId = readNodeId(n?.display_node_id);
        if (!n || state === undefined || displayNodeId === undefined) return undefined;
        const value = n.value === undefined ? 0 : readNumber(n.value);
        const max = n.max === undefined ? 1 : readNumber(n.max);
        if (value === undefined || max === undefined) return undefined;
        setOwn(nodes, id, { value, max, state, displayNodeId });
      }
      return { type, promptId, nodes };
    }
    case 'progress': {
      const value = readNumber(data.value);
      const max = readNumber(data.max);
      const node = readNodeId(data.node);
      const promptId = data.prompt_id === undefined ? undefined : readString(data.prompt_id);
      if (value === undefined || max === undefined || node === undefined || (data.prompt_id !== undefined && promptId === undefined)) return undefined;
      return { type, node, value, max, ...(promptId !== undefined && { promptId }) };
    }
    case 'executing': {
      const node = readNodeId(data.node);
      const displayNode = readNodeId(data.display_node);
      const promptId = data.prompt_id === undefined ? undefined : readString(data.prompt_id);
      if (node === undefined || displayNode === undefined || (data.prompt_id !== undefined && promptId === undefined)) return undefined;
      return { type, node, displayNode, ...(promptId !== undefined && { promptId }) };
    }
    case 'executed': {
      const promptId = readString(data.prompt_id);
      const node = readNodeId(data.node);
      const displayNode = readNodeId(data.display_node);
      const output = data.output === undefined || data.output === null ? null : asFields(data.output);
      if (promptId === undefined || !node || displayNode === undefined || output === undefined) return undefined;
      return { type, promptId, node, displayNode, output };
    }
    case 'status': {
      const status = data.status === undefined ? undefined : asFields(data.status);
      const queueRemaining = readNumber(asFields(status?.exec_info)?.queue_remaining);
      const sid = data.sid === undefined ? undefined : readString(data.sid);
      if ((data.status !== undefined && queueRemaining === undefined) || (data.sid !== undefined && sid === undefined)) return undefined;
      return { type, ...(queueRemaining !== undefined && { queueRemaining }), ...(sid !== undefined && { sid }) };
    }
    case 'feature_flags':
      return { type, flags: data };
    case 'execution_start':
    case 'execution_success': {
      const promptId = readString(data.prompt_id);
      if (promptId === undefined) return undefined;
      const timestamp = readNumber(data.timestamp);
      return { type, promptId, ...(timestamp !== undefined && { timestamp }) };
    }
    case 'execution_cached': {
      const promptId = readString(data.prompt_id);
      const nodes = data.nodes === undefined ? [] : Array.isArray(data.nodes) ? data.nodes.map(readNodeId) : undefined;
      if (promptId === undefined || !nodes || nodes.some((n) => !n)) return undefined;
      return { type, promptId, nodes: nodes as string[] };
    }
    case 'execution_error': {
      // Rare and rich: the general schema is fine here.
      const parsed = executionErrorSchema.safeParse(data);
      if (!parsed.success) return undefined;
      return {
        type,
        promptId: parsed.data.prompt_id,
        error: toJobError(parsed.data),
        blocked: parsed.data.exception_type === 'ExecutionBlocked',
        ...(parsed.data.timestamp !== undefined && { timestamp: parsed.data.timestamp }),
      };
    }
    case 'execution_interrupted': {
      const promptId = readString(data.prompt_id);
      const nodeId = readNodeId(data.node_id);
      const nodeType = readString(data.node_type);
      if (promptId === undefined || nodeId === undefined) return undefined;
      const timestamp = readNumber(data.timestamp);
      return { type, promptId, nodeId, ...(nodeType !== undefined && { nodeType }), ...(timestamp !== undefined && { timestamp }) };
    }
    default:
      return { type: 'unknown', rawType: type };
  }
}


function malformed(type: string): ServerMessage {
  return { type: 'malformed', reason: `bad ${type} data` };
}
