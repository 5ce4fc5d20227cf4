// Vorbis comments ("KEY=value" lists) as used by FLAC and Ogg Vorbis/Opus files from ComfyUI's SaveAudio nodes.
import { addEntry, damage, decodeText, newEntries, u32le } from './bytes.js';
import type { MetadataRead, ReaderLimits } from './bytes.js';
import { normaliseKey } from './exif.js';

export function readVorbisComments(block: Uint8Array, limits: ReaderLimits): MetadataRead {
  const entries = newEntries();
  if (block.length < 8) return { entries, damage: damage('TRUNCATED', 'comment block too short') };
  const vendor = u32le(block, 0);
  let offset = 4 + vendor;
  if (offset + 4 > block.length) return { entries, damage: damage('BAD_LENGTH', 'vendor string longer than the block') };
  const count = u32le(block, offset);
  offset += 4;
  for (let i = 0; i < count; i++) {
    if (offset + 4 > block.length) return { entries, damage: damage('TRUNCATED', 'comment list cut off') };
    const length = u32le(block, offset);
    offset += 4;
    if (length > block.length - offset) return { entries, damage: damage('BAD_LENGTH', `comment declares ${length} bytes beyond the block`) };
    const text = decodeText(block.subarray(offset, offset + length));
    offset += length;
    const eq = text.indexOf('=');
    if (eq > 0 && !addEntry(entries, normaliseKey(text.slice(0, eq)), text.slice(eq + 1), limits)) break;
  }
  return { entries };
}
