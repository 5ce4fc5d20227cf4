// FLAC metadata blocks; ComfyUI's SaveAudio (FLAC) stores prompt/workflow in the VORBIS_COMMENT block.
import { damage, newEntries, startsWith } from './bytes.js';
import type { MetadataRead, ReaderLimits } from './bytes.js';
import { readVorbisComments } from './vorbis-comment.js';

const VORBIS_COMMENT = 4;

export function readFlacMetadata(bytes: Uint8Array, limits: ReaderLimits): MetadataRead {
  if (!startsWith(bytes, 'fLaC')) return { entries: newEntries(), damage: damage('BAD_STRUCTURE', 'not a FLAC file') };
  let offset = 4;
  while (offset + 4 <= bytes.length) {
    const header = bytes[offset] ?? 0;
    const length = ((bytes[offset + 1] ?? 0) << 16) | ((bytes[offset + 2] ?? 0) << 8) | (bytes[offset + 3] ?? 0);
    const start = offset + 4;
    if (start + length > bytes.length) return { entries: newEntries(), damage: damage('TRUNCATED', `metadata block declares ${length} bytes beyond the file`) };
    if ((header & 0x7f) === VORBIS_COMMENT) return readVorbisComments(bytes.subarray(start, start + length), limits);
    if (header & 0x80) break;
    offset = start + length;
  }
  return { entries: newEntries() };
}
