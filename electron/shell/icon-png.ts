// Tray icons drawn in code, so every state and platform variant comes from one definition: a ring whose colour
// and fill say the state (a progress arc in ten steps while running). `template` draws black on transparent, as
// macOS menu bar template images must be. Pure, tested in Node; scripts/make-icons.ts writes the files.
import { deflateSync } from 'node:zlib';
import { crc32 } from '../core/crc32.js';
import type { TrayIconName } from './tray-model.js';

export type IconStyle = 'color' | 'template';

type Rgb = readonly [number, number, number];

const GREEN: Rgb = [46, 160, 90];
const GREY: Rgb = [128, 136, 150];
const ORANGE: Rgb = [230, 126, 20];
const RED: Rgb = [200, 60, 60];
const BLACK: Rgb = [0, 0, 0];

interface Shape {
  readonly ring: Rgb;
  /** Fraction of the ring drawn in `ring` from 12 o'clock clockwise; the rest is a faint track. */
  readonly arc: number;
  readonly mark?: 'dot' | 'pause' | 'cross';
}

function shapeOf(name: TrayIconName): Shape {
  if (name.startsWith('running-')) return { ring: GREEN, arc: Math.max(0.05, Number(name.slice('running-'.length)) / 10) };
  switch (name) {
    case 'attention':
      return { ring: ORANGE, arc: 1, mark: 'dot' };
    case 'offline':
      return { ring: RED, arc: 1, mark: 'cross' };
    case 'paused':
      return { ring: GREY, arc: 1, mark: 'pause' };
    default:
      return { ring: GREY, arc: 1 };
  }
}

export function trayIconPng(name: TrayIconName, size: number, style: IconStyle = 'color'): Buffer {
  const shape = shapeOf(name);
  const colour = style === 'template' ? BLACK : shape.ring;
  const rows: Buffer[] = [];
  const c = (size - 1) / 2;
  const outer = size / 2 - 0.5;
  const inner = outer * 0.62;
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) {
      const dx = x - c;
      const dy = y - c;
      const d = Math.hypot(dx, dy);
      let alpha = 0;
      if (d <= outer && d >= inner) {
        const angle = (Math.atan2(dx, -dy) / (2 * Math.PI) + 1) % 1;
        alpha = angle <= shape.arc ? 255 : 70;
      } else if (d < inner * 0.8 && markCovers(shape.mark, dx / inner, dy / inner)) {
        alpha = 255;
      }
      row.set([colour[0], colour[1], colour[2], alpha], 1 + x * 4);
    }
    rows.push(row);
  }
  return encodePng(size, size, Buffer.concat(rows));
}

function markCovers(mark: Shape['mark'], u: number, v: number): boolean {
  switch (mark) {
    case 'dot':
      return Math.hypot(u, v) < 0.4;
    case 'pause':
      return Math.abs(v) < 0.45 && Math.abs(Math.abs(u) - 0.25) < 0.12;
    case 'cross':
      return Math.abs(u) < 0.5 && Math.abs(v) < 0.5 && (Math.abs(u - v) < 0.16 || Math.abs(u + v) < 0.16);
    default:
      return false;
  }
}

/** A Windows .ico holding PNG images (supported since Vista). */
export function icoFromPngs(images: readonly { size: number; png: Buffer }[]): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = 6 + 16 * images.length;
  const entries = images.map(({ size, png }) => {
    const entry = Buffer.alloc(16);
    entry.writeUInt8(size >= 256 ? 0 : size, 0);
    entry.writeUInt8(size >= 256 ? 0 : size, 1);
    entry.writeUInt16LE(1, 4);
    entry.writeUInt16LE(32, 6);
    entry.writeUInt32LE(png.length, 8);
    entry.writeUInt32LE(offset, 12);
    offset += png.length;
    return entry;
  });
  return Buffer.concat([header, ...entries, ...images.map((image) => image.png)]);
}

function encodePng(width: number, height: number, filteredRows: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(filteredRows, { level: 9 })),
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
