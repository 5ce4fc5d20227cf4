// The headless commands, on the same engine the app runs, with the app's data folder and server ids.
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { ZodError } from 'zod';
import { isTerminal, type JobView } from '../shared/app-state.js';
import { createBackend } from '../core/backends/create-backend.js';
import type { ActiveJobs, RemoteJob } from '../core/comfy/remote-jobs.js';
import { Engine } from '../core/engine.js';
import { Emitter } from '../core/emitter.js';
import { ComfyTrayError, errorCode, errorMessage, firstLine } from '../core/errors.js';
import type { JobBackend } from '../core/jobs/backend.js';
import { Journal } from '../core/jobs/journal.js';
import { ServerTracker } from '../core/jobs/server-tracker.js';
import { deferSaving } from '../core/outputs/defer-save.js';
import { checkOutputFolder, systemPlaces } from '../core/outputs/output-folder-policy.js';
import { DataDirLockedError } from '../core/store/data-dir-lock.js';
import { outputLimits } from '../core/store/settings-schema.js';
import { appSavesOutputs, hostedServer, readAppSettings, resolveCliServers, type CliServer } from './app-settings.js';
import type { HostedKind } from './args.js';
import { hostedSecret } from './secrets.js';
import { copyDataDir, lockDataDir, type DataDirUse } from './data-dir-access.js';
import { EXIT } from './exit-codes.js';
import { connectionLine, ConnectionLineFilter, jobLine, JobLineFilter, jsonLine, savedFileLine, type ServerKindOf, type ServerLabel } from './json-lines.js';

export interface Io {
  readonly stdout: Writable;
  readonly stderr: Writable;
}

function print(io: Io, value: unknown): void {
  io.stdout.write(`${jsonLine(value)}\n`);
}

function labels(servers: readonly CliServer[]): ServerLabel {
  const byId = new Map(servers.map((server) => [server.config.id, server.label]));
  return (id) => byId.get(id) ?? id;
}

function kinds(servers: readonly CliServer[]): ServerKindOf {
  const byId = new Map(servers.map((server) => [server.config.id, server.config.kind ?? 'comfyui']));
  return (id) => byId.get(id);
}

/** The environment the secrets are read from (the process's own; tests give theirs). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** What a watch follows: ComfyUI URLs, a Comfy Cloud account, ComfyControl runs; none at all means the app's servers. */
export interface WatchTargets {
  readonly servers: readonly string[];
  readonly cloud?: string;
  readonly comfyControl?: { readonly url: string; readonly runs: readonly string[] };
}

/** The servers of a watch (and of the mcp command), with the hosted ones' secrets from the environment (CLI_USAGE when one is missing). */
export function watchServers(targets: WatchTargets, settings: Parameters<typeof resolveCliServers>[1], env: Environment): { servers: CliServer[]; warnings: string[] } {
  const named = targets.servers.length > 0 || targets.cloud !== undefined || targets.comfyControl !== undefined;
  const available: Partial<Record<HostedKind, string>> = {};
  for (const kind of ['comfy-cloud', 'comfycontrol'] as const) {
    try {
      available[kind] = hostedSecret(kind, env);
    } catch {
      // Only an error for a service named on this command line (below); the app's own get a warning.
    }
  }
  if (!named) return resolveCliServers([], settings, available);
  const { servers, warnings } = targets.servers.length > 0 ? resolveCliServers(targets.servers, settings) : { servers: [], warnings: [] };
  if (targets.cloud !== undefined) servers.push(hostedServer('comfy-cloud', targets.cloud, hostedSecret('comfy-cloud', env), settings));
  if (targets.comfyControl !== undefined) servers.push(hostedServer('comfycontrol', targets.comfyControl.url, hostedSecret('comfycontrol', env), settings));
  return { servers, warnings };
}

/**
 * Runs until `stop` resolves; returns the exit code. `servers` are URLs; none means the servers the app watches.
 * Refuses (EXIT.dataDirInUse) while another process (the app, another watch) holds the data folder: two writers
 * of one journal would erase each other's records.
 */
export type WatchOptions = WatchTargets & { readonly dataDir: string; readonly outputDir?: string; readonly outputTemplate?: string; readonly env?: Environment };

export async function watch(options: WatchOptions, io: Io, stop: Promise<void>): Promise<number> {
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

async function watchLocked(options: WatchOptions, io: Io, stop: Promise<void>): Promise<number> {
  const { settings, warnings: settingsWarnings } = await readAppSettings(options.dataDir);
  const { servers, warnings } = watchServers(options, settings, options.env ?? {});
  if (servers.length === 0) throw new ComfyTrayError('CLI_USAGE', 'The app has no server switched on; give one with --server URL. Try --help.');
  if (options.outputDir !== undefined) {
    // Never a system folder (autostart, binaries, the data folder, a drive root, the home folder), as in the app.
    const problem = await checkOutputFolder(resolve(options.outputDir), systemPlaces(options.dataDir));
    if (problem !== undefined) throw new ComfyTrayError('CLI_USAGE', `--output-dir: outputs cannot be saved there: ${problem}`);
    // Asked for by name on the command line, so created; the saver itself never creates a missing root folder.
    await mkdir(options.outputDir, { recursive: true });
  }
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
        ...outputLimits(settings),
        // This run's jobs are its own to finish, into this folder; the app's (those the app began saving, and those
        // a run without --output-dir left for it) are the app's to save, into the app's folder.
        owner: 'headless',
      },
    }),
  });
  // Saving nothing here: jobs this run records are left for the app to save, as it would have had it been running.
  if (options.outputDir === undefined) deferSaving(engine.events, engine.journal, (serverId) => appSavesOutputs(settings, serverId));
  const label = labels(servers);
  const kindOf = kinds(servers);
  for (const warning of [...settingsWarnings, ...warnings, ...engine.warnings]) print(io, { event: 'warning', message: warning });
  const jobFilter = new JobLineFilter();
  const connectionFilter = new ConnectionLineFilter();
  engine.events.on('server', (server) => {
    if (connectionFilter.shouldPrint(server)) print(io, connectionLine(server));
  });
  engine.events.on('job', (job) => {
    // Terminal states are printed once, from job-finished, with the server's authoritative record.
    if (isTerminal(job.status) || !jobFilter.shouldPrint(job)) return;
    print(io, jobLine(job, false, label, kindOf));
  });
  engine.events.on('job-finished', (job) => {
    jobFilter.forget(job);
    print(io, jobLine(job, true, label, kindOf));
  });
  const server = (serverId: string): { server: string; serverId: string } => ({ server: label(serverId), serverId });
  engine.events.on('digest', ({ serverId, jobs }) => print(io, { event: 'digest', ...server(serverId), finished: jobs.length, ids: jobs.map((j) => j.id) }));
  engine.events.on('warning', (w) => print(io, { event: 'warning', ...server(w.serverId), code: w.code, message: w.message }));
  engine.events.on('saved', (e) => print(io, { event: 'saved', ...server(e.serverId), id: e.jobId, files: e.files.map(savedFileLine), ...(e.sidecar !== undefined && { sidecar: e.sidecar }) }));
  engine.events.on('save-failed', (e) => print(io, { event: 'save-failed', ...server(e.serverId), id: e.jobId, code: e.code, reason: e.reason, pending: e.pending }));
  // Saving the job is over without every file (the server no longer has some, or refuses their names): what is on
  // disk, and how many files are not.
  engine.outputs?.events.on('save-given-up', (e) =>
    print(io, { event: 'save-given-up', ...server(e.serverId), id: e.jobId, code: e.code, reason: e.reason, missing: e.missing, files: e.files.map(savedFileLine) }),
  );
  engine.start();
  await followRuns(engine, options, servers);
  await stop;
  await engine.stop();
  return EXIT.ok;
}

/** ComfyControl runs to follow: added once the engine runs (read once the service answers; an id it does not know ends failed). */
export async function followRuns(engine: Engine, targets: WatchTargets, servers: readonly CliServer[]): Promise<void> {
  const comfyControl = targets.comfyControl && servers.find((server) => server.config.kind === 'comfycontrol');
  for (const run of targets.comfyControl?.runs ?? []) {
    if (!comfyControl) break;
    await engine.follow(comfyControl.config.id, run);
  }
}

/**
 * Prints one job as the server knows it (exit 0). When the server does not know it, exit 1, printing the journal's
 * copy (marked `"source":"journal"`) if there is one; when the server cannot be asked, the same with exit 3.
 * Reads the journal from a private copy: it may run while the app or a watch holds the data folder.
 */
export async function status(options: { server: string; kind?: HostedKind; jobId: string; dataDir: string; env?: Environment }, io: Io): Promise<number> {
  const { settings, warnings: settingsWarnings } = await readAppSettings(options.dataDir);
  const { servers, warnings } =
    options.kind === undefined
      ? resolveCliServers([options.server], settings)
      : { servers: [hostedServer(options.kind, options.server, hostedSecret(options.kind, options.env ?? {}), settings)], warnings: [] };
  const target = servers[0]!;
  const label = labels(servers);
  const kindOf = kinds(servers);
  for (const warning of [...settingsWarnings, ...warnings]) io.stderr.write(`warning: ${warning}\n`);
  const snapshot = await copyDataDir(options.dataDir);
  try {
    const { journal } = await Journal.openIn(snapshot.dir);
    const backend = answerNoting(createBackend(target.config, journal), options.jobId);
    const tracker = new ServerTracker(backend, journal, new Emitter());
    const fromJournal = (): Record<string, unknown> | undefined => {
      const copy = tracker.job(options.jobId);
      return copy && { ...jobLine(copy, isTerminal(copy.status), label, kindOf), source: 'journal' };
    };
    try {
      await backend.probe?.();
      const job: JobView | undefined = await tracker.lookup(options.jobId);
      if (job && backend.serverKnowsJob()) {
        print(io, { ...jobLine(job, isTerminal(job.status), label, kindOf), source: 'server' });
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
      // The message names the URL it failed on; the server's label is added only when it does not (named once).
      io.stderr.write(`comfy-tray: ${message.includes(target.label) ? '' : `${target.label}: `}${message} [${code}]\n`);
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
 * The server's backend (any kind), noting whether the server itself listed or returned the job: the tracker's lookup
 * falls back to the journal's copy, and only the server's own answer makes `status` succeed.
 */
function answerNoting(backend: JobBackend, jobId: string): JobBackend & { serverKnowsJob(): boolean } {
  let knows = false;
  const noted = new Proxy(backend, {
    get(target, property) {
      if (property === 'serverKnowsJob') return () => knows;
      if (property === 'listActive') {
        return async (): Promise<ActiveJobs> => {
          const active = await target.listActive();
          if ([...active.running, ...active.pending].some((job) => job.id === jobId)) knows = true;
          return active;
        };
      }
      if (property === 'lookup') {
        return async (id: string): Promise<RemoteJob | undefined> => {
          const record = await target.lookup(id);
          if (record !== undefined && id === jobId) knows = true;
          return record;
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return noted as JobBackend & { serverKnowsJob(): boolean };
}
