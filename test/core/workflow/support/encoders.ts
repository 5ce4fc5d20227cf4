// Tiny writers for the containers the workflow readers parse, so tests build exact files (and damage them) in code
// instead of shipping binary fixtures.
import { deflateSync } from 'node:zlib';
import { crc32 } from '../../../../electron/core/crc32.js';

export function u32be(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b;
}

export function u32le(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value >>> 0);
  return b;
}

export function u16le(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(value);
  return b;
}

export function pngChunk(type: string, data: Uint8Array): Buffer {
  const typeBytes = Buffer.from(type, 'latin1');
  return Buffer.concat([u32be(data.length), typeBytes, data, u32be(crc32(Buffer.concat([typeBytes, data])))]);
}

export type PngText =
  | { type: 'tEXt'; key: string; text: string | Uint8Array }
  | { type: 'iTXt'; key: string; text: string; compressed?: boolean }
  | { type: 'zTXt'; key: string; text: string }
  | { type: 'comf'; key: string; text: string };

export function textChunk(entry: PngText): Buffer {
  const key = Buffer.from(entry.key, 'latin1');
  switch (entry.type) {
    case 'tEXt': {
      const text = typeof entry.text === 'string' ? Buffer.from(entry.text, 'latin1') : entry.text;
      return pngChunk('tEXt', Buffer.concat([key, Buffer.of(0), text]));
    }
    case 'comf':
      return pngChunk('comf', Buffer.concat([key, Buffer.of(0), Buffer.from(entry.text, 'utf8')]));
    case 'zTXt':
      return pngChunk('zTXt', Buffer.concat([key, Buffer.of(0, 0), deflateSync(Buffer.from(entry.text, 'latin1'))]));
    case 'iTXt': {
      const text = Buffer.from(entry.text, 'utf8');
      const body = entry.compressed === true ? deflateSync(text) : text;
      return pngChunk('iTXt', Buffer.concat([key, Buffer.of(0, entry.compressed === true ? 1 : 0, 0), Buffer.from('en', 'latin1'), Buffer.of(0), Buffer.of(0), body]));
    }
  }
}

const PNG_SIGNATURE = Buffer.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** A 1×1 grey PNG with the given text chunks before IDAT and `after` chunks (APNG `comf`) after it. */
export function png(texts: PngText[], after: PngText[] = []): Buffer {
  const ihdr = Buffer.concat([u32be(1), u32be(1), Buffer.of(8, 0, 0, 0, 0)]);
  const idat = deflateSync(Buffer.of(0, 128));
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr),
    ...texts.map(textChunk),
    pngChunk('IDAT', idat),
    ...after.map(textChunk),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A little-endian TIFF block with ASCII tags in IFD0, as Pillow writes ComfyUI's WebP EXIF. */
export function exifBlock(tags: Array<[number, string | Uint8Array]>, options: { prefix?: boolean } = {}): Buffer {
  const header = Buffer.concat([Buffer.from('II', 'latin1'), u16le(42), u32le(8)]);
  const ifdSize = 2 + tags.length * 12 + 4;
  let dataOffset = 8 + ifdSize;
  const entries: Buffer[] = [];
  const data: Buffer[] = [];
  for (const [tag, value] of tags) {
    const bytes = typeof value === 'string' ? Buffer.concat([Buffer.from(value, 'utf8'), Buffer.of(0)]) : Buffer.from(value);
    const entry = Buffer.concat([u16le(tag), u16le(2), u32le(bytes.length), Buffer.alloc(4)]);
    if (bytes.length <= 4) bytes.copy(entry, 8);
    else {
      entry.writeUInt32LE(dataOffset, 8);
      data.push(bytes);
      dataOffset += bytes.length;
    }
    entries.push(entry);
  }
  const tiff = Buffer.concat([header, u16le(tags.length), ...entries, u32le(0), ...data]);
  return options.prefix === true ? Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]) : tiff;
}

export function riffChunk(type: string, data: Uint8Array): Buffer {
  const pad = data.length % 2 === 1 ? Buffer.of(0) : Buffer.alloc(0);
  return Buffer.concat([Buffer.from(type, 'latin1'), u32le(data.length), data, pad]);
}

export function webp(exif: Uint8Array | undefined): Buffer {
  const chunks = [riffChunk('VP8L', Buffer.of(0x2f, 0, 0, 0, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0))];
  if (exif !== undefined) chunks.push(riffChunk('EXIF', exif));
  const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), ...chunks]);
  return Buffer.concat([Buffer.from('RIFF', 'latin1'), u32le(body.length), body]);
}

export function vorbisComments(pairs: Array<[string, string]>): Buffer {
  const vendor = Buffer.from('test');
  const items = pairs.map(([key, value]) => {
    const text = Buffer.from(`${key}=${value}`, 'utf8');
    return Buffer.concat([u32le(text.length), text]);
  });
  return Buffer.concat([u32le(vendor.length), vendor, u32le(items.length), ...items]);
}

export function flac(pairs: Array<[string, string]>): Buffer {
  const streamInfo = Buffer.alloc(34);
  const comments = vorbisComments(pairs);
  const header = (type: number, last: boolean, length: number): Buffer => Buffer.of((last ? 0x80 : 0) | type, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff);
  return Buffer.concat([Buffer.from('fLaC'), header(0, false, 34), streamInfo, header(4, true, comments.length), comments]);
}

function oggPage(serial: number, sequence: number, packet: Buffer): Buffer {
  const lacing: number[] = [];
  let left = packet.length;
  while (left >= 255) {
    lacing.push(255);
    left -= 255;
  }
  lacing.push(left);
  const header = Buffer.alloc(27);
  header.write('OggS', 0, 'latin1');
  header.writeUInt32LE(serial, 14);
  header.writeUInt32LE(sequence, 18);
  header[26] = lacing.length;
  return Buffer.concat([header, Buffer.from(lacing), packet]);
}

export function opus(pairs: Array<[string, string]>): Buffer {
  const head = Buffer.concat([Buffer.from('OpusHead'), Buffer.alloc(11)]);
  const tags = Buffer.concat([Buffer.from('OpusTags'), vorbisComments(pairs)]);
  return Buffer.concat([oggPage(7, 0, head), oggPage(7, 1, tags)]);
}

function synchsafe(value: number): Buffer {
  return Buffer.of((value >> 21) & 0x7f, (value >> 14) & 0x7f, (value >> 7) & 0x7f, value & 0x7f);
}

export function mp3(pairs: Array<[string, string]>, version: 3 | 4 = 4): Buffer {
  const frames = pairs.map(([key, value]) => {
    const body = Buffer.concat([Buffer.of(3), Buffer.from(key, 'utf8'), Buffer.of(0), Buffer.from(value, 'utf8')]);
    return Buffer.concat([Buffer.from('TXXX'), version === 4 ? synchsafe(body.length) : u32be(body.length), Buffer.of(0, 0), body]);
  });
  const tag = Buffer.concat(frames);
  return Buffer.concat([Buffer.from('ID3'), Buffer.of(version, 0, 0), synchsafe(tag.length), tag, Buffer.of(0xff, 0xfb, 0x90, 0)]);
}

function box(type: string, ...children: Uint8Array[]): Buffer {
  const body = Buffer.concat(children);
  return Buffer.concat([u32be(body.length + 8), Buffer.from(type, 'latin1'), body]);
}

export function mp4(pairs: Array<[string, string]>): Buffer {
  const keys = box('keys', Buffer.alloc(4), u32be(pairs.length), ...pairs.map(([key]) => Buffer.concat([u32be(8 + Buffer.byteLength(key)), Buffer.from('mdta'), Buffer.from(key)])));
  const items = pairs.map(([, value], i) => {
    const data = box('data', u32be(1), u32be(0), Buffer.from(value, 'utf8'));
    const body = Buffer.concat([data]);
    return Buffer.concat([u32be(body.length + 8), u32be(i + 1), body]);
  });
  const hdlr = box('hdlr', Buffer.alloc(8), Buffer.from('mdta'), Buffer.alloc(13));
  const meta = box('meta', hdlr, keys, box('ilst', ...items));
  return Buffer.concat([box('ftyp', Buffer.from('isom'), u32be(512)), box('moov', box('mvhd', Buffer.alloc(100)), box('udta', meta)), box('mdat', Buffer.alloc(16))]);
}

/** Sizes are always written in the 8-byte form, which every EBML reader must accept. */
function ebmlSize(length: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32BE(Math.floor(length / 0x100000000), 0);
  b.writeUInt32BE(length >>> 0, 4);
  b[0] = (b[0] ?? 0) | 0x01;
  return b;
}

function element(id: number[], ...children: Uint8Array[]): Buffer {
  const body = Buffer.concat(children);
  return Buffer.concat([Buffer.from(id), ebmlSize(body.length), body]);
}

export function mkv(pairs: Array<[string, string]>): Buffer {
  const header = element([0x1a, 0x45, 0xdf, 0xa3], element([0x42, 0x82], Buffer.from('webm')));
  const tags = element(
    [0x12, 0x54, 0xc3, 0x67],
    element(
      [0x73, 0x73],
      element([0x63, 0xc0]),
      ...pairs.map(([key, value]) => element([0x67, 0xc8], element([0x45, 0xa3], Buffer.from(key)), element([0x44, 0x87], Buffer.from(value, 'utf8')))),
    ),
  );
  const info = element([0x15, 0x49, 0xa9, 0x66], element([0x2a, 0xd7, 0xb1], Buffer.of(0x0f, 0x42, 0x40)));
  return Buffer.concat([header, element([0x18, 0x53, 0x80, 0x67], info, tags)]);
}

export function safetensors(metadata: Record<string, string>): Buffer {
  const header = Buffer.from(JSON.stringify({ __metadata__: metadata, latent_tensor: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }));
  const length = Buffer.alloc(8);
  length.writeUInt32LE(header.length, 0);
  return Buffer.concat([length, header, Buffer.alloc(4)]);
}

/**
 * The file an attack used: a PNG of `bytes` (8 MB by default) made of zTXt chunks that each inflate to just under
 * the per-chunk limit (32 MB), so every chunk passes a check made chunk by chunk: 250-odd of them, 8 GB in all.
 */
export function hostilePng(bytes = 8 * 1024 * 1024): Buffer {
  const bomb = deflateSync(Buffer.alloc(32 * 1024 * 1024 - 1024, 0x20), { level: 9 });
  const chunks: Buffer[] = [];
  for (let size = 0, i = 0; size + bomb.length + 100 < bytes - 100; i++) {
    const chunk = pngChunk('zTXt', Buffer.concat([Buffer.from(`k${i}`, 'latin1'), Buffer.of(0, 0), bomb]));
    chunks.push(chunk);
    size += chunk.length;
  }
  const plain = png([]);
  // After IHDR (8 + 25 bytes), before IDAT, where writers put text chunks.
  return Buffer.concat([plain.subarray(0, 33), ...chunks, plain.subarray(33)]);
}
