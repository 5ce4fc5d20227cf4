// Reads the text chunks of PNG and APNG files: ComfyUI's SaveImage writes `prompt`/`workflow` as tEXt (iTXt when
// the text is not Latin-1), SaveAnimatedPNG writes private `comf` chunks, A1111 writes `parameters`.
import { inflateSync } from 'node:zlib';
import {
  DEFAULT_LIMITS,
  addEntry,
  ascii,
  damage,
  decodeLatin1OrUtf8,
  decodeText,
  hasPromptAndWorkflow,
  indexOfByte,
  newEntries,
  u32be,
} from './bytes.js';
import type { Damage, MetadataRead, ReaderLimits } from './bytes.js';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const MAX_KEYWORD = 79;

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((value, i) => bytes[i] === value);
}

export function readPngMetadata(bytes: Uint8Array, limits: ReaderLimits = DEFAULT_LIMITS): MetadataRead {
  const entries = newEntries();
  if (!isPng(bytes)) return { entries, damage: damage('BAD_STRUCTURE', 'not a PNG signature') };
  let offset = 8;
  let problem: Damage | undefined;
  const budget: InflateBudget = { left: limits.maxInflatedBytes };
  while (offset < bytes.length) {
    if (offset + 8 > bytes.length) {
      problem = damage('TRUNCATED', `chunk header cut off at byte ${offset}`);
      break;
    }
    const length = u32be(bytes, offset);
    const type = ascii(bytes, offset + 4, offset + 8);
    const dataStart = offset + 8;
    if (length > 0x7fffffff) {
      problem = damage('BAD_LENGTH', `chunk ${JSON.stringify(type)} declares ${length} bytes`);
      break;
    }
    if (dataStart + length > bytes.length) {
      problem = damage('TRUNCATED', `chunk ${JSON.stringify(type)} declares ${length} bytes, ${bytes.length - dataStart} remain`);
      break;
    }
    const data = bytes.subarray(dataStart, dataStart + length);
    if (type === 'IEND') break;
    if (type === 'tEXt' || type === 'comf' || type === 'zTXt' || type === 'iTXt') {
      const found = readTextChunk(type, data, limits, budget);
      if ('damage' in found) problem ??= found.damage;
      else if (!addEntry(entries, found.key, found.value, limits)) break;
      // Chunks after both cost time (a hostile file can hold hundreds) and cannot change the result.
      if (hasPromptAndWorkflow(entries)) break;
    }
    // The CRC is not checked: the frontend does not either, and a bad CRC on a text chunk still leaves readable text.
    offset = dataStart + length + 4;
  }
  return problem === undefined ? { entries } : { entries, damage: problem };
}

type ChunkText = { key: string; value: string } | { damage: Damage };

function readTextChunk(type: string, data: Uint8Array, limits: ReaderLimits, budget: InflateBudget): ChunkText {
  const nul = indexOfByte(data, 0, 0, MAX_KEYWORD + 1);
  if (nul <= 0) return { damage: damage('BAD_STRUCTURE', `${type} chunk without a keyword`) };
  const key = decodeLatin1OrUtf8(data.subarray(0, nul));
  const rest = data.subarray(nul + 1);
  if (type === 'tEXt') return { key, value: decodeLatin1OrUtf8(rest) };
  if (type === 'comf') return { key, value: decodeText(rest) };
  if (type === 'zTXt') {
    if (rest.length < 1) return { damage: damage('TRUNCATED', 'zTXt chunk without compression method') };
    const inflated = inflate(rest.subarray(1), limits, budget);
    return 'damage' in inflated ? inflated : { key, value: decodeLatin1OrUtf8(inflated.bytes) };
  }
  // iTXt: compression flag, method, language tag\0, translated keyword\0, UTF-8 text.
  if (rest.length < 2) return { damage: damage('TRUNCATED', 'iTXt chunk cut off') };
  const compressed = rest[0] === 1;
  const languageEnd = indexOfByte(rest, 0, 2, rest.length);
  if (languageEnd < 0) return { damage: damage('BAD_STRUCTURE', 'iTXt chunk without language tag') };
  const translatedEnd = indexOfByte(rest, 0, languageEnd + 1, rest.length);
  if (translatedEnd < 0) return { damage: damage('BAD_STRUCTURE', 'iTXt chunk without translated keyword') };
  const text = rest.subarray(translatedEnd + 1);
  if (!compressed) return { key, value: decodeText(text) };
  const inflated = inflate(text, limits, budget);
  return 'damage' in inflated ? inflated : { key, value: decodeText(inflated.bytes) };
}

/** What is left of one file's `maxInflatedBytes`, spent by each compressed chunk in turn. */
export interface InflateBudget {
  left: number;
}

/**
 * Inflates with a hard output cap: the chunk's own (`maxTextBytes`) or what is left of the file's budget, whichever
 * is smaller. A zip bomb costs at most that, and once the file's budget is spent no other chunk is inflated.
 */
export function inflate(data: Uint8Array, limits: ReaderLimits, budget: InflateBudget): { bytes: Uint8Array } | { damage: Damage } {
  const cap = Math.min(limits.maxTextBytes, budget.left);
  if (cap <= 0) return { damage: damage('TOO_LARGE', 'the compressed text in this file expands beyond the size limit') };
  try {
    const bytes = inflateSync(data, { maxOutputLength: cap });
    budget.left -= bytes.length;
    return { bytes };
  } catch (error) {
    if (error instanceof RangeError || (error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      // The cap was reached: that much was inflated, and spent.
      budget.left -= cap;
      return { damage: damage('TOO_LARGE', 'compressed text expands beyond the size limit') };
    }
    return { damage: damage('BAD_COMPRESSION', 'compressed text chunk cannot be inflated') };
  }
}
