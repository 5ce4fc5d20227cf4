// Folders outputs may never be saved to, wherever the choice comes from (the folder picker, the settings file, the
// command line). Output files are named by a server, and the file name template can add folders: saved into the
// autostart folder, a binaries folder, the app's own data folder or a hidden settings folder (.ssh, .config), a
// server's file would be run at login, shadow a program or rewrite a configuration. So a folder is refused when it is
// such a place, lies inside one, or holds one (choosing the home folder or a drive root would reach them all).
import { realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';
import { defaultDataDir } from '../store/data-dir.js';

/** What a machine's protected places are made from. */
export interface SystemPlaces {
  readonly platform: NodeJS.Platform;
  readonly home: string;
  /** The app's own data and settings folder. */
  readonly dataDir: string;
  /** For the places the environment moves (XDG_CONFIG_HOME, APPDATA, ProgramFiles…). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** This machine's places, for the app's data folder. */
export function systemPlaces(dataDir: string = defaultDataDir()): SystemPlaces {
  return { platform: process.platform, home: homedir(), dataDir, env: process.env };
}

interface Protected {
  readonly path: string;
  readonly what: string;
}

/** The places outputs must stay out of (and must not contain), by platform. */
function protectedPlaces(places: SystemPlaces): Protected[] {
  const { env, home } = places;
  const path = places.platform === 'win32' ? win32 : posix;
  const list: Protected[] = [{ path: places.dataDir, what: "Comfy Tray's own data folder" }];
  const binaries = (...folders: string[]): void => void list.push(...folders.map((folder) => ({ path: folder, what: 'a system or programs folder' })));
  if (places.platform === 'win32') {
    const systemRoot = env.SystemRoot ?? env.windir ?? 'C:\\Windows';
    binaries(systemRoot, env.ProgramFiles ?? 'C:\\Program Files', env['ProgramFiles(x86)'] ?? 'C:\\Program Files (x86)', env.ProgramW6432 ?? 'C:\\Program Files');
    // Each holds a Startup folder (run at login) and every program's settings.
    list.push({ path: env.ProgramData ?? 'C:\\ProgramData', what: 'the folder of programs shared by all users (its Startup folder runs files at login)' });
    list.push({ path: path.join(home, 'AppData'), what: 'the folder of programs and their settings (its Startup folder runs files at login)' });
    for (const moved of [env.APPDATA, env.LOCALAPPDATA]) if (moved) list.push({ path: moved, what: 'the folder of programs and their settings' });
    return list;
  }
  binaries('/bin', '/sbin', '/usr', '/lib', '/lib32', '/lib64', '/libx32', '/etc', '/boot', '/dev', '/proc', '/sys');
  if (places.platform === 'darwin') {
    binaries('/System', '/Library', '/Applications', '/private/etc', '/private/var/root');
    list.push({ path: path.join(home, 'Library'), what: 'the folder of programs and their settings (its LaunchAgents run at login)' });
    list.push({ path: path.join(home, 'Applications'), what: 'a programs folder' });
  } else {
    const config = env.XDG_CONFIG_HOME || path.join(home, '.config');
    list.push({ path: path.join(config, 'autostart'), what: 'the autostart folder (its files run at login)' });
    list.push({ path: '/etc/xdg', what: 'the system-wide settings and autostart folder' });
    // Outside the home folder they are not covered by the rule on its hidden folders.
    for (const moved of [env.XDG_CONFIG_HOME, env.XDG_DATA_HOME]) if (moved) list.push({ path: moved, what: 'the folder of programs and their settings' });
  }
  list.push({ path: path.join(home, 'bin'), what: 'a programs folder' });
  return list;
}

/**
 * Why `folder` may not hold outputs, or undefined when it may. Pure: compares paths only (`checkOutputFolder` also
 * follows links). A relative path is refused: where it leads depends on the working folder.
 */
export function outputFolderProblem(folder: string, places: SystemPlaces): string | undefined {
  const path = places.platform === 'win32' ? win32 : posix;
  if (!path.isAbsolute(folder)) return `${folder} is not a full path`;
  const fold = (text: string): string => {
    const resolved = path.resolve(text);
    // Windows and macOS compare names without regard to case.
    return places.platform === 'win32' || places.platform === 'darwin' ? resolved.toLowerCase() : resolved;
  };
  const target = fold(folder);
  const within = (inner: string, outer: string): boolean => {
    const rel = path.relative(outer, inner);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  };
  if (path.parse(target).root === target) return `${folder} is the root of a drive`;
  const home = fold(places.home);
  if (target === home) return `${folder} is your home folder itself; choose a folder inside it`;
  for (const place of protectedPlaces(places)) {
    const protectedPath = fold(place.path);
    if (within(target, protectedPath) || within(protectedPath, target)) return `${folder} ${target === protectedPath ? 'is' : within(target, protectedPath) ? 'is inside' : 'holds'} ${place.what}`;
  }
  if (within(home, target)) return `${folder} holds your home folder`;
  const [first] = path.relative(home, target).split(path.sep);
  if (within(target, home) && first?.startsWith('.')) return `${folder} is inside a hidden settings folder of your home folder (${first})`;
  return undefined;
}

/** As `outputFolderProblem`, for the folder and for where its links lead (which is where files would be written). */
export async function checkOutputFolder(folder: string, places: SystemPlaces): Promise<string | undefined> {
  const problem = outputFolderProblem(folder, places);
  if (problem !== undefined) return problem;
  const real = await realpath(folder).catch(() => undefined);
  if (real === undefined || real === folder) return undefined;
  const followed = outputFolderProblem(real, places);
  return followed === undefined ? undefined : `${folder} leads to ${real}: ${followed.slice(real.length + 1)}`;
}
