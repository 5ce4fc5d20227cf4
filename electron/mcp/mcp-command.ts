// The `mcp` command, wherever it starts: `npm run mcp` (the headless entry) or the packaged app's `--mcp` switch
// (electron/main.ts, before any window). stdout carries protocol messages only: logs go to stderr, and so does
// anything a library would print with console.log.
import packageJson from '../../package.json';
import type { CliCommand } from '../cli/args.js';
import { configureLogging } from '../core/logger.js';
import { defaultDataDir } from '../core/store/data-dir.js';
import { runMcp } from './run-mcp.js';

/** `outputFolder`: the app's output folder when its settings name none (the app knows the user's Pictures folder). */
export function runMcpCommand(cli: Extract<CliCommand, { command: 'mcp' }>, outputFolder: string): Promise<number> {
  configureLogging({ level: cli.verbose ? 'info' : 'warn' });
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;
  const stop = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  return runMcp(
    {
      servers: cli.servers,
      ...(cli.cloud !== undefined && { cloud: cli.cloud }),
      ...(cli.comfyControl !== undefined && { comfyControl: cli.comfyControl }),
      dataDir: cli.dataDir ?? defaultDataDir(),
      // Secrets of hosted services come from here only, never from the command line.
      env: process.env,
      outputDirs: cli.outputDirs,
      defaultOutputFolder: outputFolder,
      version: packageJson.version,
    },
    { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
    stop,
  );
}
