// Tells what a dropped file is: magic bytes first (extensions lie, e.g. WebP saved as .png), extension second.
import { startsWith, u64le } from './bytes.js';
import { isPng } from './png.js';
import { isWebp } from './webp.js';

export type FileFormat =
  | 'png'
  | 'webp'
  | 'flac'
  | 'mp3'
  | 'ogg'
  | 'isobmff'
  | 'matroska'
  | 'safetensors'
  | 'json'
  | 'unknown';

const ISO_BOX_TYPES = ['ftyp', 'moov', 'mdat', 'free', 'wide', 'skip'];

const EXTENSIONS: Record<string, FileFormat> = {
  png: 'png',
  apng: 'png',
  webp: 'webp',
  flac: 'flac',
  mp3: 'mp3',
  ogg: 'ogg',
  oga: 'ogg',
  opus: 'ogg',
  mp4: 'isobmff',
  m4v: 'isobmff',
  m4a: 'isobmff',
  mov: 'isobmff',
  webm: 'matroska',
  mkv: 'matroska',
  mka: 'matroska',
  latent: 'safetensors',
  safetensors: 'safetensors',
  json: 'json',
};

export function detectByMagic(bytes: Uint8Array): FileFormat {
  if (isPng(bytes)) return 'png';
  if (isWebp(bytes)) return 'webp';
  if (startsWith(bytes, 'fLaC')) return 'flac';
  if (startsWith(bytes, 'ID3')) return 'mp3';
  if (startsWith(bytes, 'OggS')) return 'ogg';
  if (startsWith(bytes, '\x1a\x45\xdf\xa3')) return 'matroska';
  if (ISO_BOX_TYPES.some((type) => startsWith(bytes, type, 4))) return 'isobmff';
  if (looksLikeJson(bytes)) return 'json';
  if (looksLikeSafetensors(bytes)) return 'safetensors';
  if (bytes.length >= 2 && bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0) return 'mp3';
  return 'unknown';
}

export function detectByExtension(name: string | undefined): FileFormat {
  if (name === undefined) return 'unknown';
  const dot = name.lastIndexOf('.');
  if (dot < 0) return 'unknown';
  return EXTENSIONS[name.slice(dot + 1).toLowerCase()] ?? 'unknown';
}

export function detectFormat(bytes: Uint8Array, name?: string): FileFormat {
  const byMagic = detectByMagic(bytes);
  return byMagic === 'unknown' ? detectByExtension(name) : byMagic;
}

function looksLikeJson(bytes: Uint8Array): boolean {
  let i = startsWith(bytes, '\xef\xbb\xbf') ? 3 : 0;
  while (i < bytes.length && i < 4096 && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  return bytes[i] === 0x7b || bytes[i] === 0x5b;
}

/** safetensors: a little-endian u64 header length that fits in the file, then a JSON object. */
function looksLikeSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false;
  const length = u64le(bytes, 0);
  return length >= 2 && 8 + length <= bytes.length && bytes[8] === 0x7b;
}
