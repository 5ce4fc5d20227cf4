// Tray icons drawn in code (a filled ring whose colour says the state), encoded as PNG. Pure, so it is tested in
// Node and the same function can write the icon files into resources/.
import { deflateSync } from 'node:zlib';
import type { TrayIconState } from './tray-model.js';

const COLOURS: Record<TrayIconState, readonly [number, number, number]> = {
  idle: [120, 130, 145],
  running: [46, 160, 90],
  attention: [220, 120, 20],
  offline: [170, 60, 60],
};

export function trayIconPng(state: TrayIconState, size: number): Buffer {
  const [r, g, b] = COLOURS[state];
  const rows: Buffer[] = [];
  const centre = (size - 1) / 2;
  const outer = size / 2 - 0.5;
  const inner = outer * 0.45;
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - centre, y - centre);
      const alpha = d <= outer && d >= inner ? 255 : 0;
      row.set([r, g, b, alpha], 1 + x * 4);
    }
    rows.push(row);
  }
  return encodePng(size, size, Buffer.concat(rows));
}

function encodePng(width: number, height: number, filteredRows: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(filteredRows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
