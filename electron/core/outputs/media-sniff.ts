// What an output file is, for showing it in the window: an image, a video or an audio file, from its first bytes
// (never its name or the server's Content-Type, which other clients set as they please). Anything else is not shown.
import { sniffImage, type ImageMime } from './image-sniff.js';

export type MediaKind = 'image' | 'video' | 'audio';
export type VideoMime = 'video/mp4' | 'video/webm' | 'video/quicktime';
export type AudioMime = 'audio/mpeg' | 'audio/flac' | 'audio/ogg' | 'audio/wav' | 'audio/mp4';
export type MediaMime = ImageMime | VideoMime | AudioMime;

export const MEDIA_MIMES: readonly MediaMime[] = [
  'image/png',
  'image/jpeg',
  'image/webp',
  'image/gif',
  'video/mp4',
  'video/webm',
  'video/quicktime',
  'audio/mpeg',
  'audio/flac',
  'audio/ogg',
  'audio/wav',
  'audio/mp4',
];

export function sniffMedia(bytes: Uint8Array): { readonly kind: MediaKind; readonly mime: MediaMime } | undefined {
  const image = sniffImage(bytes);
  if (image) return { kind: 'image', mime: image };
  if (text(bytes, 4, 'ftyp')) {
    const brand = ascii(bytes, 8, 4);
    if (brand === 'qt  ') return { kind: 'video', mime: 'video/quicktime' };
    if (brand === 'M4A ' || brand === 'M4B ') return { kind: 'audio', mime: 'audio/mp4' };
    return { kind: 'video', mime: 'video/mp4' };
  }
  if (starts(bytes, [0x1a, 0x45, 0xdf, 0xa3])) return { kind: 'video', mime: 'video/webm' };
  if (text(bytes, 0, 'fLaC')) return { kind: 'audio', mime: 'audio/flac' };
  if (text(bytes, 0, 'OggS')) return { kind: 'audio', mime: 'audio/ogg' };
  if (text(bytes, 0, 'RIFF') && text(bytes, 8, 'WAVE')) return { kind: 'audio', mime: 'audio/wav' };
  if (text(bytes, 0, 'ID3') || (bytes.length > 1 && bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0)) return { kind: 'audio', mime: 'audio/mpeg' };
  return undefined;
}

function starts(bytes: Uint8Array, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((byte, i) => bytes[i] === byte);
}

function text(bytes: Uint8Array, offset: number, expected: string): boolean {
  return ascii(bytes, offset, expected.length) === expected;
}

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  if (bytes.length < offset + length) return '';
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}
