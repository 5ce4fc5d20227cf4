// The MCP server's process: the app's settings and servers (the same options as `watch`, resolved by the same code),
// one engine over them, and the protocol on stdin/stdout. It always works on a private copy of the data folder and
// never takes its lock: an agent's MCP server typically starts with the agent, and must neither keep the app (or a
// watch) from starting nor write the journal they keep. Jobs it queues are this app's to the app all the same (the
// copy carries the app's client ids), and it follows them live on a client id of its own.
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { readAppSettings } from '../cli/app-settings.js';
import { followRuns, watchServers, type Environment, type WatchTargets } from '../cli/commands.js';
import { copyDataDir } from '../cli/data-dir-access.js';
import { Engine } from '../core/engine.js';
import { ComfyTrayError } from '../core/errors.js';
import { downloadLimits } from '../core/outputs/output-options.js';
import { checkOutputFolder, systemPlaces } from '../core/outputs/output-folder-policy.js';
import { outputLimits, type Settings } from '../core/store/settings-schema.js';
import { appSavedFiles } from './app-saved-files.js';
import { DownloadLog } from './download-outputs.js';
import { DownloadRoots, type DownloadRoot } from './download-roots.js';
import type { McpContext } from './mcp-context.js';
import { createMcpServer } from './mcp-server.js';
import { mcpTools } from './tools.js';

export interface McpRunOptions extends WatchTargets {
  readonly dataDir: string;
  /** Where hosted services' secrets are read from (never the command line). */
  readonly env: Environment;
  /** Folders downloads may go to besides the app's output folders. */
  readonly outputDirs: readonly string[];
  /** The app's output folder when its settings name none. */
  readonly defaultOutputFolder: string;
  readonly version: string;
  /** How long a call waits for a server's first connection (default 15 s). */
  readonly readyTimeoutMs?: number;
}

export interface McpIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
}

/** Serves until stdin ends, the client closes, or `stop` resolves; returns the exit code. */
export async function runMcp(options: McpRunOptions, io: McpIo, stop: Promise<void>): Promise<number> {
  const { settings, warnings: settingsWarnings } = await readAppSettings(options.dataDir);
  // The servers as `watch` resolves them: the same options, the same code.
  const { servers, warnings } = watchServers(options, settings, options.env);
  if (servers.length === 0) throw new ComfyTrayError('CLI_USAGE', 'The app has no server switched on; give one with --server URL. Try --help.');
  const roots = new DownloadRoots([...appRoots(settings, options.defaultOutputFolder), ...(await commandLineRoots(options.outputDirs, options.dataDir))]);
  const copy = await copyDataDir(options.dataDir);
  try {
    const engine = await Engine.create({ dataDir: copy.dir, servers: servers.map((server) => server.config), maxJobsPerServer: settings.general.journalJobsPerServer });
    useOwnClientIds(engine);
    for (const warning of [...settingsWarnings, ...warnings, ...engine.warnings]) io.stderr.write(`warning: ${warning}\n`);
    const log = new DownloadLog();
    const context: McpContext = {
      engine,
      roots,
      limits: downloadLimits({ folder: roots.paths[0]!, ...outputLimits(settings) }),
      appSavedFiles: (serverId, jobId) => appSavedFiles(options.dataDir, serverId, jobId),
      readyTimeoutMs: options.readyTimeoutMs ?? 15_000,
    };
    const server = createMcpServer(mcpTools(context, log), options.version);
    const transport = new StdioServerTransport(io.stdin, io.stdout);
    engine.start();
    await followRuns(engine, options, servers);
    try {
      const closed = new Promise<void>((resolveClosed) => {
        transport.onclose = () => resolveClosed();
        // The stdio transport does not notice its input ending: a client that exits closes our stdin.
        io.stdin.once('end', () => resolveClosed());
        io.stdin.once('close', () => resolveClosed());
      });
      await server.connect(transport);
      io.stderr.write(`comfy-tray mcp: serving ${servers.length} server${servers.length === 1 ? '' : 's'}; downloads may go to ${roots.paths.join(', ')}\n`);
      await Promise.race([closed, stop]);
    } finally {
      await server.close().catch(() => undefined);
      await engine.stop();
    }
    return 0;
  } finally {
    await copy.release();
  }
}

/** The app's own output folders: its default one first (where downloads go unless told), then each server's own. */
function appRoots(settings: Settings, defaultFolder: string): DownloadRoot[] {
  return [
    { path: settings.outputs.folder ?? defaultFolder, create: settings.outputs.folder === undefined },
    ...settings.servers.flatMap((server) => (server.outputFolder === undefined ? [] : [{ path: server.outputFolder, create: false }])),
  ];
}

/** --output-dir folders: never a system folder (as for watch), created when missing (they were asked for by name). */
async function commandLineRoots(dirs: readonly string[], dataDir: string): Promise<DownloadRoot[]> {
  const roots: DownloadRoot[] = [];
  for (const dir of dirs) {
    const path = resolve(dir);
    const problem = await checkOutputFolder(path, systemPlaces(dataDir));
    if (problem !== undefined) throw new ComfyTrayError('CLI_USAGE', `--output-dir: downloads cannot go there: ${problem}`);
    await mkdir(path, { recursive: true });
    roots.push({ path, create: true });
  }
  return roots;
}

/**
 * The copied journal holds the client ids the app connects with. A second socket under the app's id would take the
 * app's live events (ComfyUI keeps one socket per id), so this process never reuses one: marked as not closed
 * cleanly, each server gets a fresh id at connect, and the app's ids still count as this app's for submitter checks.
 */
function useOwnClientIds(engine: Engine): void {
  for (const server of engine.servers()) {
    const record = engine.journal.get(server.id);
    if (record !== undefined) engine.journal.set(server.id, { ...record, closedCleanly: false });
  }
}
