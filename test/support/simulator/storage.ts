// The server's output/temp/input folders, kept in the public `outputs` map keyed `${type}/${subfolder}/${filename}`.
import { posix } from 'node:path';

export const OUTPUT_DIR = '/srv/comfyui/out';

/** When each stored file was written, in ms with sub-ms precision: /view's ETag and Last-Modified come from it. */
const modified = new WeakMap<Buffer, number>();

/**
 * Marks `data` as written at `mtimeMs` and returns it. Files a test puts straight into `sim.outputs` count as written
 * when /view first sees them; this sets the time explicitly, e.g. to replace a file "later".
 */
export function modifiedAt(data: Buffer, mtimeMs: number): Buffer {
  modified.set(data, mtimeMs);
  return data;
}

export class OutputStore {
  /** What SimOutput writes for a file of this name instead of its placeholder (real media for viewer tests). */
  readonly contents = new Map<string, Buffer>();

  constructor(readonly files: Map<string, Buffer>) {}

  static key(type: string, subfolder: string, filename: string): string {
    return `${type}/${subfolder}/${filename}`;
  }

  put(type: string, subfolder: string, filename: string, data: Buffer): void {
    this.files.set(OutputStore.key(type, subfolder, filename), modifiedAt(data, performance.timeOrigin + performance.now()));
  }

  get(type: string, subfolder: string, filename: string): Buffer | undefined {
    return this.files.get(OutputStore.key(type, subfolder, filename));
  }

  /** The file and its modification time (os.stat's st_mtime, in ms). */
  stat(type: string, subfolder: string, filename: string): { data: Buffer; mtimeMs: number } | undefined {
    const data = this.get(type, subfolder, filename);
    if (!data) return undefined;
    let mtimeMs = modified.get(data);
    if (mtimeMs === undefined) modifiedAt(data, (mtimeMs = performance.timeOrigin + performance.now()));
    return { data, mtimeMs };
  }

  /** folder_paths.annotated_filepath + exists: "name.png [output]" style names, default folder input. */
  existsAnnotated(name: string): boolean {
    let type = 'input';
    let rest = name;
    const match = /^(.*) \[(output|input|temp)\]$/.exec(name);
    if (match) {
      rest = match[1]!;
      type = match[2]!;
    }
    const dir = posix.dirname(rest);
    return this.files.has(OutputStore.key(type, dir === '.' ? '' : dir, posix.basename(rest))) || (type === 'input' && rest === 'example.png');
  }

  /** get_save_image_path's counter: highest existing `<prefix>_NNNNN_` in that folder, plus one. */
  nextCounter(type: string, subfolder: string, filenamePrefix: string): number {
    const folder = `${type}/${subfolder}/`;
    const prefixLen = filenamePrefix.length;
    let best = 0;
    for (const key of this.files.keys()) {
      if (!key.startsWith(folder)) continue;
      const file = key.slice(folder.length);
      if (file.includes('/')) continue;
      const head = file.slice(0, prefixLen + 1);
      if (head.slice(0, -1).toLowerCase() !== filenamePrefix.toLowerCase() || head.slice(-1) !== '_') continue;
      const digits = Number.parseInt(file.slice(prefixLen + 1).split('_')[0] ?? '', 10);
      const value = /^\d+$/.test(file.slice(prefixLen + 1).split('_')[0] ?? '') ? digits : 0;
      best = Math.max(best, value);
    }
    return best + 1;
  }

  /** The temp folder is wiped at every server start. */
  clearTemp(): void {
    for (const key of [...this.files.keys()]) if (key.startsWith('temp/')) this.files.delete(key);
  }
}

export interface SavePath {
  subfolder: string;
  filename: string;
}

/**
 * folder_paths.get_save_image_path: resolves a filename prefix (may contain a sub-path and %width%-style tokens)
 * inside the output folder, or throws the server's "Saving image outside the output folder" error text.
 */
export function resolveSavePath(filenamePrefix: string, width: number, height: number): SavePath {
  let prefix = filenamePrefix;
  if (prefix.includes('%')) {
    const now = new Date();
    const pad = (n: number): string => String(n).padStart(2, '0');
    prefix = prefix
      .replaceAll('%width%', String(width))
      .replaceAll('%height%', String(height))
      .replaceAll('%year%', String(now.getFullYear()))
      .replaceAll('%month%', pad(now.getMonth() + 1))
      .replaceAll('%day%', pad(now.getDate()))
      .replaceAll('%hour%', pad(now.getHours()))
      .replaceAll('%minute%', pad(now.getMinutes()))
      .replaceAll('%second%', pad(now.getSeconds()));
  }
  const normalized = posix.normalize(prefix);
  const subfolder = posix.dirname(normalized) === '.' ? '' : posix.dirname(normalized);
  const filename = posix.basename(normalized);
  const full = posix.resolve(OUTPUT_DIR, subfolder);
  if (full !== OUTPUT_DIR && !full.startsWith(`${OUTPUT_DIR}/`)) {
    const common = commonPath(OUTPUT_DIR, full);
    throw new Error(
      `**** ERROR: Saving image outside the output folder is not allowed.\n full_output_folder: ${full}\n         output_dir: ${OUTPUT_DIR}\n         commonpath: ${common}`,
    );
  }
  return { subfolder, filename };
}

function commonPath(a: string, b: string): string {
  const pa = a.split('/');
  const pb = b.split('/');
  const out: string[] = [];
  for (let i = 0; i < Math.min(pa.length, pb.length) && pa[i] === pb[i]; i++) out.push(pa[i]!);
  return out.join('/') || '/';
}
