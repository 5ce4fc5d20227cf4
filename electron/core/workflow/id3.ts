// MP3 ID3v2.3/2.4 tags; ComfyUI's SaveAudioMP3 stores prompt/workflow as TXXX frames with the key as description.
import { addEntry, damage, decodeText, newEntries, startsWith, u32be } from './bytes.js';
import type { MetadataRead, ReaderLimits } from './bytes.js';
import { normaliseKey } from './exif.js';

const latin1 = new TextDecoder('latin1');

function synchsafe(b: Uint8Array, o: number): number {
  return (((b[o] ?? 0) & 0x7f) << 21) | (((b[o + 1] ?? 0) & 0x7f) << 14) | (((b[o + 2] ?? 0) & 0x7f) << 7) | ((b[o + 3] ?? 0) & 0x7f);
}

export function readId3Metadata(bytes: Uint8Array, limits: ReaderLimits): MetadataRead {
  const entries = newEntries();
  if (!startsWith(bytes, 'ID3') || bytes.length < 10) return { entries, damage: damage('BAD_STRUCTURE', 'no ID3v2 tag') };
  const version = bytes[3] ?? 0;
  if (version !== 3 && version !== 4) return { entries };
  const tagSize = synchsafe(bytes, 6);
  const end = 10 + tagSize;
  if (end > bytes.length) return { entries, damage: damage('TRUNCATED', `ID3 tag declares ${tagSize} bytes beyond the file`) };
  let offset = 10;
  if ((bytes[5] ?? 0) & 0x40) offset += version === 4 ? synchsafe(bytes, 10) : u32be(bytes, 10) + 4;
  while (offset + 10 <= end) {
    if (bytes[offset] === 0) break;
    const id = latin1.decode(bytes.subarray(offset, offset + 4));
    const size = version === 4 ? synchsafe(bytes, offset + 4) : u32be(bytes, offset + 4);
    const start = offset + 10;
    if (size > end - start) return { entries, damage: damage('BAD_LENGTH', `ID3 frame ${id} declares ${size} bytes beyond the tag`) };
    if (id === 'TXXX' && size > 1) {
      const pair = readTxxx(bytes.subarray(start, start + size));
      if (pair !== undefined && !addEntry(entries, normaliseKey(pair[0]), pair[1], limits)) break;
    }
    offset = start + size;
  }
  return { entries };
}

function readTxxx(frame: Uint8Array): [string, string] | undefined {
  const encoding = frame[0];
  const body = frame.subarray(1);
  const wide = encoding === 1 || encoding === 2;
  let split = -1;
  for (let i = 0; i + (wide ? 1 : 0) < body.length; i += wide ? 2 : 1) {
    if (body[i] === 0 && (!wide || body[i + 1] === 0)) {
      split = i;
      break;
    }
  }
  if (split < 0) return undefined;
  const decode = (part: Uint8Array): string => decodeFrameText(part, encoding ?? 0).replace(/\0+$/, '');
  return [decode(body.subarray(0, split)), decode(body.subarray(split + (wide ? 2 : 1)))];
}

function decodeFrameText(bytes: Uint8Array, encoding: number): string {
  if (encoding === 0) return latin1.decode(bytes);
  if (encoding === 3) return decodeText(bytes);
  let start = 0;
  let bigEndian = encoding === 2;
  if (bytes[0] === 0xfe && bytes[1] === 0xff) [start, bigEndian] = [2, true];
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) [start, bigEndian] = [2, false];
  return new TextDecoder(bigEndian ? 'utf-16be' : 'utf-16le').decode(bytes.subarray(start));
}
