// The headless commands, on the same engine the app runs.
import type { Writable } from 'node:stream';
import { isTerminal } from '../shared/app-state.js';
import { ComfyBackend } from '../core/comfy/comfy-backend.js';
import { resolveServer, serverIdForUrl } from '../core/comfy/server-config.js';
import { Engine } from '../core/engine.js';
import { Journal } from '../core/jobs/journal.js';
import { ServerTracker } from '../core/jobs/server-tracker.js';
import { Emitter } from '../core/emitter.js';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { connectionLine, jobLine, JobLineFilter } from './json-lines.js';

export interface Io {
  readonly stdout: Writable;
  readonly stderr: Writable;
}

function print(io: Io, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Runs until `stop` resolves; returns the exit code. */
export async function watch(
  options: { servers: readonly string[]; dataDir: string; outputDir?: string; outputTemplate?: string },
  io: Io,
  stop: Promise<void>,
): Promise<number> {
  // Asked for by name on the command line, so created; the saver itself never creates a missing root folder.
  if (options.outputDir !== undefined) await mkdir(options.outputDir, { recursive: true });
  const engine = await Engine.create({
    dataDir: options.dataDir,
    servers: options.servers.map((url) => ({ id: serverIdForUrl(url), name: serverIdForUrl(url), url })),
    ...(options.outputDir !== undefined && {
      outputs: { folder: options.outputDir, ...(options.outputTemplate !== undefined && { template: options.outputTemplate }) },
    }),
  });
  for (const warning of engine.warnings) print(io, { event: 'warning', message: warning });
  const filter = new JobLineFilter();
  const lastConnection = new Map<string, string>();
  engine.events.on('server', (server) => {
    // One line per change of state, version or error kind; not one per retry of the same outage.
    const signature = JSON.stringify([server.state, server.version, server.lastError?.code]);
    if (lastConnection.get(server.id) === signature) return;
    lastConnection.set(server.id, signature);
    print(io, connectionLine(server));
  });
  engine.events.on('job', (job) => {
    // Terminal states are printed once, from job-finished, with the server's authoritative record.
    if (isTerminal(job.status) || !filter.shouldPrint(job)) return;
    print(io, jobLine(job, false));
  });
  engine.events.on('job-finished', (job) => {
    filter.forget(job);
    print(io, jobLine(job, true));
  });
  engine.events.on('digest', ({ serverId, jobs }) => print(io, { event: 'digest', server: serverId, finished: jobs.length, ids: jobs.map((j) => j.id) }));
  engine.events.on('warning', (w) => print(io, { event: 'warning', server: w.serverId, code: w.code, message: w.message }));
  engine.events.on('saved', (e) => print(io, { event: 'saved', server: e.serverId, id: e.jobId, files: e.files, ...(e.sidecar !== undefined && { sidecar: e.sidecar }) }));
  engine.events.on('save-failed', (e) => print(io, { event: 'save-failed', server: e.serverId, id: e.jobId, code: e.code, reason: e.reason, pending: e.pending }));
  engine.start();
  await stop;
  await engine.stop();
  return 0;
}

/** Prints one job as the server knows it; 1 when it does not. */
export async function status(options: { server: string; jobId: string; dataDir: string }, io: Io): Promise<number> {
  const serverId = serverIdForUrl(options.server);
  // Read-only use of the journal: it tells which jobs were ours; nothing is written back.
  const { journal } = await Journal.open(join(options.dataDir, 'journal.json'));
  const backend = new ComfyBackend(resolveServer({ id: serverId, name: serverId, url: options.server }), journal);
  try {
    await backend.probe();
    const tracker = new ServerTracker(backend, journal, new Emitter());
    const job = await tracker.lookup(options.jobId);
    if (!job) {
      print(io, { event: 'not-found', server: serverId, id: options.jobId });
      return 1;
    }
    print(io, jobLine(job, isTerminal(job.status)));
    return 0;
  } finally {
    await backend.stop();
  }
}
