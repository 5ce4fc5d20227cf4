// Ogg Vorbis/Opus: reassembles the comment header packet (the second packet of the first stream) from pages and
// reads its Vorbis comments. Only the first few pages are looked at.
import { addEntry, damage, newEntries, startsWith, u32le } from './bytes.js';
import type { MetadataRead, ReaderLimits } from './bytes.js';
import { readVorbisComments } from './vorbis-comment.js';

const MAX_PAGES = 512;

export function readOggMetadata(bytes: Uint8Array, limits: ReaderLimits): MetadataRead {
  const packets: Uint8Array[][] = [[]];
  let size = 0;
  let offset = 0;
  let serial: number | undefined;
  for (let page = 0; page < MAX_PAGES && packets.length <= 2; page++) {
    if (offset + 27 > bytes.length) break;
    if (!startsWith(bytes, 'OggS', offset)) return { entries: newEntries(), damage: damage('BAD_STRUCTURE', `no Ogg page at byte ${offset}`) };
    const pageSerial = u32le(bytes, offset + 14);
    const segments = bytes[offset + 26] ?? 0;
    let data = offset + 27 + segments;
    if (data > bytes.length) return { entries: newEntries(), damage: damage('TRUNCATED', 'Ogg segment table cut off') };
    serial ??= pageSerial;
    for (let i = 0; i < segments; i++) {
      const lace = bytes[offset + 27 + i] ?? 0;
      if (data + lace > bytes.length) return { entries: newEntries(), damage: damage('TRUNCATED', 'Ogg page cut off') };
      if (pageSerial === serial) {
        packets.at(-1)?.push(bytes.subarray(data, data + lace));
        size += lace;
        if (size > limits.maxTextBytes) return { entries: newEntries(), damage: damage('TOO_LARGE', 'Ogg header packets exceed the size limit') };
        if (lace < 255) packets.push([]);
      }
      data += lace;
    }
    offset = data;
  }
  const parts = packets[1];
  if (parts === undefined || packets.length < 3) return { entries: newEntries(), damage: damage('TRUNCATED', 'Ogg comment header not found') };
  const packet = Buffer.concat(parts);
  const skip = startsWith(packet, 'OpusTags') ? 8 : startsWith(packet, '\x03vorbis') ? 7 : -1;
  if (skip < 0) return { entries: newEntries() };
  const read = readVorbisComments(packet.subarray(skip), limits);
  const entries = newEntries();
  for (const [key, value] of Object.entries(read.entries)) addEntry(entries, key, value, limits);
  return read.damage === undefined ? { entries } : { entries, damage: read.damage };
}
