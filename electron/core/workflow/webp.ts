// Reads the EXIF chunk of (animated) WebP files, where ComfyUI's WebP savers embed the prompt and workflow.
import { DEFAULT_LIMITS, damage, newEntries, startsWith, u32le } from './bytes.js';
import type { Damage, MetadataRead, ReaderLimits } from './bytes.js';
import { readExifMetadata } from './exif.js';

export function isWebp(bytes: Uint8Array): boolean {
  return startsWith(bytes, 'RIFF') && startsWith(bytes, 'WEBP', 8);
}

export function readWebpMetadata(bytes: Uint8Array, limits: ReaderLimits = DEFAULT_LIMITS): MetadataRead {
  if (!isWebp(bytes)) return { entries: newEntries(), damage: damage('BAD_STRUCTURE', 'not a RIFF/WEBP file') };
  // The RIFF size is ignored beyond clamping: writers that stream get it wrong, and the chunks themselves are checked.
  const end = Math.min(bytes.length, 8 + u32le(bytes, 4));
  let offset = 12;
  let problem: Damage | undefined;
  while (offset + 8 <= end) {
    const size = u32le(bytes, offset + 4);
    const dataStart = offset + 8;
    if (dataStart + size > bytes.length) {
      problem = damage('TRUNCATED', `WebP chunk declares ${size} bytes, ${bytes.length - dataStart} remain`);
      break;
    }
    if (startsWith(bytes, 'EXIF', offset)) {
      const read = readExifMetadata(bytes.subarray(dataStart, dataStart + size), limits);
      return read.damage === undefined && problem === undefined ? read : { entries: read.entries, damage: read.damage ?? problem };
    }
    offset = dataStart + size + (size % 2);
  }
  if (problem === undefined && offset < end && offset + 8 > end) problem = damage('TRUNCATED', 'WebP chunk header cut off');
  return problem === undefined ? { entries: newEntries() } : { entries: newEntries(), damage: problem };
}
