// WebM/Matroska tags: Segment → Tags → Tag → SimpleTag with TagName/TagString, which is where ffmpeg (and so
// ComfyUI's WebM saving) puts container metadata such as prompt and workflow.
import { addEntry, damage, decodeText, newEntries } from './bytes.js';
import type { Damage, MetadataRead, ReaderLimits } from './bytes.js';
import { normaliseKey } from './exif.js';

const SEGMENT = 0x18538067;
const TAGS = 0x1254c367;
const TAG = 0x7373;
const SIMPLE_TAG = 0x67c8;
const TAG_NAME = 0x45a3;
const TAG_STRING = 0x4487;
const CLUSTER = 0x1f43b675;
const MASTERS = new Set([SEGMENT, TAGS, TAG, SIMPLE_TAG]);
const MAX_ELEMENTS = 200_000;

interface Vint {
  readonly value: number;
  readonly length: number;
  readonly unknown: boolean;
}

function readVint(b: Uint8Array, o: number, keepMarker: boolean): Vint | undefined {
  const first = b[o];
  if (first === undefined || first === 0) return undefined;
  const length = Math.clz32(first) - 23;
  if (length > 8 || o + length > b.length) return undefined;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === (0xff >> length);
  for (let i = 1; i < length; i++) {
    const byte = b[o + i] ?? 0;
    value = value * 256 + byte;
    if (byte !== 0xff) allOnes = false;
  }
  return { value, length, unknown: !keepMarker && allOnes };
}

export function readEbmlMetadata(bytes: Uint8Array, limits: ReaderLimits): MetadataRead {
  const entries = newEntries();
  const state = { count: 0, damage: undefined as Damage | undefined };
  walk(bytes, 0, Math.min(bytes.length, limits.maxScanBytes), 0, entries, limits, state);
  return state.damage === undefined ? { entries } : { entries, damage: state.damage };
}

function walk(b: Uint8Array, from: number, to: number, depth: number, entries: Record<string, string>, limits: ReaderLimits, state: { count: number; damage: Damage | undefined }): void {
  let offset = from;
  let name: string | undefined;
  let text: string | undefined;
  while (offset < to && state.count++ < MAX_ELEMENTS) {
    const id = readVint(b, offset, true);
    const size = id === undefined ? undefined : readVint(b, offset + id.length, false);
    if (id === undefined || size === undefined) {
      state.damage ??= damage('BAD_STRUCTURE', `unreadable EBML element at byte ${offset}`);
      break;
    }
    const start = offset + id.length + size.length;
    const declaredEnd = size.unknown ? to : start + size.value;
    if (declaredEnd > to && !MASTERS.has(id.value)) {
      if (id.value === TAG_NAME || id.value === TAG_STRING || depth > 0) state.damage ??= damage('TRUNCATED', 'EBML element overruns its parent');
      break;
    }
    const end = Math.min(declaredEnd, to);
    if (id.value === CLUSTER && size.unknown) break; // Live-written clusters have no size; tags are not inside them.
    if (MASTERS.has(id.value) && depth < 6) walk(b, start, end, depth + 1, entries, limits, state);
    else if (id.value === TAG_NAME) name = decodeText(b.subarray(start, end));
    else if (id.value === TAG_STRING) text = decodeText(b.subarray(start, end));
    offset = end;
  }
  if (name !== undefined && text !== undefined) addEntry(entries, normaliseKey(name), text, limits);
}
