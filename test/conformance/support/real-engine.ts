// The app's engine pointed at a real server, saving outputs into a folder of the test's, with timings short enough
// to notice a hung server in seconds (the defaults take a minute, which a user never waits through in a test).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Engine } from '../../../electron/core/engine.js';
import type { JobView } from '../../../electron/shared/app-state.js';
import { nextEvent, record, tempDir, type Recorder } from '../../support/events.js';

type TestContext = { after: (fn: () => Promise<void>) => void };

export const REAL_SERVER_ID = 'real';

export const REAL_TIMINGS = {
  firstRetryDelayMs: 100,
  maxRetryDelayMs: 1_000,
  stableAfterMs: 2_000,
  handshakeTimeoutMs: 10_000,
  httpTimeoutMs: 10_000,
  pingIntervalMs: 500,
  pongTimeoutMs: 1_500,
  probeIntervalMs: 1_000,
  offlineAfterMs: 3_000,
};

export interface RealEngine {
  readonly engine: Engine;
  readonly recorder: Recorder;
  readonly dataDir: string;
  readonly outputDir: string;
  /** Resolves with the job's one `job-finished`. */
  finished(id: string, timeoutMs?: number): Promise<JobView>;
  connected(timeoutMs?: number): Promise<unknown>;
  /** Resolves once the engine's view of the job matches (now or later). */
  jobReached(id: string, predicate: (job: JobView) => boolean, timeoutMs?: number): Promise<JobView>;
  stop(): Promise<void>;
}

export async function realEngine(t: TestContext, url: string, options: { dataDir?: string; outputDir?: string } = {}): Promise<RealEngine> {
  const dataDir = options.dataDir ?? (await tempDir(t, 'real-data-'));
  const outputDir = options.outputDir ?? (await tempDir(t, 'real-out-'));
  await mkdir(outputDir, { recursive: true });
  const engine = await Engine.create({
    dataDir,
    servers: [{ id: REAL_SERVER_ID, name: 'real ComfyUI', url }],
    timings: REAL_TIMINGS,
    tracker: { recheckDelayMs: 200 },
    outputs: { folder: outputDir, template: '{filename}', attempts: 3, retryDelayMs: 100, retryLaterMs: 500, retryMaxMs: 2_000 },
  });
  const recorder = record(engine.events);
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopped ??= engine.stop());
  t.after(stop);
  engine.start();
  return {
    engine,
    recorder,
    dataDir,
    outputDir,
    finished(id, timeoutMs = 60_000) {
      const known = recorder.finished.find((job) => job.id === id);
      if (known) return Promise.resolve(known);
      return nextEvent(engine.events, 'job-finished', (job) => job.id === id, timeoutMs);
    },
    jobReached(id, predicate, timeoutMs = 30_000) {
      const now = engine.job(REAL_SERVER_ID, id);
      if (now && predicate(now)) return Promise.resolve(now);
      return nextEvent(engine.events, 'job', (job) => job.id === id && predicate(job), timeoutMs);
    },
    connected(timeoutMs = 30_000) {
      if (engine.servers()[0]?.state === 'connected') return Promise.resolve();
      return nextEvent(engine.events, 'server', (server) => server.state === 'connected', timeoutMs);
    },
    stop,
  };
}

/** The files saved for a job, by name, once saving has finished. */
export async function savedFiles(real: RealEngine, id: string, timeoutMs = 30_000): Promise<{ filename: string; path: string }[]> {
  const done = (): { filename: string; path: string }[] | undefined => {
    const stage = real.engine.outputs?.saveState(REAL_SERVER_ID, id);
    return stage?.state === 'done' ? Object.values(stage.files).map((file) => ({ filename: file.path.split(/[\\/]/).pop() ?? '', path: file.path })) : undefined;
  };
  const now = done();
  if (now) return now;
  await nextEvent(real.engine.events, 'saved', (event) => event.jobId === id && done() !== undefined, timeoutMs);
  return done() ?? [];
}

export function outputPath(real: RealEngine, filename: string): string {
  return join(real.outputDir, filename);
}
