// The folder the app saves outputs into when its settings name none: "Comfy Tray" in the user's Pictures folder. The
// app asks Electron for that folder; processes without Electron (the MCP server run from the command line) find it
// the way Electron does: the XDG user-dirs file on Linux (a German desktop has ~/Bilder), ~/Pictures elsewhere.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { PRODUCT_NAME } from '../store/data-dir.js';

export function defaultOutputFolder(pictures: string = picturesFolder()): string {
  return join(pictures, PRODUCT_NAME);
}

export function picturesFolder(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  if (platform === 'linux') {
    const config = env.XDG_CONFIG_HOME || join(home, '.config');
    const fromUserDirs = xdgPictures(readText(join(config, 'user-dirs.dirs')), home);
    if (fromUserDirs !== undefined) return fromUserDirs;
  }
  return join(home, 'Pictures');
}

/** `XDG_PICTURES_DIR="$HOME/Bilder"` from a user-dirs file; only `$HOME/...` or absolute values, as xdg-user-dirs writes. */
export function xdgPictures(text: string | undefined, home: string): string | undefined {
  const match = text === undefined ? null : /^\s*XDG_PICTURES_DIR\s*=\s*"([^"]*)"\s*$/m.exec(text);
  const value = match?.[1];
  if (value === undefined || value === '' || value === '$HOME' || value === '$HOME/') return undefined;
  if (value.startsWith('$HOME/')) return join(home, value.slice('$HOME/'.length));
  return isAbsolute(value) ? value : undefined;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').slice(0, 64 * 1024);
  } catch {
    return undefined;
  }
}
