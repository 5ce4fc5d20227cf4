// The headless `submit` and `convert` commands: a workflow file in, prompts queued (or printed), per-node findings
// on stderr. `submit` runs the same engine as the app so progress is live and the journal knows the jobs are ours.
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { isTerminal } from '../shared/app-state.js';
import type { JobView } from '../shared/app-state.js';
import { ComfyBackend } from '../core/backends/comfyui/comfy-backend.js';
import type { ClientIdStore } from '../core/comfy/comfy-connection.js';
import { resolveServer, serverIdForUrl, type ServerConfigInput } from '../core/comfy/server-config.js';
import { Engine } from '../core/engine.js';
import { ComfyTrayError } from '../core/errors.js';
import { readUserFile } from '../core/user-file.js';
import type { ExtractResult } from '../core/workflow/extract.js';
import { WorkflowReader } from '../core/workflow/workflow-reader.js';
import { deferSaving } from '../core/outputs/defer-save.js';
import { SubmitError, describeProblem } from '../core/submit/errors.js';
import type { NodeProblem } from '../core/submit/errors.js';
import { prepareSubmission } from '../core/submit/prepare.js';
import type { PreparedSubmission } from '../core/submit/prepare.js';
import { submitPrepared } from '../core/submit/submit.js';
import { appSavesOutputs, hostedServer, readAppSettings, resolveCliServers } from './app-settings.js';
import { hostedSecret } from './secrets.js';
import type { Io } from './commands.js';
import { lockOrCopyDataDir } from './data-dir-access.js';
import { jobLine, JobLineFilter, jsonLine, rejectedLine, submittedLine, type ServerKindOf, type ServerLabel } from './json-lines.js';
import type { CliCommand } from './args.js';

/** Larger than any workflow carrier worth reading whole (a video with metadata); readers cap what they parse. */
const MAX_FILE_BYTES = 2 * 1024 * 1024 * 1024 - 1;

export type WorkflowSource = { readonly bytes: Uint8Array; readonly name: string; readonly extracted: ExtractResult };
const CONNECT_TIMEOUT_MS = 30_000;

function print(io: Io, value: unknown): void {
  io.stdout.write(`${jsonLine(value)}\n`);
}

type Report = (prefix: string, problems: readonly NodeProblem[]) => void;

/**
 * Writes each problem to stderr once per run: the findings printed before queuing are the ones a refusal then
 * carries, and a user reads every one of them once.
 */
function reporter(io: Io): Report {
  const printed = new Set<string>();
  return (prefix, problems) => {
    for (const problem of problems) {
      const line = describeProblem(problem);
      if (printed.has(line)) continue;
      printed.add(line);
      io.stderr.write(`${prefix}: ${line}\n`);
    }
  };
}

/**
 * A regular file only, read up to the cap by bytes actually read (`convert /dev/zero` must not read forever), and
 * what it carries read off the main thread, within the reader's time and memory budget. A file that cannot be read
 * is the caller's mistake: `code` says so in the caller's terms (a command line, a tool's argument).
 */
export async function readSource(file: string, code: 'CLI_USAGE' | 'ARGUMENT_INVALID' = 'CLI_USAGE'): Promise<WorkflowSource> {
  const read = await readUserFile(file, MAX_FILE_BYTES);
  if (read.ok) {
    const name = basename(file);
    return { bytes: read.bytes, name, extracted: await new WorkflowReader().read(read.bytes, name) };
  }
  if (read.reason === 'unreadable' || read.reason === 'missing') throw new ComfyTrayError(code, `Cannot read ${file}: ${read.message}`);
  throw new ComfyTrayError(code, `${file} is ${read.message}`);
}

function printPrepared(io: Io, report: Report, prepared: PreparedSubmission): void {
  for (const warning of prepared.warnings) io.stderr.write(`warning: ${warning}\n`);
  report('preflight', prepared.problems);
}

function failed(io: Io, report: Report, error: unknown): number {
  if (!(error instanceof SubmitError)) throw error;
  io.stderr.write(`comfy-tray: ${error.message} [${error.code}]\n`);
  report(error.code === 'SUBMIT_PREFLIGHT_FAILED' ? 'preflight' : 'problem', error.problems);
  return 1;
}

/** Prints the API prompt `submit` would queue; 1 when the file cannot be converted for this server. */
export async function convert(options: { file: string; server: string }, io: Io): Promise<number> {
  const source = await readSource(options.file);
  const serverId = serverIdForUrl(options.server);
  // One-shot and socketless: no journal, no client id worth keeping.
  const ids = new Map<string, { clientId: string; closedCleanly: boolean }>();
  const store: ClientIdStore = { get: (id) => ids.get(id), set: (id, record) => void ids.set(id, record) };
  const backend = new ComfyBackend(resolveServer({ id: serverId, name: serverId, url: options.server }), store);
  const report = reporter(io);
  try {
    await backend.probe();
    const prepared = await prepareSubmission({ backend: () => backend }, source, serverId);
    printPrepared(io, report, prepared);
    io.stdout.write(`${jsonLine(prepared.prompt)}\n`);
    return 0;
  } catch (error) {
    return failed(io, report, error);
  } finally {
    await backend.stop();
  }
}

/** The parsed `submit` command, with the data folder resolved. */
export type SubmitCliOptions = Omit<Extract<CliCommand, { command: 'submit' }>, 'command' | 'verbose' | 'dataDir'> & {
  readonly dataDir: string;
  /** Where a hosted service's secret is read from (never the command line). */
  readonly env?: Readonly<Record<string, string | undefined>>;
};

/** Queues the file's prompt (N times); with `wait`, follows the jobs and returns 0 only if every one completed. */
export async function submit(options: SubmitCliOptions, io: Io): Promise<number> {
  const source = await readSource(options.file);
  const { settings, warnings: settingsWarnings } = await readAppSettings(options.dataDir);
  const { servers, warnings } =
    options.kind === undefined
      ? resolveCliServers([options.server], settings)
      : { servers: [hostedServer(options.kind, options.server, hostedSecret(options.kind, options.env ?? {}), settings)], warnings: [] };
  for (const warning of [...settingsWarnings, ...warnings]) io.stderr.write(`warning: ${warning}\n`);
  const target = servers[0]!;
  const server = { label: target.label, id: target.config.id };
  // The journal has one writer: while the app or a watch keeps it, this run works on a private copy (its jobs are
  // then "other" jobs to them, announced as any other job).
  const dataDir = await lockOrCopyDataDir(options.dataDir, 'submit');
  if (dataDir.copied) {
    const by = dataDir.heldBy && ` (pid ${dataDir.heldBy.pid}, ${dataDir.heldBy.purpose})`;
    io.stderr.write(`note: the data folder is in use${by ?? ''}; this run keeps its own copy of the journal\n`);
  }
  try {
    return await submitWith(options, io, source, {
      config: target.config,
      server,
      dataDir: dataDir.dir,
      maxJobsPerServer: settings.general.journalJobsPerServer,
      savesOutputs: appSavesOutputs(settings, target.config.id),
    });
  } finally {
    await dataDir.release();
  }
}

async function submitWith(
  options: SubmitCliOptions,
  io: Io,
  source: WorkflowSource,
  where: { config: ServerConfigInput; server: { label: string; id: string }; dataDir: string; maxJobsPerServer: number; savesOutputs: boolean },
): Promise<number> {
  const { server } = where;
  const serverId = server.id;
  const label: ServerLabel = () => server.label;
  const kindOf: ServerKindOf = () => where.config.kind ?? 'comfyui';
  const engine = await Engine.create({ dataDir: where.dataDir, servers: [where.config], maxJobsPerServer: where.maxJobsPerServer });
  // This run saves nothing: the jobs it records (ours and any other client's) are left for the app to save.
  if (where.savesOutputs) deferSaving(engine.events, engine.journal, () => true);
  const ours = new Set<string>();
  const finished = new Map<string, JobView>();
  const filter = new JobLineFilter();
  const report = reporter(io);
  let allDone: (() => void) | undefined;
  // Job lines only after the "submitted" lines, so a reader always sees the id announced first.
  let announced = false;
  engine.events.on('job', (job) => {
    if (!options.wait || !announced || !ours.has(job.id) || isTerminal(job.status) || !filter.shouldPrint(job)) return;
    print(io, jobLine(job, false, label, kindOf));
  });
  engine.events.on('job-finished', (job) => {
    finished.set(job.id, job);
    if (!options.wait || !announced || !ours.has(job.id)) return;
    print(io, jobLine(job, true, label, kindOf));
    if ([...ours].every((id) => finished.has(id))) allDone?.();
  });
  try {
    engine.start();
    await connected(engine, serverId);
    const prepared = await prepareSubmission(engine, source, serverId, {
      repeat: options.repeat,
      randomizeSeeds: options.randomizeSeeds,
      front: options.front,
    });
    printPrepared(io, report, prepared);
    const outcome = await submitPrepared(engine, prepared, { uploadInputs: options.upload, force: options.force }, () => {
      const id = randomUUID();
      ours.add(id);
      return id;
    });
    for (const upload of outcome.uploaded) io.stderr.write(`uploaded ${upload.from}${upload.from === upload.to ? '' : ` as ${upload.to}`}\n`);
    // Ids handed out for repeats that failed or were never sent are not jobs.
    const queuedIds = new Set(outcome.queued.map((q) => q.promptId));
    for (const id of ours) if (!queuedIds.has(id)) ours.delete(id);
    for (const queued of outcome.queued) print(io, submittedLine(server, queued));
    if (outcome.failed !== undefined) {
      print(io, rejectedLine(server, outcome.failed, outcome.notSent));
      io.stderr.write(`comfy-tray: ${outcome.failed.message} [${outcome.failed.code}]\n`);
      report('rejected', outcome.failed.problems);
      return 1;
    }
    if (!options.wait) return 0;
    announced = true;
    // Finished lines for jobs that ended before their ids were known to be queued.
    for (const id of ours) {
      const job = finished.get(id);
      if (job !== undefined) print(io, jobLine(job, true, label, kindOf));
    }
    if (![...ours].every((id) => finished.has(id))) await new Promise<void>((resolve) => (allDone = resolve));
    return [...ours].every((id) => finished.get(id)?.status === 'completed') ? 0 : 1;
  } catch (error) {
    return failed(io, report, error);
  } finally {
    await engine.stop();
  }
}

/** Resolves when the server is connected (so progress is addressed to us); refuses on auth or version failures. */
function connected(engine: Engine, serverId: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const check = (): boolean => {
      const view = engine.servers().find((s) => s.id === serverId);
      if (view?.state === 'connected') {
        resolve();
        return true;
      }
      if (view?.state === 'auth-failed' || view?.state === 'incompatible') {
        reject(new ComfyTrayError('COMFY_NOT_CONNECTED', `${serverId}: ${view.lastError?.message ?? view.state}`));
        return true;
      }
      return false;
    };
    if (check()) return;
    const timer = setTimeout(() => {
      off();
      const view = engine.servers().find((s) => s.id === serverId);
      reject(new ComfyTrayError('COMFY_NOT_CONNECTED', `${serverId}: not connected after ${CONNECT_TIMEOUT_MS / 1000} s${view?.lastError ? ` (${view.lastError.message})` : ''}`));
    }, CONNECT_TIMEOUT_MS);
    const off = engine.events.on('server', () => {
      if (check()) {
        clearTimeout(timer);
        off();
      }
    });
  });
}
