// .latent / .safetensors: an 8-byte little-endian header length, then a JSON header whose `__metadata__` object
// holds string values (SaveLatent writes prompt and workflow there).
import { parseJson } from '../json.js';
import { addEntry, damage, decodeText, newEntries, u64le } from './bytes.js';
import type { MetadataRead, ReaderLimits } from './bytes.js';
import { isRecord } from './classify-json.js';

export function readSafetensorsMetadata(bytes: Uint8Array, limits: ReaderLimits): MetadataRead {
  const entries = newEntries();
  if (bytes.length < 8) return { entries, damage: damage('TRUNCATED', 'safetensors header length cut off') };
  const length = u64le(bytes, 0);
  if (length > limits.maxTextBytes) return { entries, damage: damage('TOO_LARGE', 'safetensors header exceeds the size limit') };
  if (8 + length > bytes.length) return { entries, damage: damage('TRUNCATED', `header declares ${length} bytes, ${bytes.length - 8} remain`) };
  let header: unknown;
  try {
    header = parseJson(decodeText(bytes.subarray(8, 8 + length)));
  } catch {
    return { entries, damage: damage('BAD_STRUCTURE', 'safetensors header is not JSON') };
  }
  const metadata = isRecord(header) ? header.__metadata__ : undefined;
  if (!isRecord(metadata)) return { entries };
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value === 'string' && !addEntry(entries, key, value, limits)) break;
  }
  return { entries };
}
