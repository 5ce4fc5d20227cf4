// "Start at login". macOS and Windows have a login-item API (Electron's setLoginItemSettings); Linux desktops have
// none: they start what the XDG autostart folder lists, so there the app writes (or removes) its own entry.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';

export const AUTOSTART_FILE_NAME = 'comfy-tray.desktop';

export interface LinuxLaunch {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The user's home folder, for ~/.config when XDG_CONFIG_HOME is not set. */
  readonly home: string;
  /** process.execPath: the app's binary (or Electron itself in development). */
  readonly execPath: string;
  /** Arguments after the binary: the app folder when running as a development Electron. */
  readonly appArgs?: readonly string[];
}

export interface StartAtLoginDeps {
  readonly platform: NodeJS.Platform;
  setLoginItemSettings(settings: { openAtLogin: boolean; openAsHidden: boolean }): void;
  readonly linux: LinuxLaunch;
}

export async function applyStartAtLogin(enabled: boolean, deps: StartAtLoginDeps): Promise<void> {
  if (deps.platform === 'linux') await setLinuxAutostart(enabled, deps.linux);
  // The app always starts to the tray alone; openAsHidden tells macOS not to show a window either.
  else deps.setLoginItemSettings({ openAtLogin: enabled, openAsHidden: true });
}

/** `$XDG_CONFIG_HOME/autostart/comfy-tray.desktop`; the spec says to ignore a relative XDG_CONFIG_HOME. */
export function autostartFilePath(env: LinuxLaunch['env'], home: string): string {
  const configHome = env.XDG_CONFIG_HOME;
  return join(configHome && isAbsolute(configHome) ? configHome : join(home, '.config'), 'autostart', AUTOSTART_FILE_NAME);
}

/** An AppImage runs from a temporary mount: the login entry must start the .AppImage file itself, which APPIMAGE names. */
export function launchCommand(launch: Pick<LinuxLaunch, 'env' | 'execPath' | 'appArgs'>): string[] {
  const appImage = launch.env.APPIMAGE;
  return appImage ? [appImage] : [launch.execPath, ...(launch.appArgs ?? [])];
}

export function desktopEntry(command: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Comfy Tray',
    'Comment=Follows the jobs on your ComfyUI servers',
    `Exec=${command.map(execArgument).join(' ')}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Writes the entry (through a temporary file, so a half-written one is never read) or removes it. */
export async function setLinuxAutostart(enabled: boolean, launch: LinuxLaunch): Promise<void> {
  const path = autostartFilePath(launch.env, launch.home);
  if (!enabled) {
    await rm(path, { force: true });
    return;
  }
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, desktopEntry(launchCommand(launch)), { mode: 0o644 });
  await rename(temporary, path);
}

/**
 * One Exec argument, as the Desktop Entry spec wants it: quoted when it holds a reserved character, with `"`, `` ` ``,
 * `$` and `\` escaped inside the quotes; then the string-value escaping doubles every backslash, and `%` (field codes)
 * is doubled.
 */
function execArgument(argument: string): string {
  const quoted = /[\s"'\\><~|&;$*?#()`]/.test(argument) ? `"${argument.replace(/["`$\\]/g, (c) => `\\${c}`)}"` : argument;
  return quoted.replace(/\\/g, '\\\\').replace(/%/g, '%%');
}

/**
 * Applies the setting at start and then whenever it changes (settings change for many other reasons; the autostart
 * file is not rewritten for each). A failure is reported and the next change tries again.
 */
export function startAtLoginFollower(deps: StartAtLoginDeps, onError: (error: unknown) => void): (enabled: boolean) => Promise<void> {
  let applied: boolean | undefined;
  // One change at a time, in order: on Linux an enable (write, rename) racing a later disable (rm) could otherwise
  // finish last and leave the entry in place with the setting off.
  let queue: Promise<void> = Promise.resolve();
  return (enabled) => {
    queue = queue.then(async () => {
      if (enabled === applied) return;
      applied = enabled;
      try {
        await applyStartAtLogin(enabled, deps);
      } catch (error) {
        applied = undefined;
        onError(error);
      }
    });
    return queue;
  };
}
