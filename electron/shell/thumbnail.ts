// Output thumbnails for the history list, scaled down in the main process so the window receives a few kilobytes
// per row rather than the full-size image (and never a URL to fetch).
import { nativeImage } from 'electron';
import type { ImageBytes } from '../shared/ipc-contract.js';

const THUMBNAIL_WIDTH = 192;

export function thumbnailOf(image: ImageBytes): ImageBytes {
  const decoded = nativeImage.createFromBuffer(Buffer.from(image.bytes));
  // nativeImage cannot decode WebP or GIF everywhere: the window then scales the original itself.
  if (decoded.isEmpty()) return image;
  const { width } = decoded.getSize();
  const scaled = width > THUMBNAIL_WIDTH ? decoded.resize({ width: THUMBNAIL_WIDTH, quality: 'good' }) : decoded;
  return { mime: 'image/jpeg', bytes: new Uint8Array(scaled.toJPEG(82)) };
}
