// Which outputs can be shown as a picture, and what a file really is. The name decides only whether a file is worth
// opening at all (a video or a latent is never downloaded for a thumbnail); what it is comes from its first bytes,
// never from its extension or the server's Content-Type, which other clients and custom nodes set as they please.
import type { OutputRef } from '../../shared/app-state.js';

export type ImageMime = 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif';

const IMAGE_EXTENSIONS = new Set(['png', 'apng', 'jpg', 'jpeg', 'jfif', 'webp', 'gif']);
const NOT_IMAGE_KINDS = new Set(['audio', 'video', 'videos', 'latents', '3d', 'text']);

/** Could this output be an image? False for anything named or described as video, audio, a latent, a mesh… */
export function mayBeImage(ref: Pick<OutputRef, 'kind' | 'filename' | 'format'>): boolean {
  if (NOT_IMAGE_KINDS.has(ref.kind)) return false;
  // Video savers list their files under `images` or `gifs` with a `format` such as "video/h264-mp4".
  if (ref.format !== undefined && /^(video|audio)\//i.test(ref.format)) return false;
  const dot = ref.filename.lastIndexOf('.');
  return dot >= 0 && IMAGE_EXTENSIONS.has(ref.filename.slice(dot + 1).toLowerCase());
}

/** The image type the bytes begin with, or undefined for anything else. */
export function sniffImage(bytes: Uint8Array): ImageMime | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWithText(bytes, 0, 'GIF87a') || startsWithText(bytes, 0, 'GIF89a')) return 'image/gif';
  if (startsWithText(bytes, 0, 'RIFF') && startsWithText(bytes, 8, 'WEBP')) return 'image/webp';
  return undefined;
}

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((byte, i) => bytes[i] === byte);
}

function startsWithText(bytes: Uint8Array, offset: number, text: string): boolean {
  if (bytes.length < offset + text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[offset + i] !== text.charCodeAt(i)) return false;
  return true;
}
