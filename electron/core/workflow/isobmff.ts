// MP4/MOV metadata: ComfyUI's SaveVideo writes prompt/workflow as QuickTime metadata (moov/udta/meta or moov/meta
// with a `keys` box naming the entries and an `ilst` box holding `data` values by 1-based key index).
import { addEntry, ascii, damage, decodeText, newEntries, u32be, u64be } from './bytes.js';
import type { Damage, MetadataRead, ReaderLimits } from './bytes.js';
import { normaliseKey } from './exif.js';

interface Box {
  readonly type: string;
  readonly start: number;
  readonly end: number;
}

const MAX_BOXES = 100_000;
const CONTAINERS = new Set(['moov', 'udta', 'meta']);

export function readIsobmffMetadata(bytes: Uint8Array, limits: ReaderLimits): MetadataRead {
  const entries = newEntries();
  const state = { boxes: 0, damage: undefined as Damage | undefined };
  walk(bytes, 0, Math.min(bytes.length, limits.maxScanBytes), 0, entries, limits, state);
  return state.damage === undefined ? { entries } : { entries, damage: state.damage };
}

function* boxes(bytes: Uint8Array, from: number, to: number, state: { boxes: number; damage: Damage | undefined }): Generator<Box> {
  let offset = from;
  while (offset + 8 <= to && state.boxes++ < MAX_BOXES) {
    let size = u32be(bytes, offset);
    const type = ascii(bytes, offset + 4, offset + 8);
    let header = 8;
    if (size === 1) {
      if (offset + 16 > to) break;
      size = u64be(bytes, offset + 8);
      header = 16;
    } else if (size === 0) size = to - offset;
    if (size < header || offset + size > to) {
      // mdat often runs past a truncated download; only complain about boxes we would have read.
      if (CONTAINERS.has(type) || type === 'keys' || type === 'ilst') state.damage ??= damage('BAD_LENGTH', `box ${JSON.stringify(type)} overruns its parent`);
      return;
    }
    yield { type, start: offset + header, end: offset + size };
    offset += size;
  }
}

function walk(bytes: Uint8Array, from: number, to: number, depth: number, entries: Record<string, string>, limits: ReaderLimits, state: { boxes: number; damage: Damage | undefined }): void {
  if (depth > 8) return;
  let keys: string[] = [];
  for (const box of boxes(bytes, from, to, state)) {
    if (box.type === 'meta') {
      // ISO meta is a full box (4 bytes version/flags); QuickTime's is not: tell them apart by the next box type.
      const start = ascii(bytes, box.start + 4, box.start + 8) === 'hdlr' ? box.start : box.start + 4;
      walk(bytes, start, box.end, depth + 1, entries, limits, state);
    } else if (CONTAINERS.has(box.type)) walk(bytes, box.start, box.end, depth + 1, entries, limits, state);
    else if (box.type === 'keys') keys = readKeys(bytes, box);
    else if (box.type === 'ilst') readIlst(bytes, box, keys, entries, limits, state);
  }
}

function readKeys(bytes: Uint8Array, box: Box): string[] {
  const keys: string[] = [];
  const count = u32be(bytes, box.start + 4);
  let offset = box.start + 8;
  for (let i = 0; i < count && offset + 8 <= box.end; i++) {
    const size = u32be(bytes, offset);
    if (size < 8 || offset + size > box.end) break;
    keys.push(decodeText(bytes.subarray(offset + 8, offset + size)));
    offset += size;
  }
  return keys;
}

function readIlst(bytes: Uint8Array, ilst: Box, keys: readonly string[], entries: Record<string, string>, limits: ReaderLimits, state: { boxes: number; damage: Damage | undefined }): void {
  for (const item of boxes(bytes, ilst.start, ilst.end, state)) {
    const index = u32be(bytes, item.start - 4);
    const key = keys[index - 1] ?? item.type;
    for (const data of boxes(bytes, item.start, item.end, state)) {
      if (data.type !== 'data' || data.start + 8 > data.end) continue;
      addEntry(entries, normaliseKey(key), decodeText(bytes.subarray(data.start + 8, data.end)), limits);
      break;
    }
  }
}
