// Binary WebSocket frames: [u32 BE event type][payload].
import { pyDumps } from './json.js';

export const PREVIEW_IMAGE = 1;
export const PREVIEW_IMAGE_WITH_METADATA = 4;

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0, 0);
  return b;
}

/** Type 1: [1][image_format: 1 = JPEG, 2 = PNG][image bytes]. */
export function previewFrame(format: 'PNG' | 'JPEG', image: Buffer): Buffer {
  return Buffer.concat([u32(PREVIEW_IMAGE), u32(format === 'PNG' ? 2 : 1), image]);
}

/** Type 4: [4][metadata length][metadata JSON][image bytes]. */
export function previewFrameWithMetadata(format: 'PNG' | 'JPEG', image: Buffer, nodeId: string, promptId: string): Buffer {
  const metadata = Buffer.from(
    pyDumps({
      node_id: nodeId,
      prompt_id: promptId,
      display_node_id: nodeId,
      parent_node_id: null,
      real_node_id: nodeId,
      image_type: format === 'PNG' ? 'image/png' : 'image/jpeg',
    }),
    'utf8',
  );
  return Buffer.concat([u32(PREVIEW_IMAGE_WITH_METADATA), u32(metadata.length), metadata, image]);
}
