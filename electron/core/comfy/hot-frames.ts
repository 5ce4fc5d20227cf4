// The two frames a sampler sends at every step, `progress` and `progress_state`, read without JSON.parse when they
// have exactly the shape ComfyUI writes (json.dumps separators, or compact; its key order). They are most of a
// running job's frames, and a snapshot's ~1.3 KB of nested objects cost JSON.parse more than everything else a frame
// goes through. Only strict JSON numbers and strings without escapes match, so what these read is exactly what
// JSON.parse and the checks in messages.ts would give (a property test holds them to it); anything else, and a number
// too large for a double, returns undefined and is left to those.
import { JSON_NUMBER as NUMBER, PLAIN_STRING as PLAIN, PLAIN_TEXT as TEXT } from './json-tokens.js';
import type { NodeProgressState, ServerMessage } from './messages.js';

const PROGRESS = new RegExp(
  String.raw`^\{"type": ?"progress", ?"data": ?\{"value": ?(${NUMBER}), ?"max": ?(${NUMBER}), ?"prompt_id": ?"([\w-]{1,128})", ?"node": ?(?:"${TEXT}"|null)\}\}$`,
);

const SNAPSHOT_HEAD = /^\{"type": ?"progress_state", ?"data": ?\{"prompt_id": ?"([\w-]{1,128})", ?"nodes": ?\{/;
/** One node of a snapshot, then the separator before the next, if any. Sticky: read from where the last one ended. */
const SNAPSHOT_NODE = new RegExp(
  String.raw`"${TEXT}": ?\{"value": ?(${NUMBER}), ?"max": ?(${NUMBER}), ?"state": ?"${TEXT}", ?"node_id": ?${PLAIN}, ?"prompt_id": ?${PLAIN}, ` +
    String.raw`?"display_node_id": ?(?:"${TEXT}"|null), ?"parent_node_id": ?(?:${PLAIN}|null), ?"real_node_id": ?(?:${PLAIN}|null)` +
    // Newer servers add what the node is doing.
    String.raw`(?:, ?"activity": ?(?:${PLAIN}|null))?\}(, ?)?`,
  'y',
);
const SNAPSHOT_END = '}}}';

export type ProgressMessage = Extract<ServerMessage, { type: 'progress' }> & { readonly promptId: string };

/** A `progress` frame in exactly the shape ComfyUI sends, decoded as `decodeTextFrame` would; undefined otherwise. */
export function readProgressFrame(text: string): ProgressMessage | undefined {
  const match = PROGRESS.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]);
  const max = Number(match[2]);
  if (!Number.isFinite(value) || !Number.isFinite(max)) return undefined;
  return { type: 'progress', node: match[4] ?? null, value, max, promptId: match[3]! };
}

/** A `progress_state` frame in exactly the shape ComfyUI sends, decoded as `decodeTextFrame` would; undefined otherwise. */
export function readProgressStateFrame(text: string): Extract<ServerMessage, { type: 'progress_state' }> | undefined {
  const head = SNAPSHOT_HEAD.exec(text);
  if (!head) return undefined;
  const nodes: Record<string, NodeProgressState> = {};
  let at = head[0].length;
  if (!text.startsWith('}', at)) {
    for (;;) {
      SNAPSHOT_NODE.lastIndex = at;
      const node = SNAPSHOT_NODE.exec(text);
      if (!node) return undefined;
      const id = node[1]!;
      const value = Number(node[2]);
      const max = Number(node[3]);
      // An own "__proto__" key is JSON.parse's to make; a number too large for a double, the checks' to refuse.
      if (id === '__proto__' || !Number.isFinite(value) || !Number.isFinite(max)) return undefined;
      nodes[id] = { value, max, state: node[4]!, displayNodeId: node[5] ?? null };
      at = SNAPSHOT_NODE.lastIndex;
      if (node[6] === undefined) break;
    }
  }
  if (text.length !== at + SNAPSHOT_END.length || !text.endsWith(SNAPSHOT_END)) return undefined;
  return { type: 'progress_state', promptId: head[1]!, nodes };
}
