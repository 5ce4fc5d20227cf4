// Command-line arguments of the headless entry point, parsed and validated (bad input gets one clear sentence).
import { parseArgs } from 'node:util';
import { ComfyTrayError } from '../core/errors.js';
import { parseBaseUrl } from '../core/comfy/server-config.js';
import { validateTemplate } from '../core/outputs/file-template.js';

export type CliCommand =
  | { readonly command: 'help' }
  | {
      readonly command: 'watch';
      readonly servers: readonly string[];
      readonly dataDir?: string;
      readonly verbose: boolean;
      readonly outputDir?: string;
      readonly outputTemplate?: string;
    }
  | { readonly command: 'status'; readonly jobId: string; readonly server: string; readonly dataDir?: string; readonly verbose: boolean };

export const HELP = `Comfy Tray headless: the Comfy Tray engine without a window.

Usage:
  npm run headless -- [watch] --server URL [--server URL ...] [--data-dir DIR] [--verbose]
                       [--output-dir DIR [--output-template TEMPLATE]]
  npm run headless -- status JOB_ID --server URL [--data-dir DIR]
  npm run headless -- --help

Commands:
  watch    (default) Connect to every server and follow every job on it, whoever queued it.
           Prints one JSON object per line on stdout:
             {"event":"connection","server":URL,"state":"connected","version":"0.28.0",...}
             {"event":"job","server":URL,"id":ID,"status":"running","submittedBy":"other",...}
           A job's last line has "final":true and its end state: completed, failed, cancelled or lost.
           Jobs that finished while nothing was watching are reported with "caughtUp":true.
           A server seen for the first time starts from now: its older history is not replayed.
           With --output-dir, every output file of every finished job (completed, and what a failed job
           saved before failing) is downloaded into DIR, exactly once, and reported:
             {"event":"saved","server":URL,"id":ID,"files":[{"path":...,"size":...,...}]}
             {"event":"save-failed","server":URL,"id":ID,"code":"OUTPUT_DISK_FULL","reason":...}
           A failed save is retried (on reconnect, on a timer, and at the next start with the same
           --data-dir); files already saved are never downloaded again, even if deleted since.
           Ctrl-C stops cleanly.
  status   Look one job up and print it as JSON (status, queue position, times, error, outputs).
           Exits with 1 when the server does not know the job.

Options:
  --server URL     ComfyUI base URL: http(s)://host:port[/path-prefix]. user:password@ in the URL is
                   sent as HTTP basic auth. Default for watch: http://127.0.0.1:8188
  --data-dir DIR   Where the job journal and client ids live. Default: the Comfy Tray app's own folder,
                   so the app and this command share what they have seen.
  --output-dir DIR Save outputs under DIR (created if missing). Server names are sanitised and never
                   leave DIR; an existing file is never overwritten ("name (1).png").
  --output-template TEMPLATE
                   Path of each saved file below DIR. Tokens: {server} {date} {time} {job} {node}
                   {index} {filename} {subfolder} {workflow}. Default: {server}/{date}/{filename}
  --verbose        Log connection details on stderr.
  -h, --help       Show this help.
`;

export function parseCli(argv: readonly string[]): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        server: { type: 'string', multiple: true },
        'data-dir': { type: 'string' },
        'output-dir': { type: 'string' },
        'output-template': { type: 'string' },
        verbose: { type: 'boolean', default: false },
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
  const dataDir = values['data-dir'];
  const common = { verbose: values.verbose === true, ...(dataDir !== undefined && { dataDir }) };
  switch (command) {
    case 'watch':
      if (rest.length > 0) throw new ComfyTrayError('CLI_USAGE', `Unexpected argument: ${rest[0]}. Try --help.`);
      return { command: 'watch', servers: servers.length > 0 ? servers : ['http://127.0.0.1:8188'], ...common, ...outputOptions(values) };
    case 'status': {
      const [jobId, ...extra] = rest;
      if (jobId === undefined) throw new ComfyTrayError('CLI_USAGE', 'status needs a job id. Try --help.');
      if (extra.length > 0) throw new ComfyTrayError('CLI_USAGE', `Unexpected argument: ${extra[0]}. Try --help.`);
      if (servers.length !== 1) throw new ComfyTrayError('CLI_USAGE', 'status needs exactly one --server URL.');
      return { command: 'status', jobId, server: servers[0]!, ...common };
    }
    default:
      throw new ComfyTrayError('CLI_USAGE', `Unknown command: ${command}. Try --help.`);
  }
}

function outputOptions(values: { 'output-dir'?: string; 'output-template'?: string }): { outputDir?: string; outputTemplate?: string } {
  const outputDir = values['output-dir'];
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
