// Where the app's log lines go when it runs as a tray app: one file in the log folder the user can open from
// Settings, rotated by size so a chatty week cannot fill a disk (the current file plus one previous). Written
// synchronously: lines are few (warnings and state changes), and a line written before a crash is the useful one.
import { closeSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { LogSink } from './logger.js';

export const LOG_FILE_NAME = 'comfy-tray.log';
const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;

export interface LogFile {
  readonly sink: LogSink;
  readonly path: string;
  /** Flushes and closes the file. */
  close(): Promise<void>;
}

export function openLogFile(folder: string, maxBytes = DEFAULT_MAX_BYTES): LogFile {
  mkdirSync(folder, { recursive: true });
  const path = join(folder, LOG_FILE_NAME);
  const previous = join(folder, LOG_FILE_NAME.replace(/\.log$/, '.1.log'));
  let size = sizeOf(path);
  let fd: number | undefined = open(path);

  const sink: LogSink = ({ level, name, message, details }) => {
    const line = `[${new Date().toISOString()}] ${level.toUpperCase()} ${name}: ${message}${details ? ` ${stringify(details)}` : ''}\n`;
    const bytes = Buffer.byteLength(line);
    if (size + bytes > maxBytes && size > 0) {
      if (fd !== undefined) closeSync(fd);
      try {
        renameSync(path, previous);
      } catch {
        // Another process holds it (Windows): keep appending to the same file rather than lose lines.
      }
      fd = open(path);
      size = sizeOf(path);
    }
    if (fd === undefined) return;
    try {
      writeSync(fd, line);
      size += bytes;
    } catch {
      // A full or vanished disk must never take the app down with it: the line is dropped.
    }
  };
  return {
    sink,
    path,
    close: async () => {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

function open(path: string): number | undefined {
  try {
    return openSync(path, 'a');
  } catch {
    return undefined;
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function stringify(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return '[unserialisable]';
  }
}
