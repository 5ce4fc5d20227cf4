// Which servers save their outputs, and where. A server's own "Save outputs" (Always / Never) wins; when it has none,
// the global switch decides. So "Always" on one server saves its outputs even with saving off globally: the saver
// exists whenever at least one running server resolves to saving, and every server's choice is written out for it
// (the saver's own default for an unlisted server is "on", which must not leak past a global "off").
import { mkdir } from 'node:fs/promises';
import type { OutputOptions } from '../core/outputs/output-options.js';
import { outputLimits, serverSavesOutputs, type Settings } from '../core/store/settings-schema.js';

/** The saver's options, or undefined when no enabled server saves (then the engine runs without a saver). */
export function outputOptionsFor(settings: Settings, defaultFolder: string): OutputOptions | undefined {
  if (!settings.servers.some((server) => server.enabled && serverSavesOutputs(settings, server))) return undefined;
  const perServer = Object.fromEntries(
    settings.servers.map((server) => [
      server.id,
      { enabled: serverSavesOutputs(settings, server), ...(server.outputFolder !== undefined && { folder: server.outputFolder }) },
    ]),
  );
  return {
    folder: settings.outputs.folder ?? defaultFolder,
    template: settings.outputs.template,
    saveTemp: settings.outputs.saveTemp,
    sidecar: settings.outputs.sidecar,
    ...outputLimits(settings),
    perServer,
  };
}

/**
 * outputOptionsFor, with the default folder created when it is the one in use. A folder the user chose must exist
 * already (it may be a drive that is not plugged in: the saver reports that rather than creating a stray folder).
 */
export async function prepareOutputOptions(settings: Settings, defaultFolder: string): Promise<OutputOptions | undefined> {
  const options = outputOptionsFor(settings, defaultFolder);
  if (options && settings.outputs.folder === undefined) await mkdir(defaultFolder, { recursive: true });
  return options;
}

/** The folder the tray's "Open output folder" opens for a server; undefined when that server does not save. */
export function outputFolderFor(settings: Settings, serverId: string, defaultFolder: string): string | undefined {
  const server = settings.servers.find((s) => s.id === serverId);
  if (!server || !serverSavesOutputs(settings, server)) return undefined;
  return server.outputFolder ?? settings.outputs.folder ?? defaultFolder;
}
