// The headless commands, on the same engine the app runs, with the app's data folder and server ids.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { ZodError } from 'zod';
import { isTerminal, type JobView } from '../shared/app-state.js';
import { ComfyBackend } from '../core/backends/comfyui/comfy-backend.js';
import type { ActiveJobs, RemoteJob } from '../core/comfy/remote-jobs.js';
import { resolveServer } from '../core/comfy/server-config.js';
import { Engine } from '../core/engine.js';
import { Emitter } from '../core/emitter.js';
import { ComfyTrayError, errorCode, errorMessage, firstLine } from '../core/errors.js';
import { Journal } from '../core/jobs/journal.js';
import { ServerTracker } from '../core/jobs/server-tracker.js';
import { deferSaving } from '../core/outputs/defer-save.js';
import { DataDirLockedError } from '../core/store/data-dir-lock.js';
import { appSavesOutputs, readAppSettings, resolveCliServers, type CliServer } from './app-settings.js';
import { copyDataDir, lockDataDir, type DataDirUse } from './data-dir-access.js';
import { EXIT } from './exit-codes.js';
import { connectionLine, ConnectionLineFilter, jobLine, JobLineFilter, type ServerLabel } from './json-lines.js';

export interface Io {
  readonly stdout: Writable;
  readonly stderr: Writable;
}

function print(io: Io, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value)}\n`);
}

function labels(servers: readonly CliServer[]): ServerLabel {
  const byId = new Map(servers.map((server) => [server.config.id, server.label]));
  return (id) => byId.get(id) ?? id;
}

/**
 * Runs until `stop` resolves; returns the exit code. `servers` are URLs; none means the servers the app watches.
 * Refuses (EXIT.dataDirInUse) while another process (the app, another watch) holds the data folder: two writers
 * of one journal would erase each other's records.
 */
export async function watch(
  options: { servers: readonly string[]; dataDir: string; outputDir?: string; outputTemplate?: string },
  io: Io,
  stop: Promise<void>,
): Promise<number> {
  let dataDir: DataDirUse;
  try {
    dataDir = await lockDataDir(options.dataDir, 'watch');
  } catch (error) {
    if (!(error instanceof DataDirLockedError)) throw error;
    io.stderr.write(`comfy-tray: ${error.message} [${error.code}]\n`);
    return EXIT.dataDirInUse;
  }
  try {
    return await watchLocked(options, io, stop);
  } finally {
    await dataDir.release();
  }
}

async function watchLocked(
  options: { servers: readonly string[]; dataDir: string; outputDir?: string; outputTemplate?: string },
  io: Io,
  stop: Promise<void>,
): Promise<number> {
  const { settings, warnings: settingsWarnings } = await readAppSettings(options.dataDir);
  const { servers, warnings } = resolveCliServers(options.servers, settings);
  if (servers.length === 0) throw new ComfyTrayError('CLI_USAGE', 'The app has no server switched on; give one with --server URL. Try --help.');
  // Asked for by name on the command line, so created; the saver itself never creates a missing root folder.
  if (options.outputDir !== undefined) await mkdir(options.outputDir, { recursive: true });
  const engine = await Engine.create({
    dataDir: options.dataDir,
    servers: servers.map((server) => server.config),
    // The app's bound, so this process does not trim the journal the app shares to a smaller size.
    maxJobsPerServer: settings.general.journalJobsPerServer,
    ...(options.outputDir !== undefined && {
      outputs: {
        folder: options.outputDir,
        // The command line wins; what it does not say comes from the app's settings.
        template: options.outputTemplate ?? settings.outputs.template,
        saveTemp: settings.outputs.saveTemp,
        sidecar: settings.outputs.sidecar,
        // This run's jobs are its own to finish, into this folder; the app's (those the app began saving, and those
        // a run without --output-dir left for it) are the app's to save, into the app's folder.
        owner: 'headless',
      },
    }),
  });
  // Saving nothing here: jobs this run records are left for the app to save, as it would have had it been running.
  if (options.outputDir === undefined) deferSaving(engine.events, engine.journal, (serverId) => appSavesOutputs(settings, serverId));
  const label = labels(servers);
  for (const warning of [...settingsWarnings, ...warnings, ...engine.warnings]) print(io, { event: 'warning', message: warning });
  const jobFilter = new JobLineFilter();
  const connectionFilter = new ConnectionLineFilter();
  engine.events.on('server', (server) => {
    if (connectionFilter.shouldPrint(server)) print(io, connectionLine(server));
  });
  engine.events.on('job', (job) => {
    // Terminal states are printed once, from job-finished, with the server's authoritative record.
    if (isTerminal(job.status) || !jobFilter.shouldPrint(job)) return;
    print(io, jobLine(job, false, label));
  });
  engine.events.on('job-finished', (job) => {
    jobFilter.forget(job);
    print(io, jobLine(job, true, label));
  });
  const server = (serverId: string): { server: string; serverId: string } => ({ server: label(serverId), serverId });
  engine.events.on('digest', ({ serverId, jobs }) => print(io, { event: 'digest', ...server(serverId), finished: jobs.length, ids: jobs.map((j) => j.id) }));
  engine.events.on('warning', (w) => print(io, { event: 'warning', ...server(w.serverId), code: w.code, message: w.message }));
  engine.events.on('saved', (e) => print(io, { event: 'saved', ...server(e.serverId), id: e.jobId, files: e.files, ...(e.sidecar !== undefined && { sidecar: e.sidecar }) }));
  engine.events.on('save-failed', (e) => print(io, { event: 'save-failed', ...server(e.serverId), id: e.jobId, code: e.code, reason: e.reason, pending: e.pending }));
  // Saving the job is over without every file (the server no longer has some, or refuses their names): what is on
  // disk, and how many files are not.
  engine.outputs?.events.on('save-given-up', (e) =>
    print(io, { event: 'save-given-up', ...server(e.serverId), id: e.jobId, code: e.code, reason: e.reason, missing: e.missing, files: e.files }),
  );
  engine.start();
  await stop;
  await engine.stop();
  return EXIT.ok;
}

/**
 * Prints one job as the server knows it (exit 0). When the server does not know it, exit 1, printing the journal's
 * copy (marked `"source":"journal"`) if there is one; when the server cannot be asked, the same with exit 3.
 * Reads the journal from a private copy: it may run while the app or a watch holds the data folder.
 */
export async function status(options: { server: string; jobId: string; dataDir: string }, io: Io): Promise<number> {
  const { settings, warnings: settingsWarnings } = await readAppSettings(options.dataDir);
  const { servers, warnings } = resolveCliServers([options.server], settings);
  const target = servers[0]!;
  const label = labels(servers);
  for (const warning of [...settingsWarnings, ...warnings]) io.stderr.write(`warning: ${warning}\n`);
  const snapshot = await copyDataDir(options.dataDir);
  try {
    const { journal } = await Journal.open(join(snapshot.dir, 'journal.json'));
    const backend = new AnswerNotingBackend(resolveServer(target.config), journal, options.jobId);
    const tracker = new ServerTracker(backend, journal, new Emitter());
    const fromJournal = (): Record<string, unknown> | undefined => {
      const copy = tracker.job(options.jobId);
      return copy && { ...jobLine(copy, isTerminal(copy.status), label), source: 'journal' };
    };
    try {
      await backend.probe();
      const job: JobView | undefined = await tracker.lookup(options.jobId);
      if (job && backend.serverKnowsJob) {
        print(io, { ...jobLine(job, isTerminal(job.status), label), source: 'server' });
        return EXIT.ok;
      }
      print(io, fromJournal() ?? { event: 'not-found', server: target.label, serverId: target.config.id, id: options.jobId });
      return EXIT.failed;
    } catch (error) {
      // Whatever stopped the server from being asked (unreachable, refused, an answer that does not parse) is not
      // "the server does not know the job". Anything else is a bug here, not the server's doing.
      const failure = askingFailed(error);
      if (failure === undefined) throw error;
      const { code, message } = failure;
      print(io, fromJournal() ?? { event: 'unavailable', server: target.label, serverId: target.config.id, id: options.jobId, code });
      io.stderr.write(`comfy-tray: ${target.label}: ${message} [${code}]\n`);
      return EXIT.serverUnavailable;
    } finally {
      await backend.stop();
    }
  } finally {
    await snapshot.release();
  }
}

/**
 * Why asking the server failed, as one line: an error of the connection or the server (a COMFY_* code), or an answer
 * that does not parse as ComfyUI's (not JSON, or not the shape it sends). Undefined for anything else: a bug, which
 * must not pass for an unreachable server.
 */
export function askingFailed(error: unknown): { code: string; message: string } | undefined {
  const code = errorCode(error);
  if (code !== undefined) return code.startsWith('COMFY_') ? { code, message: errorMessage(error) } : undefined;
  if (!(error instanceof ZodError) && !(error instanceof SyntaxError)) return undefined;
  const detail = error instanceof ZodError ? zodIssue(error) : firstLine(errorMessage(error));
  return { code: 'COMFY_BAD_RESPONSE', message: `its answer is not what ComfyUI sends${detail ? ` (${detail})` : ''}` };
}

function zodIssue(error: ZodError): string {
  const issue = error.issues[0];
  if (!issue) return '';
  return firstLine(`${issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : ''}${issue.message}`, 200);
}

/**
 * The stock backend, noting whether the server itself listed or returned the job: the tracker's lookup falls back
 * to the journal's copy, and only the server's own answer makes `status` succeed.
 */
class AnswerNotingBackend extends ComfyBackend {
  serverKnowsJob = false;

  constructor(
    server: ConstructorParameters<typeof ComfyBackend>[0],
    clientIds: ConstructorParameters<typeof ComfyBackend>[1],
    private readonly jobId: string,
  ) {
    super(server, clientIds);
  }

  override async listActive(): Promise<ActiveJobs> {
    const active = await super.listActive();
    if ([...active.running, ...active.pending].some((job) => job.id === this.jobId)) this.serverKnowsJob = true;
    return active;
  }

  override async lookup(id: string): Promise<RemoteJob | undefined> {
    const record = await super.lookup(id);
    if (record !== undefined && id === this.jobId) this.serverKnowsJob = true;
    return record;
  }
}
