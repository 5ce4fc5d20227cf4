import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { crc32 } from '../../electron/core/crc32.js';
import { trayIconPng } from '../../electron/shell/icon-png.js';
import { appIconFile, TRAY_ICON_NAMES, trayIconFiles } from '../../electron/shell/tray-icons.js';

function assertValidPng(png: Buffer): void {
  assert.equal(png.subarray(0, 8).toString('hex'), '89504e470d0a1a0a');
  let offset = 8;
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    assert.equal(png.readUInt32BE(offset + 8 + length), crc32(png.subarray(offset + 4, offset + 8 + length)));
    offset += 12 + length;
  }
  assert.equal(offset, png.length);
}

test('the committed icons in resources/ are exactly what scripts/make-icons.ts writes', async () => {
  for (const file of [...trayIconFiles(), appIconFile()]) {
    assert.ok((await readFile(join('resources', file.path))).equals(file.bytes), `${file.path} is stale: run node --import tsx scripts/make-icons.ts`);
  }
});

test('every state has macOS template (@1x, @2x), Windows .ico and Linux PNGs, all valid', () => {
  const files = trayIconFiles();
  for (const name of TRAY_ICON_NAMES) {
    for (const path of [`tray/mac/${name}Template.png`, `tray/mac/${name}Template@2x.png`, `tray/linux/${name}.png`, `tray/linux/${name}@2x.png`]) {
      const file = files.find((f) => f.path === path);
      assert.ok(file, path);
      assertValidPng(file.bytes);
    }
    const ico = files.find((f) => f.path === `tray/win/${name}.ico`)!.bytes;
    assert.equal(ico.readUInt16LE(2), 1, 'icon type');
    assert.equal(ico.readUInt16LE(4), 4, 'four sizes');
    assertValidPng(ico.subarray(ico.readUInt32LE(6 + 12), ico.readUInt32LE(6 + 12) + ico.readUInt32LE(6 + 8)));
  }
});

test('template images are valid PNGs; progress icons differ by step', () => {
  const template = trayIconPng('running-5', 16, 'template');
  assertValidPng(template);
  assert.notDeepEqual(trayIconPng('running-3', 32), trayIconPng('running-4', 32));
});
