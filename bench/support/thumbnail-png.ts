// A thumbnail-sized PNG drawn in code, for benches that serve `outputs:thumbnail`: the main process sends the window
// 192-pixel-wide JPEGs of a few kilobytes (electron/shell/thumbnail.ts), so the window should decode pictures of that
// size and weight, not a 1×1 pixel. Soft gradients and blobs plus a little deterministic grain: flat colour would
// compress to a few hundred bytes, pure noise to 100 KB; this lands near a real thumbnail's byte count.
import { deflateSync } from 'node:zlib';
import { crc32 } from '../../electron/core/crc32.js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

export interface ThumbnailPngOptions {
  readonly width?: number;
  readonly height?: number;
  /** Picks the colours and the blobs' places, so variants are different pictures (different bytes to decode). */
  readonly seed?: number;
  /** Amplitude of the grain, 0–255: more grain, more bytes. */
  readonly grain?: number;
  /** Colours are rounded to multiples of this: fewer levels, fewer bytes. */
  readonly levels?: number;
}

/** A valid 8-bit RGB PNG (no interlace, the Paeth filter on every line). */
export function thumbnailPng({ width = 192, height = 192, seed = 1, grain = 6, levels = 8 }: ThumbnailPngOptions = {}): Buffer {
  // A small LCG: the same seed always draws the same picture, so runs compare like with like.
  let state = (seed * 2654435761) >>> 0 || 1;
  const random = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const base = [random(), random(), random()].map((v) => 40 + v * 140);
  const blobs = Array.from({ length: 4 }, () => ({ x: random() * width, y: random() * height, r: (0.15 + random() * 0.25) * width, rgb: [random(), random(), random()].map((v) => v * 255) }));
  const blocksPerLine = Math.ceil(width / 4);
  const blockNoise = Array.from({ length: blocksPerLine * Math.ceil(height / 4) }, () => (random() - 0.5) * grain);
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const rgb = base.map((c, i) => c + ((x + y * (i + 1)) / (width + height)) * 60);
      for (const blob of blobs) {
        const d = Math.hypot(x - blob.x, y - blob.y) / blob.r;
        const w = d < 1 ? (1 - d * d) ** 2 : 0;
        for (let i = 0; i < 3; i++) rgb[i] = rgb[i]! * (1 - w) + blob.rgb[i]! * w;
      }
      // Grain per 4×4 block, not per pixel, and colours in steps of `levels`: pixel-level noise would weigh 40 KB.
      const noise = blockNoise[(y >> 2) * blocksPerLine + (x >> 2)]!;
      for (let i = 0; i < 3; i++) pixels[(y * width + x) * 3 + i] = Math.max(0, Math.min(255, Math.round((rgb[i]! + noise) / levels) * levels));
    }
  }
  const stride = width * 3;
  const raw = Buffer.alloc(height * (1 + stride));
  const at = (y: number, i: number): number => (y >= 0 && i >= 0 ? pixels[y * stride + i]! : 0);
  for (let y = 0; y < height; y++) {
    const line = y * (1 + stride);
    raw[line] = 4; // filter type Paeth: each byte minus its best-guess neighbour, which smooth pictures make small
    for (let i = 0; i < stride; i++) {
      const a = at(y, i - 3);
      const b = at(y - 1, i);
      const c = at(y - 1, i - 3);
      const p = a + b - c;
      const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
      const predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      raw[line + 1 + i] = (pixels[y * stride + i]! - predictor) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}
