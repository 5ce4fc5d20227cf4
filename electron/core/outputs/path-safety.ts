// File and folder names from a ComfyUI server are untrusted text. Everything that becomes part of a path on the
// user's disk goes through here: names are made valid on every OS (a folder synced between Windows, macOS and Linux
// stays usable), and the final path is checked to stay inside the chosen folder, also after resolving links.
import { createHash } from 'node:crypto';
import { mkdir, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { ComfyTrayError } from '../errors.js';

/** Bytes per path component: the limit of ext4, APFS, NTFS (in UTF-16 units, which UTF-8 bytes never undercount). */
export const MAX_COMPONENT_BYTES = 255;
/** An extension longer than this is part of the name, not something to keep while shortening. */
const MAX_EXTENSION_CHARS = 16;
/** Folder levels a server's subfolder may add; deeper ones are folded into one. */
export const MAX_SUBFOLDER_DEPTH = 16;
/** Bytes a server's subfolder may take, so the output folder, the template's folders and the name still fit. */
export const MAX_SUBFOLDER_BYTES = 400;
/** Room kept in every output folder for the names written there: temporary files (38), the job file (45), ` (n)`. */
const NAME_ROOM = 64;
/** Room for the ` (n)` a name clash adds. */
const CLASH_ROOM = 8;
/** `_` and 16 hex digits: the folder that stands for folded levels. */
const FOLDED_LENGTH = 17;

// Illegal on Windows (and `/` everywhere), C0/C1 controls, and bidi overrides that make `evil\u202Egnp.exe` look
// like a picture.
const UNSAFE_CHARS = /[<>:"/\\|?*\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const RESERVED = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])$/i;

/** One path component, safe on every OS; `fallback` when nothing usable is left. */
export function sanitizeComponent(raw: string, fallback = '_'): string {
  let name = raw.normalize('NFC').replace(UNSAFE_CHARS, '_');
  // Leading dots hide files on Unix, and `.` / `..` walk the tree.
  name = name.replace(/^\.+/, (dots) => '_'.repeat(dots.length)).trim();
  name = truncateUtf8(name, MAX_COMPONENT_BYTES);
  // Windows silently drops trailing dots and spaces, so `a.png.` and `a.png` would be the same file there.
  name = name.replace(/[. ]+$/, '');
  // `CON`, `nul.txt`, `COM1 .png`: Windows treats the stem (up to the first dot, trailing spaces ignored) as a device.
  const stem = name.split('.', 1)[0]!.replace(/ +$/, '');
  if (RESERVED.test(stem)) name = `_${name}`;
  return name === '' ? fallback : name;
}

/**
 * A relative folder path from the server (`subfolder`): split on both separators; empty, `.` and `..` parts are
 * dropped (so `a/../b` stays below the folder as `a/b`), absolute, drive and UNC prefixes become plain names.
 * At most MAX_SUBFOLDER_DEPTH levels and MAX_SUBFOLDER_BYTES: a hostile server can nest thousands of levels.
 */
export function sanitizeSubpath(raw: string): string[] {
  const parts = raw
    .split(/[/\\]+/)
    .filter((part) => part !== '' && part !== '.' && part !== '..')
    .map((part) => sanitizeComponent(part));
  return capFolders(parts, MAX_SUBFOLDER_DEPTH, MAX_SUBFOLDER_BYTES);
}

/**
 * `parts` unchanged when they are at most `maxDepth` levels and `maxLength` long (joined by separators); otherwise
 * the leading levels that fit, then one folder named after a hash of the whole path for the rest: a distinct
 * folder for each distinct path, whatever its depth.
 */
export function capFolders(parts: readonly string[], maxDepth: number, maxLength: number, measure: (text: string) => number = utf8Bytes): string[] {
  if (parts.length <= maxDepth && measure(parts.join('/')) <= maxLength) return [...parts];
  const folded = `_${createHash('sha256').update(parts.join('/')).digest('hex').slice(0, 16)}`;
  const kept: string[] = [];
  let used = measure(folded);
  for (const part of parts) {
    const cost = measure(part) + 1;
    if (kept.length + 1 >= maxDepth || used + cost > maxLength) break;
    kept.push(part);
    used += cost;
  }
  return [...kept, folded];
}

export interface PathLimits {
  /** Longest folder path. */
  readonly folder: number;
  /** Longest file path. */
  readonly file: number;
  /** Length as the OS counts it. */
  readonly measure: (text: string) => number;
}

/**
 * Windows (without the long-path opt-in, which Explorer and most apps lack): MAX_PATH is 260 UTF-16 units with the
 * NUL, and a folder must leave room for an 8.3 name (248). Elsewhere: macOS's PATH_MAX of 1024 bytes; Linux allows
 * 4096, but a folder synced to a Mac must still open there.
 */
export function pathLimits(platform: NodeJS.Platform = process.platform): PathLimits {
  return platform === 'win32' ? { folder: 247, file: 259, measure: (text) => text.length } : { folder: 1023, file: 1023, measure: utf8Bytes };
}

/**
 * Shortens `segments` (below `root`, the last one the file name; all sanitised) so every path written there fits
 * the OS limit: folders that do not fit are folded into one hashed folder (or dropped, saving into the root), then
 * the file name is shortened, keeping its extension. When the output folder itself leaves no room this throws
 * OUTPUT_WRITE_FAILED for ENAMETOOLONG, which is not retried on a timer.
 */
export function fitPathLength(root: string, segments: readonly string[], limits: PathLimits = pathLimits()): string[] {
  const folders = segments.slice(0, -1);
  const name = segments.at(-1) ?? 'output';
  const rootLength = limits.measure(root);
  if (rootLength + 1 + NAME_ROOM > limits.file) {
    throw fsError(Object.assign(new Error(`ENAMETOOLONG: ${root}`), { code: 'ENAMETOOLONG' }), `The output folder ${root} leaves no room for file names`);
  }
  // Each folder costs its separator; the folder must leave room for any name written into it.
  const folderRoom = Math.min(limits.folder, limits.file - 1 - NAME_ROOM) - rootLength - 1;
  const fitted = folders.length === 0 ? [] : folderRoom < FOLDED_LENGTH ? [] : capFolders(folders, Number.POSITIVE_INFINITY, folderRoom, limits.measure);
  const dirLength = fitted.reduce((sum, part) => sum + 1 + limits.measure(part), rootLength);
  const nameRoom = limits.file - dirLength - 1 - CLASH_ROOM;
  const fittedName = limits.measure(name) <= nameRoom ? name : sanitizeComponent(truncateUtf8(name, nameRoom), 'output');
  return [...fitted, fittedName];
}

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text);
}

/** Splits a name into stem and extension (`.png`); dotfiles and long "extensions" have none. */
export function splitExtension(name: string): { stem: string; ext: string } {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || name.length - dot > MAX_EXTENSION_CHARS + 1 || /[\s]/.test(name.slice(dot))) return { stem: name, ext: '' };
  return { stem: name.slice(0, dot), ext: name.slice(dot) };
}

/** Shortens to at most `maxBytes` of UTF-8, cutting the stem (never inside a character) and keeping the extension. */
export function truncateUtf8(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name) <= maxBytes) return name;
  const { stem, ext } = splitExtension(name);
  const keepExt = Buffer.byteLength(ext) < maxBytes / 2 ? ext : '';
  const base = keepExt ? stem : name;
  let budget = maxBytes - Buffer.byteLength(keepExt);
  let cut = '';
  for (const char of base) {
    const size = Buffer.byteLength(char);
    if (size > budget) break;
    budget -= size;
    cut += char;
  }
  return cut + keepExt;
}

/** True when `child` is `root` or below it (both absolute, already resolved). */
export function isInside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The real path of the chosen folder; a missing folder (deleted, unplugged drive) is a coded error, never created. */
export async function realRoot(root: string): Promise<string> {
  try {
    return await realpath(resolve(root));
  } catch (error) {
    throw fsError(error, `The output folder ${root} is not available`);
  }
}

/**
 * Creates `segments` (already sanitised) below the real root and returns the folder, refusing when it would land
 * outside: checked on the nearest existing ancestor before creating anything (a link must not make us create
 * folders elsewhere), and again on the created folder.
 */
export async function ensureFolderInside(rootReal: string, segments: readonly string[]): Promise<string> {
  const target = join(rootReal, ...segments);
  if (!isInside(rootReal, target)) throw escape(target);
  const ancestor = await nearestExisting(target);
  if (!isInside(rootReal, await realpath(ancestor))) throw escape(target);
  try {
    await mkdir(target, { recursive: true });
  } catch (error) {
    throw fsError(error, `Could not create ${target}`);
  }
  const real = await realpath(target);
  if (!isInside(rootReal, real)) throw escape(target);
  return real;
}

async function nearestExisting(path: string): Promise<string> {
  for (let current = path; ; current = dirname(current)) {
    try {
      await realpath(current);
      return current;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'ENOTDIR') throw fsError(error, `Could not inspect ${current}`);
      if (dirname(current) === current) return current;
    }
  }
}

function escape(target: string): ComfyTrayError {
  return new ComfyTrayError('OUTPUT_PATH_ESCAPE', `Refused to write outside the output folder (${target})`);
}

/** A file-system error as a coded error whose code says what the user can do about it. */
export function fsError(error: unknown, what: string): ComfyTrayError {
  if (error instanceof ComfyTrayError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const detail = `${what}: ${code ?? (error instanceof Error ? error.message : String(error))}`;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
    case 'EFBIG':
      return new ComfyTrayError('OUTPUT_DISK_FULL', `${detail} (the disk is full)`, { cause: error });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new ComfyTrayError('OUTPUT_PERMISSION_DENIED', `${detail} (permission denied)`, { cause: error });
    case 'ENOENT':
    case 'ENOTDIR':
    case 'ENODEV':
    case 'ENXIO':
      return new ComfyTrayError('OUTPUT_FOLDER_MISSING', `${detail} (the folder is gone)`, { cause: error });
    case 'ENAMETOOLONG':
      return new ComfyTrayError('OUTPUT_WRITE_FAILED', `${detail} (the path is too long)`, { cause: error });
    default:
      return new ComfyTrayError('OUTPUT_WRITE_FAILED', detail, { cause: error });
  }
}
