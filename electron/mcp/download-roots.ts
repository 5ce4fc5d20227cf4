// The folders MCP downloads may go to: the app's output folders (its default one and each server's own) and every
// --output-dir. A caller names a folder inside one of them (a relative path is taken inside the first); anything else
// is refused with OUTPUT_FOLDER_NOT_ALLOWED, before a byte is fetched. Links are followed by the project's path
// checks: a link inside a root that leads out of it is refused as OUTPUT_PATH_ESCAPE.
import { mkdir, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ComfyTrayError } from '../core/errors.js';
import { ensureFolderInside, isInside, realRoot } from '../core/outputs/path-safety.js';

export interface DownloadRoot {
  readonly path: string;
  /**
   * Created when missing: the app's default folder (the app creates it too) and a folder named on the command line.
   * A folder the user chose in the app's settings is never created: missing, it is a drive not plugged in.
   */
  readonly create: boolean;
}

export class DownloadRoots {
  private readonly roots: readonly DownloadRoot[];

  /** The first root is where downloads go when no folder is named, and what a relative folder is taken inside. */
  constructor(roots: readonly DownloadRoot[]) {
    if (roots.length === 0) throw new Error('DownloadRoots: at least one root');
    const unique = new Map<string, DownloadRoot>();
    for (const root of roots) {
      const path = resolve(root.path);
      if (!unique.has(path)) unique.set(path, { ...root, path });
    }
    this.roots = [...unique.values()];
  }

  /** Where downloads may go, for messages and the tools' descriptions. */
  get paths(): readonly string[] {
    return this.roots.map((root) => root.path);
  }

  /**
   * The real path of the folder to download into, created below its root when missing. `requested` is absolute, or
   * relative to the first root; undefined is the first root itself.
   */
  async folder(requested?: string): Promise<string> {
    const target = resolve(this.roots[0]!.path, requested ?? '.');
    for (const root of this.roots) {
      const rel = await relativeInside(root.path, target);
      if (rel === undefined) continue;
      if (root.create) await mkdir(root.path, { recursive: true }).catch(() => undefined);
      const rootReal = await realRoot(root.path);
      return ensureFolderInside(rootReal, rel.split(sep).filter((part) => part !== ''));
    }
    throw new ComfyTrayError(
      'OUTPUT_FOLDER_NOT_ALLOWED',
      `${target} is not inside a folder downloads may go to (${this.paths.join(', ')}); name a folder inside one of them, or start the MCP server with --output-dir`,
    );
  }
}

/** `target` relative to `root` (or to where `root` really is), when it lies inside it; undefined otherwise. */
async function relativeInside(root: string, target: string): Promise<string | undefined> {
  if (isInside(root, target)) return relative(root, target);
  const real = await realpath(root).catch(() => undefined);
  if (real !== undefined && isInside(real, target)) {
    const rel = relative(real, target);
    return isAbsolute(rel) ? undefined : rel;
  }
  return undefined;
}
