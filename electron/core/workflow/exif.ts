// Reads the ASCII tags of a TIFF/EXIF block's first IFD. ComfyUI's WebP savers store `"<key>:<json>"` strings in
// IFD0 tags (0x0110 prompt, 0x010F workflow, then 0x010E, 0x010D… for further extra_pnginfo keys).
import { DEFAULT_LIMITS, addEntry, damage, decodeText, newEntries, startsWith, u16be, u16le, u32be, u32le } from './bytes.js';
import type { MetadataRead, ReaderLimits } from './bytes.js';

const MAX_IFD_ENTRIES = 4096;
const TYPE_BYTE = 1;
const TYPE_ASCII = 2;
const TYPE_UNDEFINED = 7;

/** Normalises the third-party `Prompt`/`Workflow` spelling to the keys everything else uses. */
export function normaliseKey(key: string): string {
  const lower = key.toLowerCase();
  return lower === 'prompt' || lower === 'workflow' ? lower : key;
}

export function readExifMetadata(block: Uint8Array, limits: ReaderLimits = DEFAULT_LIMITS): MetadataRead {
  const entries = newEntries();
  const tiff = startsWith(block, 'Exif\0\0') ? block.subarray(6) : block;
  if (tiff.length < 8) return { entries, damage: damage('TRUNCATED', 'EXIF block too short') };
  const little = startsWith(tiff, 'II');
  if (!little && !startsWith(tiff, 'MM')) return { entries, damage: damage('BAD_STRUCTURE', 'EXIF without byte order') };
  const u16 = little ? u16le : u16be;
  const u32 = little ? u32le : u32be;
  if (u16(tiff, 2) !== 42) return { entries, damage: damage('BAD_STRUCTURE', 'EXIF without TIFF magic') };
  const ifd = u32(tiff, 4);
  if (ifd + 2 > tiff.length) return { entries, damage: damage('BAD_LENGTH', 'EXIF IFD0 offset beyond the block') };
  const count = u16(tiff, ifd);
  if (count > MAX_IFD_ENTRIES || ifd + 2 + count * 12 > tiff.length) {
    return { entries, damage: damage('BAD_LENGTH', `EXIF IFD0 declares ${count} entries beyond the block`) };
  }
  let problem: MetadataRead['damage'];
  for (let i = 0; i < count; i++) {
    const at = ifd + 2 + i * 12;
    const type = u16(tiff, at + 2);
    if (type !== TYPE_ASCII && type !== TYPE_UNDEFINED && type !== TYPE_BYTE) continue;
    const length = u32(tiff, at + 4);
    const start = length <= 4 ? at + 8 : u32(tiff, at + 8);
    if (start + length > tiff.length) {
      problem ??= damage('BAD_LENGTH', `EXIF tag ${u16(tiff, at)} points beyond the block`);
      continue;
    }
    let end = start + length;
    while (end > start && tiff[end - 1] === 0) end--;
    const text = decodeText(tiff.subarray(start, end));
    const colon = text.indexOf(':');
    if (colon <= 0) continue;
    if (!addEntry(entries, normaliseKey(text.slice(0, colon)), text.slice(colon + 1), limits)) break;
  }
  return problem === undefined ? { entries } : { entries, damage: problem };
}
