// Files handed to the app from outside the window: a drop on the macOS tray icon, "Open With" (macOS `open-file`),
// paths on the command line, or on the command line of a second launch (forwarded by the single-instance lock).
// These are paths from the operating system, read here in the main process with the same limits as a window drop.
import { basename, resolve } from 'node:path';
import { describeBytes, readUserFile } from '../core/user-file.js';
import type { DroppedFile, OpenedWorkflow } from '../shared/ipc-contract.js';

const MAX_FILE_BYTES = 256 * 1024 * 1024;

/**
 * The file arguments of a launch. `argv` is the process's: the executable, then (when run unpackaged) the app
 * path, then the user's arguments mixed with Chromium switches (`--flag`, `--flag=value`) that are never files.
 */
export function fileArguments(argv: readonly string[], cwd: string, unpackaged: boolean): string[] {
  const args = argv.slice(unpackaged ? 2 : 1);
  // `comfytray:` links come the same way on Windows and Linux: they are links, not files.
  return args.filter((arg) => arg !== '' && !arg.startsWith('-') && !/^comfytray:/i.test(arg)).map((arg) => resolve(cwd, arg));
}

/**
 * Reads each path (only regular files, at most `maxBytes` actually read); the ones that cannot be read come back as
 * failed entries the window explains.
 */
export async function readOpenedFiles(paths: readonly string[], maxBytes = MAX_FILE_BYTES): Promise<{ files: DroppedFile[]; failures: OpenedWorkflow[] }> {
  const files: DroppedFile[] = [];
  const failures: OpenedWorkflow[] = [];
  for (const path of paths) {
    const name = basename(path);
    const read = await readUserFile(path, maxBytes);
    if (read.ok) files.push({ name, bytes: read.bytes });
    else if (read.reason === 'not-a-file') failures.push({ ok: false, name, code: 'DROP_NOT_A_FILE', message: `${name} is a folder, a device or a pipe, not a workflow file` });
    else if (read.reason === 'too-large') failures.push({ ok: false, name, code: 'WORKFLOW_TOO_LARGE', message: `${name} is larger than ${describeBytes(maxBytes)} and is not read` });
    else failures.push({ ok: false, name, code: 'DROP_UNREADABLE', message: `${name} cannot be read: ${read.message}` });
  }
  return { files, failures };
}
