// Entry point of `npm run headless`: the engine without Electron, for servers and scripts.
// First, before any other module loads: V8's young generation keeps the size it starts with.
import './core/runtime/hold-young-generation-at-start.js';
import { parseCli, HELP } from './cli/args.js';
import { status, watch } from './cli/commands.js';
import { convert, submit } from './cli/submit-commands.js';
import { configureLogging } from './core/logger.js';
import { defaultDataDir } from './core/store/data-dir.js';
import { errorCode, errorMessage } from './core/errors.js';
import { EXIT } from './cli/exit-codes.js';
import { defaultOutputFolder } from './core/outputs/default-output-folder.js';
import { runMcpCommand } from './mcp/mcp-command.js';

async function main(argv: readonly string[]): Promise<number> {
  const cli = parseCli(argv);
  const io = { stdout: process.stdout, stderr: process.stderr };
  switch (cli.command) {
    case 'help':
      process.stdout.write(HELP);
      return EXIT.ok;
    case 'watch': {
      configureLogging({ level: cli.verbose ? 'info' : 'error' });
      const stop = new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      return watch(
        {
          servers: cli.servers,
          ...(cli.cloud !== undefined && { cloud: cli.cloud }),
          ...(cli.comfyControl !== undefined && { comfyControl: cli.comfyControl }),
          dataDir: cli.dataDir ?? defaultDataDir(),
          outputDir: cli.outputDir,
          outputTemplate: cli.outputTemplate,
          // Secrets of hosted services come from here only, never from the command line.
          env: process.env,
        },
        io,
        stop,
      );
    }
    case 'status':
      configureLogging({ level: cli.verbose ? 'info' : 'error' });
      return status({ server: cli.server, ...(cli.kind !== undefined && { kind: cli.kind }), jobId: cli.jobId, dataDir: cli.dataDir ?? defaultDataDir(), env: process.env }, io);
    case 'submit': {
      configureLogging({ level: cli.verbose ? 'info' : 'error' });
      const { command: _command, verbose: _verbose, dataDir, ...options } = cli;
      return submit({ ...options, dataDir: dataDir ?? defaultDataDir(), env: process.env }, io);
    }
    case 'convert':
      configureLogging({ level: cli.verbose ? 'info' : 'error' });
      return convert({ file: cli.file, server: cli.server }, io);
    case 'mcp':
      return runMcpCommand(cli, defaultOutputFolder());
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Sockets and agents are closed by then; exit explicitly so a stray keep-alive timer cannot hold the process.
    setImmediate(() => process.exit(code));
  },
  (error: unknown) => {
    process.stderr.write(`comfy-tray: ${errorMessage(error)}${errorCode(error) ? ` [${errorCode(error)}]` : ''}\n`);
    process.exit(errorCode(error) === 'CLI_USAGE' || errorCode(error) === 'CONFIG_INVALID' ? EXIT.usage : EXIT.failed);
  },
);
