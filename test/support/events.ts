// Waiting on events instead of sleeping, and recording what an engine announced.
import type { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Emitter } from '../../electron/core/emitter.js';
import type { EngineEvents } from '../../electron/core/engine.js';
import type { JobView } from '../../electron/shared/app-state.js';

export function nextEvent<E extends { [K in keyof E]: unknown }, K extends keyof E>(
  emitter: Emitter<E>,
  event: K,
  predicate: (payload: E[K]) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<E[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${String(event)}`));
    }, timeoutMs);
    const off = emitter.on(event, (payload) => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

export interface Recorder {
  readonly finished: JobView[];
  readonly jobs: JobView[];
  readonly digests: { serverId: string; jobs: readonly JobView[] }[];
  readonly removed: { serverId: string; id: string }[];
  finishedIds(): string[];
}

export function record(events: Emitter<EngineEvents>): Recorder {
  const rec: Recorder = {
    finished: [],
    jobs: [],
    digests: [],
    removed: [],
    finishedIds: () => rec.finished.map((job) => job.id),
  };
  events.on('job-finished', (job) => rec.finished.push(job));
  events.on('job', (job) => rec.jobs.push(job));
  events.on('digest', (digest) => rec.digests.push(digest));
  events.on('job-removed', (removed) => rec.removed.push(removed));
  return rec;
}

/**
 * A fresh folder for one test. All of a test file's folders live under one root removed when the process exits:
 * `after` hooks run in registration order, so a folder removed by its own hook could be written again by an
 * engine stopped in a later hook.
 */
export async function tempDir(t: { after: (fn: () => Promise<void>) => void }, prefix = 'comfy-tray-'): Promise<string> {
  const dir = await mkdtemp(join(processRoot(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true, maxRetries: 5 }));
  return dir;
}

let root: string | undefined;

function processRoot(): string {
  if (root === undefined) {
    const created = mkdtempSync(join(tmpdir(), 'comfy-tray-test-'));
    root = created;
    process.once('exit', () => rmSync(created, { recursive: true, force: true }));
  }
  return root;
}

/** The same for a Node EventEmitter (the simulator's). */
export function nextNodeEvent<T>(
  emitter: EventEmitter,
  event: string,
  predicate: (payload: T) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const listener = (payload: T): void => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(payload);
    };
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${event}`));
    }, timeoutMs);
    emitter.on(event, listener);
  });
}
