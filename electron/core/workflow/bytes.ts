// Shared byte helpers for the metadata readers. Every reader works on untrusted files, so reads are bounds-checked
// here once and length fields are compared with the bytes that actually remain before anything is sliced.

/** Codes a reader reports when a file is damaged; the reader still returns whatever it found before the damage. */
export type DamageCode = 'TRUNCATED' | 'BAD_LENGTH' | 'BAD_STRUCTURE' | 'TOO_LARGE' | 'BAD_COMPRESSION';

export interface Damage {
  readonly code: DamageCode;
  readonly message: string;
}

/** Key/value text found in a container (`prompt`, `workflow`, `parameters`, …) plus any damage met on the way. */
export interface MetadataRead {
  readonly entries: Record<string, string>;
  readonly damage?: Damage;
}

export interface ReaderLimits {
  /** Largest single text value kept (after decompression). */
  readonly maxTextBytes: number;
  /**
   * Bytes one file may inflate to, all its compressed chunks together: each chunk under `maxTextBytes` is not
   * enough, as a file of hundreds of small zip bombs would still cost minutes and gigabytes.
   */
  readonly maxInflatedBytes: number;
  /** Most entries kept from one file; the rest are ignored. */
  readonly maxEntries: number;
  /** Bytes scanned in containers whose metadata may sit anywhere (MP4, MKV). */
  readonly maxScanBytes: number;
}

export const DEFAULT_LIMITS: ReaderLimits = {
  maxTextBytes: 32 * 1024 * 1024,
  maxInflatedBytes: 32 * 1024 * 1024,
  maxEntries: 256,
  maxScanBytes: 64 * 1024 * 1024,
};

export function damage(code: DamageCode, message: string): Damage {
  return { code, message };
}

export function asBytes(input: Uint8Array): Uint8Array {
  return input instanceof Uint8Array ? input : new Uint8Array(input);
}

export function u16be(b: Uint8Array, o: number): number {
  return ((b[o] ?? 0) << 8) | (b[o + 1] ?? 0);
}

export function u16le(b: Uint8Array, o: number): number {
  return (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8);
}

export function u32be(b: Uint8Array, o: number): number {
  return (((b[o] ?? 0) << 24) >>> 0) + (((b[o + 1] ?? 0) << 16) | ((b[o + 2] ?? 0) << 8) | (b[o + 3] ?? 0));
}

export function u32le(b: Uint8Array, o: number): number {
  return (((b[o + 3] ?? 0) << 24) >>> 0) + (((b[o + 2] ?? 0) << 16) | ((b[o + 1] ?? 0) << 8) | (b[o] ?? 0));
}

/** 64-bit values as numbers; anything above 2^53 is reported as Infinity so size checks reject it. */
export function u64le(b: Uint8Array, o: number): number {
  const lo = u32le(b, o);
  const hi = u32le(b, o + 4);
  if (hi >= 0x200000) return Number.POSITIVE_INFINITY;
  return hi * 0x100000000 + lo;
}

export function u64be(b: Uint8Array, o: number): number {
  const hi = u32be(b, o);
  const lo = u32be(b, o + 4);
  if (hi >= 0x200000) return Number.POSITIVE_INFINITY;
  return hi * 0x100000000 + lo;
}

export function ascii(b: Uint8Array, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end && i < b.length; i++) out += String.fromCharCode(b[i] ?? 0);
  return out;
}

export function startsWith(b: Uint8Array, text: string, at = 0): boolean {
  if (b.length < at + text.length) return false;
  for (let i = 0; i < text.length; i++) if (b[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

export function indexOfByte(b: Uint8Array, value: number, from: number, to: number): number {
  const end = Math.min(to, b.length);
  for (let i = from; i < end; i++) if (b[i] === value) return i;
  return -1;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Lenient = new TextDecoder('utf-8');
const latin1 = new TextDecoder('latin1');

/**
 * Text from files that claim UTF-8 but are sometimes written by tools using Latin-1 (or garbage): valid UTF-8 is
 * decoded as such, anything else falls back to Latin-1 so every byte still maps to a character.
 */
export function decodeText(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return latin1.decode(bytes);
  }
}

/**
 * For formats that are Latin-1 by spec (PNG tEXt) but in practice carry UTF-8 from some writers. Plain ASCII reads
 * the same either way, so this is `decodeText`: the native decoder, rather than a loop over every byte in JavaScript
 * (half a second for 32 MB, which a hostile file can ask for).
 */
export function decodeLatin1OrUtf8(bytes: Uint8Array): string {
  return decodeText(bytes);
}

export function decodeUtf8Lenient(bytes: Uint8Array): string {
  return utf8Lenient.decode(bytes);
}

/** Adds an entry unless the limits say no; returns false once the entry budget is used up. */
export function addEntry(entries: Record<string, string>, key: string, value: string, limits: ReaderLimits): boolean {
  if (Object.keys(entries).length >= limits.maxEntries) return false;
  if (value.length > limits.maxTextBytes) return true;
  // The first occurrence wins, as in the frontend's readers; __proto__ and friends are plain keys here.
  if (!Object.prototype.hasOwnProperty.call(entries, key)) {
    Object.defineProperty(entries, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return true;
}

/** The file has given both a `prompt` and a `workflow`: the first of each wins, so nothing after them can matter. */
export function hasPromptAndWorkflow(entries: Record<string, string>): boolean {
  return Object.hasOwn(entries, 'prompt') && Object.hasOwn(entries, 'workflow');
}

export function newEntries(): Record<string, string> {
  return {};
}
