// Writes every icon in resources/ from electron/shell/tray-icons.ts (run: node --import tsx scripts/make-icons.ts).
// A test checks the committed files are what this script writes.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { appIconFile, trayIconFiles } from '../electron/shell/tray-icons.js';

for (const file of [...trayIconFiles(), appIconFile()]) {
  const path = join('resources', file.path);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, file.bytes);
}
console.log('icons written to resources/');
