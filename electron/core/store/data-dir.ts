// The per-user folder the app and the headless CLI share (journal, client ids, settings). It is the folder Electron
// itself would choose for an app named "Comfy Tray" (appData + product name), computed without Electron.
import { homedir } from 'node:os';
import { join } from 'node:path';

export const PRODUCT_NAME = 'Comfy Tray';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  return join(appDataDir(env, platform), PRODUCT_NAME);
}

function appDataDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string {
  if (platform === 'win32') return env.APPDATA ?? join(homedir(), 'AppData', 'Roaming');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support');
  return env.XDG_CONFIG_HOME ?? join(homedir(), '.config');
}
