// Small but valid image files: solid-colour PNGs (with tEXt metadata chunks like SaveImage writes) and a tiny
// baseline JPEG for latent-preview frames.
import { deflateSync } from 'node:zlib';
import { crc32 } from '../../../electron/core/crc32.js';

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

export interface PngOptions {
  width: number;
  height: number;
  /** 0xRRGGBB */
  color: number;
  /** tEXt chunks, in order (keyword -> Latin-1 text). */
  text?: [string, string][];
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function encodePng(options: PngOptions): Buffer {
  const width = Math.max(1, Math.min(64, Math.floor(options.width)));
  const height = Math.max(1, Math.min(64, Math.floor(options.height)));
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) {
    row[1 + x * 3] = (options.color >> 16) & 0xff;
    row[2 + x * 3] = (options.color >> 8) & 0xff;
    row[3 + x * 3] = options.color & 0xff;
  }
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  const parts = [SIGNATURE, chunk('IHDR', ihdr)];
  for (const [keyword, text] of options.text ?? []) {
    parts.push(chunk('tEXt', Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')])));
  }
  parts.push(chunk('IDAT', deflateSync(raw, { level: 1 })), chunk('IEND', Buffer.alloc(0)));
  return Buffer.concat(parts);
}

/** Reads the tEXt chunks of a PNG (for tests and sanity checks). */
export function readPngText(png: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 8;
  while (pos + 8 <= png.length) {
    const length = png.readUInt32BE(pos);
    const type = png.toString('latin1', pos + 4, pos + 8);
    if (type === 'tEXt') {
      const data = png.subarray(pos + 8, pos + 8 + length);
      const zero = data.indexOf(0);
      out[data.toString('latin1', 0, zero)] = data.toString('latin1', zero + 1);
    }
    pos += 12 + length;
  }
  return out;
}

/**
 * An 8x8 mid-grey baseline JPEG: quantisation all ones, the standard luminance DC table, a one-code AC table
 * (EOB only) and a single block whose DC difference is 0.
 */
export function tinyJpeg(): Buffer {
  const segment = (marker: number, body: number[]): number[] => [0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body];
  const app0 = segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  const dqt = segment(0xdb, [0x00, ...new Array<number>(64).fill(1)]);
  const sof0 = segment(0xc0, [8, 0, 8, 0, 8, 1, 1, 0x11, 0]);
  const dcCounts = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
  const dht = segment(0xc4, [
    0x00,
    ...dcCounts,
    ...Array.from({ length: 12 }, (_, i) => i),
    0x10,
    1,
    ...new Array<number>(15).fill(0),
    0x00,
  ]);
  const sos = segment(0xda, [1, 1, 0x00, 0, 63, 0]);
  // DC category 0 ("00") + AC EOB ("0"), padded with ones.
  const scan = [0x1f];
  return Buffer.from([0xff, 0xd8, ...app0, ...dqt, ...sof0, ...dht, ...sos, ...scan, 0xff, 0xd9]);
}

/**
 * A 1x1 animated WebP with one 100 ms frame, laid out as SaveAnimatedWEBP's files are: a VP8X header flagging
 * animation (and alpha), ANIM (loop forever) and one ANMF frame holding a lossless (VP8L) bitstream.
 */
export function animatedWebp(): Buffer {
  const u24 = (n: number): Buffer => Buffer.from([n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff]);
  const chunk = (fourcc: string, body: Buffer): Buffer => {
    const head = Buffer.alloc(8);
    head.write(fourcc, 0, 'latin1');
    head.writeUInt32LE(body.length, 4);
    return Buffer.concat([head, body, Buffer.alloc(body.length % 2)]);
  };
  const pixel = Buffer.from('2f00000010071011118888fe07', 'hex');
  const vp8x = chunk('VP8X', Buffer.concat([Buffer.from([0x12, 0, 0, 0]), u24(0), u24(0)]));
  const anim = chunk('ANIM', Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0]));
  const anmf = chunk('ANMF', Buffer.concat([u24(0), u24(0), u24(0), u24(0), u24(100), Buffer.from([0]), chunk('VP8L', pixel)]));
  const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), vp8x, anim, anmf]);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(body.length);
  return Buffer.concat([Buffer.from('RIFF', 'latin1'), size, body]);
}
