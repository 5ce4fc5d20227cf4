// Command-line arguments of the headless entry point, parsed and validated (bad input gets one clear sentence).
import { parseArgs } from 'node:util';
import { COMFY_CLOUD_URL } from '../core/backends/comfy-cloud/cloud-backend.js';
import { ComfyTrayError } from '../core/errors.js';
import { parseBaseUrl } from '../core/comfy/server-config.js';
import { validateTemplate } from '../core/outputs/file-template.js';
import { GIVE_UP_AFTER_MS, NOT_FOUND_PASSES } from '../core/outputs/save-failures.js';
import { MAX_REPEAT } from '../core/workflow/seeds.js';

/** A hosted service named on the command line (its secret comes from the environment, never from here). */
export type HostedKind = 'comfy-cloud' | 'comfycontrol';

export type CliCommand =
  | { readonly command: 'help' }
  | {
      readonly command: 'watch';
      readonly servers: readonly string[];
      /** `--cloud [URL]`: a Comfy Cloud account. */
      readonly cloud?: string;
      /** `--comfycontrol URL --run ID…`: ComfyControl runs. */
      readonly comfyControl?: { readonly url: string; readonly runs: readonly string[] };
      readonly dataDir?: string;
      readonly verbose: boolean;
      readonly outputDir?: string;
      readonly outputTemplate?: string;
    }
  | {
      readonly command: 'status';
      readonly jobId: string;
      readonly server: string;
      /** Absent: a ComfyUI server (`--server`). */
      readonly kind?: HostedKind;
      readonly dataDir?: string;
      readonly verbose: boolean;
    }
  | {
      readonly command: 'submit';
      readonly file: string;
      readonly server: string;
      readonly kind?: 'comfy-cloud';
      readonly dataDir?: string;
      readonly verbose: boolean;
      readonly wait: boolean;
      readonly repeat: number;
      readonly randomizeSeeds: boolean;
      readonly front: boolean;
      readonly upload: boolean;
      readonly force: boolean;
    }
  | { readonly command: 'convert'; readonly file: string; readonly server: string; readonly verbose: boolean }
  | ({
      readonly command: 'mcp';
      readonly dataDir?: string;
      readonly verbose: boolean;
      /** Folders downloads may go to, besides the app's output folders (each may be given again). */
      readonly outputDirs: readonly string[];
    } & ServerTargets);

/** The servers of watch and mcp: ComfyUI URLs, a Comfy Cloud account, ComfyControl (runs); none: the app's servers. */
export interface ServerTargets {
  readonly servers: readonly string[];
  /** `--cloud [URL]`: a Comfy Cloud account. */
  readonly cloud?: string;
  /** `--comfycontrol URL --run ID…`: ComfyControl and runs to follow. */
  readonly comfyControl?: { readonly url: string; readonly runs: readonly string[] };
}

/** The environment variables the hosted services' secrets are read from (a command line shows in `ps`). */
export const SECRET_VARIABLES = { 'comfy-cloud': 'COMFY_CLOUD_API_KEY', comfycontrol: 'COMFYCONTROL_TOKEN' } as const;

export const HELP = `Comfy Tray headless: the Comfy Tray engine without a window.

Usage:
  npm run headless -- [watch] [--server URL ...] [--cloud [URL]] [--comfycontrol URL --run ID ...]
                       [--data-dir DIR] [--verbose] [--output-dir DIR [--output-template TEMPLATE]]
  npm run headless -- status JOB_ID (--server URL | --cloud [URL] | --comfycontrol URL) [--data-dir DIR]
  npm run headless -- submit FILE --server URL [--wait] [--repeat N] [--randomize-seeds] [--front]
                       [--upload] [--force] [--data-dir DIR]
  npm run headless -- submit FILE --cloud [URL] [--wait] [--repeat N] [--randomize-seeds] [--upload] [--force]
  npm run headless -- convert FILE --server URL
  npm run headless -- mcp [--server URL ...] [--cloud [URL]] [--comfycontrol URL [--run ID ...]]
                       [--data-dir DIR] [--output-dir DIR ...] [--verbose]
  npm run headless -- --help

Commands:
  watch    (default) Connect to every server and follow every job on it, whoever queued it.
           Without --server, --cloud or --comfycontrol: the servers switched on in the app's settings
           (http://127.0.0.1:8188 when there are none yet). --cloud follows every job of a Comfy Cloud
           account; --comfycontrol follows the ComfyControl runs given with --run (and those an earlier
           watch with the same --data-dir still follows). Prints one JSON object per line on stdout:
             {"event":"connection","server":URL,"serverId":ID,"kind":"comfyui","state":"connected",...}
             {"event":"job","server":URL,"serverId":ID,"kind":"comfyui","id":ID,"status":"running",...}
           "kind" is comfyui, comfy-cloud or comfycontrol. A connection that works without live events
           (a proxy that refuses WebSockets: followed by polling) carries "degraded":{"code":...}.
           "serverId" is the app's id for a server the app has configured ("local"), else the URL.
           A connection line is printed again when the server's capabilities become known.
           A job's last line has "final":true and its end state: completed, failed, cancelled or lost.
           Jobs that finished while nothing was watching are reported with "caughtUp":true.
           A server seen for the first time starts from now: its older history is not replayed.
           With --output-dir, every output file of every finished job (completed, and what a failed job
           saved before failing) is downloaded into DIR, exactly once, and reported:
             {"event":"saved","server":URL,"id":ID,"files":[{"filename":...,"path":...,"size":...,...}]}
             {"event":"save-failed","server":URL,"id":ID,"code":"OUTPUT_DISK_FULL","reason":...}
           A file's "filename" is the name it was saved under (made safe for every OS), not the server's.
           A failed save is retried (on reconnect, on a timer, and at the next start with the same
           --data-dir); files already saved are never downloaded again, even if deleted since.
           A file the server no longer has is asked for again on reconnects and restarts, and given up
           when still missing after ${NOT_FOUND_PASSES} tries over ${GIVE_UP_AFTER_MS / 3_600_000} hours or more (at once when the server refuses
           its name, or when it is larger than one output may be, OUTPUT_TOO_LARGE); the job's saving then
           ends with what was saved ("files", as in "saved") and how many files were not:
             {"event":"save-given-up","server":URL,"id":ID,"code":"OUTPUT_NOT_FOUND","reason":...,"missing":1,"files":[...]}
           One output may take at most 20 GiB, and downloads stop while the output disk has less than
           1 GiB free (OUTPUT_DISK_FULL, retried later); the app's settings (outputs.maxFileGiB,
           outputs.minFreeGiB) change both.
           Without --output-dir nothing is downloaded; finished jobs on servers whose outputs the app
           saves (its settings) are left for the app to save at its next start (a later watch with
           --output-dir leaves them to the app too).
           Only one process may keep the journal: while the app or another watch uses the data folder,
           watch refuses with exit code 4 [DATA_DIR_LOCKED]. Ctrl-C stops cleanly.
  status   Look one job up on the server and print it as JSON (status, queue position, times, error,
           outputs) with "source":"server". When the server does not know it (a restart clears its
           history) or cannot be asked, the journal's copy is printed instead, with "source":"journal"
           (or a "not-found" / "unavailable" line), and the exit code says which. Runs alongside the
           app: it reads the journal and never writes it.
  submit   Queue a workflow file on the server: API or UI JSON, or a file with an embedded workflow (PNG, WebP,
           FLAC, MP3, Opus, MP4, WebM...). The embedded API prompt is preferred; a UI workflow is converted with
           the server's /object_info, as the editor loads it (values saved by older editors included). Checked
           first (missing node types, models, values, input files: each reported once on stderr, by node and
           input); nothing is queued when a check fails unless --force.
           Prints one line per queued prompt:  {"event":"submitted","server":URL,"id":ID,"index":0}
           A prompt the server refuses:        {"event":"rejected","server":URL,"index":0,"code":...,"problems":[...]}
           (problems per node: nodeId, title, input, message). Repeats stop at the first refusal; the lines
           say exactly which were queued. With --wait, follows the queued jobs (job lines as in watch) and
           exits 0 only when every one completed. Nothing is downloaded: on a server whose outputs the
           app saves, the app saves them (at its next start if it is closed). While the app or a watch uses the data folder, submit
           works on a private copy of the journal (a note on stderr says so).
  convert  Print the API prompt that submit would queue (JSON on stdout, 64-bit integers exact; nothing is
           queued) and the check's findings on stderr. Exits with 1 when the file cannot be converted.
  mcp      A Model Context Protocol server on stdin/stdout (protocol messages only; logs on stderr) with
           tools over every server (the same server options as watch; --run is optional here):
           get_job_status, list_jobs, submit_workflow, cancel_job, get_outputs, list_servers. It reads the
           app's settings and a private copy of its journal, so it runs beside the app or a watch and never
           writes their files. Downloads go to the app's output folder, or a folder inside it or inside an
           --output-dir (repeatable); any other folder is refused [OUTPUT_FOLDER_NOT_ALLOWED]. Ends when
           stdin closes.

Options:
  --cloud [URL]    A Comfy Cloud account (URL default ${COMFY_CLOUD_URL}). Its API key is read from the
                   environment variable COMFY_CLOUD_API_KEY, never from the command line.
  --comfycontrol URL
                   ComfyControl (e.g. https://api.comfycontrol.app). Its API token is read from the
                   environment variable COMFYCONTROL_TOKEN, never from the command line.
  --run ID         watch or mcp --comfycontrol: a run to follow by its id (repeat for more).
  --server URL     ComfyUI base URL: http(s)://host:port[/path-prefix]. user:password@ in the URL is
                   sent as HTTP basic auth (the app's saved credentials are in its keychain, which this
                   command cannot read). A URL the app has configured runs under the app's server id, so
                   the app and this command share what they have seen of it.
                   Default for watch: the servers the app watches.
  --data-dir DIR   Where the job journal and client ids live, and the app settings read (settings.json,
                   never written). Default: the Comfy Tray app's own folder.
  --output-dir DIR watch: save outputs under DIR (created if missing); mcp: downloads may go into DIR
                   (repeatable). Server names are sanitised and never leave DIR; an existing file is
                   never overwritten ("name (1).png"). DIR is never a
                   system folder (a drive root, the home folder, autostart, programs or settings folders,
                   the data folder): those exit 2 [CLI_USAGE].
  --output-template TEMPLATE
                   Path of each saved file below DIR. Tokens: {server} {date} {time} {job} {node}
                   {index} {filename} {subfolder} {workflow}. Default: the app's template setting, else
                   {server}/{date}/{filename}. Previews and sidecar files as the app's settings say.
  --wait           submit: follow the queued jobs to their end.
  --repeat N       submit: queue the prompt N times (1-1000).
  --randomize-seeds
                   submit: fresh seeds for every seed input, per repeat (the editor's rule). Default: the
                   values saved in the file, as the editor's Queue button sends them.
  --front          submit: queue at the front.
  --upload         submit: upload missing input images that came with the file (a PNG dropped for its own
                   LoadImage), under the name the server gives them.
  --force          submit: queue even when the check found problems (the server decides).
  --verbose        Log connection details on stderr.
  -h, --help       Show this help.

Exit codes:
  0  done (status: the server knows the job)
  1  status: the server does not know the job; submit: refused, or a waited-for job did not complete
  2  bad command line or configuration
  3  status: the server could not be asked (unreachable, timed out, credentials refused, nonsense)
  4  watch: the data folder is in use by the app or another watch [DATA_DIR_LOCKED]
`;

/**
 * The packaged app's `--mcp` switch: the arguments after it (the mcp command's options), or undefined when the app was
 * started without it. Whatever Electron or the OS put before it (the executable, the app folder in development) is
 * not the command's.
 */
export function mcpSwitchArgs(argv: readonly string[]): string[] | undefined {
  const at = argv.indexOf('--mcp');
  return at < 0 ? undefined : argv.slice(at + 1);
}

/** `--cloud` takes an optional URL: given alone (or before another option), it means Comfy Cloud's own. */
function withCloudDefault(argv: readonly string[]): string[] {
  return argv.flatMap((arg, i) => (arg === '--cloud' && (argv[i + 1] === undefined || argv[i + 1]!.startsWith('-')) ? [arg, COMFY_CLOUD_URL] : [arg]));
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,199}$/;

export function parseCli(argv: readonly string[]): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: withCloudDefault(argv),
      allowPositionals: true,
      options: {
        server: { type: 'string', multiple: true },
        cloud: { type: 'string' },
        comfycontrol: { type: 'string' },
        run: { type: 'string', multiple: true },
        'data-dir': { type: 'string' },
        // Repeatable for mcp (each one a folder downloads may go to); watch takes one.
        'output-dir': { type: 'string', multiple: true },
        'output-template': { type: 'string' },
        verbose: { type: 'boolean', default: false },
        wait: { type: 'boolean', default: false },
        repeat: { type: 'string' },
        'randomize-seeds': { type: 'boolean', default: false },
        front: { type: 'boolean', default: false },
        upload: { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new ComfyTrayError('CLI_USAGE', `${error instanceof Error ? error.message : String(error)}. Try --help.`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  const [command = 'watch', ...rest] = positionals;
  const servers = values.server ?? [];
  for (const server of servers) parseBaseUrl(server);
  const cloud = values.cloud;
  const comfyControl = values.comfycontrol;
  for (const url of [cloud, comfyControl]) if (url !== undefined) parseBaseUrl(url);
  const runs = values.run ?? [];
  for (const run of runs) if (!RUN_ID.test(run)) throw new ComfyTrayError('CLI_USAGE', `Not a run id: ${run.slice(0, 80)}. Try --help.`);
  if (runs.length > 0 && ((command !== 'watch' && command !== 'mcp') || comfyControl === undefined)) throw new ComfyTrayError('CLI_USAGE', '--run only applies to watch or mcp --comfycontrol URL. Try --help.');
  /** What watch and mcp follow, parsed once for both. */
  const targets: ServerTargets = { servers, ...(cloud !== undefined && { cloud }), ...(comfyControl !== undefined && { comfyControl: { url: comfyControl, runs } }) };
  /** The one server of status, submit and convert: --server, --cloud or --comfycontrol. */
  const single = (what: string, allowed: readonly HostedKind[]): { server: string; kind?: HostedKind } => {
    const given: { server: string; kind?: HostedKind }[] = [...servers.map((url) => ({ server: url })), ...(cloud !== undefined ? [{ server: cloud, kind: 'comfy-cloud' as const }] : []), ...(comfyControl !== undefined ? [{ server: comfyControl, kind: 'comfycontrol' as const }] : [])];
    const only = given[0];
    if (given.length !== 1 || only === undefined) throw new ComfyTrayError('CLI_USAGE', `${what} needs exactly one --server URL${allowed.includes('comfy-cloud') ? ', --cloud [URL]' : ''}${allowed.includes('comfycontrol') ? ' or --comfycontrol URL' : ''}. Try --help.`);
    if (only.kind !== undefined && !allowed.includes(only.kind)) throw new ComfyTrayError('CLI_USAGE', `${what} works with --server${allowed.length > 0 ? ' or --cloud' : ''} only. Try --help.`);
    return only;
  };
  const dataDir = values['data-dir'];
  const common = { verbose: values.verbose === true, ...(dataDir !== undefined && { dataDir }) };
  const submitFlags = (['wait', 'repeat', 'randomize-seeds', 'front', 'upload', 'force'] as const).filter((flag) => values[flag] !== undefined && values[flag] !== false);
  if (command !== 'submit' && submitFlags.length > 0) throw new ComfyTrayError('CLI_USAGE', `--${submitFlags[0]} only applies to submit. Try --help.`);
  switch (command) {
    case 'watch':
      if (rest.length > 0) throw new ComfyTrayError('CLI_USAGE', `Unexpected argument: ${rest[0]}. Try --help.`);
      if (comfyControl !== undefined && runs.length === 0) throw new ComfyTrayError('CLI_USAGE', 'watch --comfycontrol URL needs at least one --run ID. Try --help.');
      // No server at all: the servers the app's settings switch on, resolved once the data folder is known.
      return { command: 'watch', ...targets, ...common, ...outputOptions(values) };
    case 'mcp':
      if (rest.length > 0) throw new ComfyTrayError('CLI_USAGE', `Unexpected argument: ${rest[0]}. Try --help.`);
      if (values['output-template'] !== undefined) throw new ComfyTrayError('CLI_USAGE', '--output-template only applies to watch. Try --help.');
      // ComfyControl cannot list its runs, but the tools ask for runs by id: --run is optional here.
      return { command: 'mcp', ...targets, ...common, outputDirs: values['output-dir'] ?? [] };
    case 'status': {
      const [jobId, ...extra] = rest;
      if (jobId === undefined) throw new ComfyTrayError('CLI_USAGE', 'status needs a job id. Try --help.');
      if (extra.length > 0) throw new ComfyTrayError('CLI_USAGE', `Unexpected argument: ${extra[0]}. Try --help.`);
      return { command: 'status', jobId, ...single('status', ['comfy-cloud', 'comfycontrol']), ...common };
    }
    case 'submit':
    case 'convert': {
      const [file, ...extra] = rest;
      if (file === undefined) throw new ComfyTrayError('CLI_USAGE', `${command} needs a file. Try --help.`);
      if (extra.length > 0) throw new ComfyTrayError('CLI_USAGE', `Unexpected argument: ${extra[0]}. Try --help.`);
      if (command === 'convert') return { command, file, server: single(command, []).server, verbose: common.verbose };
      const target = single(command, ['comfy-cloud']);
      if (target.kind === 'comfy-cloud' && values.front === true) throw new ComfyTrayError('CLI_USAGE', 'Comfy Cloud schedules each user\'s jobs fairly and ignores --front. Try --help.');
      return {
        command,
        file,
        server: target.server,
        ...(target.kind === 'comfy-cloud' && { kind: target.kind }),
        ...common,
        wait: values.wait === true,
        repeat: parseRepeat(values.repeat),
        randomizeSeeds: values['randomize-seeds'] === true,
        front: values.front === true,
        upload: values.upload === true,
        force: values.force === true,
      };
    }
    default:
      throw new ComfyTrayError('CLI_USAGE', `Unknown command: ${command}. Try --help.`);
  }
}

function parseRepeat(value: string | undefined): number {
  if (value === undefined) return 1;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1 || n > MAX_REPEAT) {
    throw new ComfyTrayError('CLI_USAGE', `--repeat needs a whole number from 1 to ${MAX_REPEAT}. Try --help.`);
  }
  return n;
}

function outputOptions(values: { 'output-dir'?: string[]; 'output-template'?: string }): { outputDir?: string; outputTemplate?: string } {
  const dirs = values['output-dir'] ?? [];
  if (dirs.length > 1) throw new ComfyTrayError('CLI_USAGE', 'watch takes one --output-dir. Try --help.');
  const outputDir = dirs[0];
  const outputTemplate = values['output-template'];
  if (outputTemplate === undefined) return outputDir === undefined ? {} : { outputDir };
  if (outputDir === undefined) throw new ComfyTrayError('CLI_USAGE', '--output-template needs --output-dir. Try --help.');
  try {
    validateTemplate(outputTemplate);
  } catch (error) {
    throw new ComfyTrayError('CLI_USAGE', `${error instanceof Error ? error.message : String(error)}. Try --help.`);
  }
  return { outputDir, outputTemplate };
}
