// Binary socket frames: a 4-byte big-endian event type, then a type-specific body. Never JSON-decoded; the image
// bytes are a view into the received buffer (no copy).
import { PLAIN_STRING as PLAIN, PLAIN_TEXT as TEXT } from './json-tokens.js';
import type { ServerMessage } from './messages.js';

export const PREVIEW_IMAGE = 1;
export const PROGRESS_TEXT = 3;
export const PREVIEW_IMAGE_WITH_METADATA = 4;

const MAX_METADATA_BYTES = 64 * 1024;

// A preview's metadata as ComfyUI writes it (its key order; json.dumps or compact separators; strings without escapes),
// read without JSON.parse, exactly as the general reading below would read it: every preview of a sampler has it.
const METADATA = new RegExp(
  String.raw`^\{"node_id": ?(?:"${TEXT}"|null), ?"prompt_id": ?"([\w-]{1,128})", ?"display_node_id": ?(?:"${TEXT}"|null), ` +
    String.raw`?"parent_node_id": ?(?:${PLAIN}|null), ?"real_node_id": ?(?:${PLAIN}|null), ?"image_type": ?"${TEXT}"\}$`,
);

export function decodeBinaryFrame(frame: Buffer): ServerMessage {
  if (frame.length < 4) return { type: 'malformed', reason: 'binary frame shorter than 4 bytes' };
  const eventType = frame.readUInt32BE(0);
  switch (eventType) {
    case PREVIEW_IMAGE: {
      if (frame.length < 8) return { type: 'malformed', reason: 'preview frame too short' };
      // 2 = PNG; anything else is JPEG, as the official frontend reads it.
      const mime = frame.readUInt32BE(4) === 2 ? 'image/png' : 'image/jpeg';
      return { type: 'preview', mime, image: frame.subarray(8) };
    }
    case PREVIEW_IMAGE_WITH_METADATA:
      return decodePreviewWithMetadata(frame);
    case PROGRESS_TEXT: {
      if (frame.length < 8) return { type: 'malformed', reason: 'progress text frame too short' };
      const idLength = frame.readUInt32BE(4);
      if (idLength > frame.length - 8) return { type: 'malformed', reason: 'progress text node id overruns frame' };
      const nodeId = frame.toString('utf8', 8, 8 + idLength);
      return { type: 'progress_text', nodeId, text: frame.toString('utf8', 8 + idLength) };
    }
    default:
      return { type: 'unknown', rawType: `binary:${eventType}` };
  }
}

function decodePreviewWithMetadata(frame: Buffer): ServerMessage {
  if (frame.length < 8) return { type: 'malformed', reason: 'preview frame too short' };
  const length = frame.readUInt32BE(4);
  if (length > MAX_METADATA_BYTES || length > frame.length - 8) {
    return { type: 'malformed', reason: 'preview metadata length overruns frame' };
  }
  const text = frame.toString('utf8', 8, 8 + length);
  const plain = METADATA.exec(text);
  if (plain) {
    const [, nodeId, promptId, displayNodeId, imageType] = plain;
    return {
      type: 'preview',
      mime: imageType === 'image/png' ? 'image/png' : 'image/jpeg',
      image: frame.subarray(8 + length),
      promptId: promptId!,
      ...(nodeId !== undefined && { nodeId }),
      ...(displayNodeId !== undefined && { displayNodeId }),
    };
  }
  let meta: unknown;
  try {
    meta = JSON.parse(text);
  } catch {
    return { type: 'malformed', reason: 'preview metadata is not JSON' };
  }
  if (meta === null || typeof meta !== 'object') return { type: 'malformed', reason: 'preview metadata is not an object' };
  const m = meta as Record<string, unknown>;
  const str = (key: string): string | undefined => {
    const v = m[key];
    return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
  };
  const promptId = str('prompt_id');
  const nodeId = str('node_id');
  const displayNodeId = str('display_node_id');
  return {
    type: 'preview',
    mime: str('image_type') === 'image/png' ? 'image/png' : 'image/jpeg',
    image: frame.subarray(8 + length),
    ...(promptId !== undefined && { promptId }),
    ...(nodeId !== undefined && { nodeId }),
    ...(displayNodeId !== undefined && { displayNodeId }),
  };
}
