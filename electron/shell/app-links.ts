// Links that open Comfy Tray (`comfytray://…`), from a browser, a chat or a script: parsed strictly, as input from
// outside. One kind today: `comfytray://comfycontrol/<run id>` follows a ComfyControl run (`?server=<id>` picks one of
// several ComfyControl servers). Anything else is refused; no part of a link is ever opened or fetched as a URL.
import type { ServerKind } from '../shared/app-state.js';

export const APP_PROTOCOL = 'comfytray';

export interface FollowRunLink {
  readonly kind: 'comfycontrol-run';
  readonly runId: string;
  readonly serverId?: string;
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,199}$/;
const SERVER_ID = /^[\x21-\x7e]{1,200}$/;
const MAX_LINK_LENGTH = 2_000;

/** The link's meaning, or undefined for anything that is not exactly a link this app knows. */
export function parseAppLink(text: string): FollowRunLink | undefined {
  if (typeof text !== 'string' || text.length > MAX_LINK_LENGTH) return undefined;
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== `${APP_PROTOCOL}:` || url.hostname.toLowerCase() !== 'comfycontrol' || url.username !== '' || url.password !== '' || url.port !== '') return undefined;
  const segments = url.pathname.split('/').filter((segment) => segment !== '');
  const runId = segments.length === 1 ? decodeSegment(segments[0]!) : undefined;
  if (runId === undefined || !RUN_ID.test(runId)) return undefined;
  const keys = [...url.searchParams.keys()];
  if (keys.some((key) => key !== 'server') || keys.length > 1) return undefined;
  const serverId = url.searchParams.get('server') ?? undefined;
  if (serverId !== undefined && !SERVER_ID.test(serverId)) return undefined;
  return { kind: 'comfycontrol-run', runId, ...(serverId !== undefined && { serverId }) };
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The `comfytray:` links among a launch's arguments (Windows and Linux hand them over on the command line). */
export function linkArguments(argv: readonly string[]): string[] {
  return argv.filter((arg) => arg.toLowerCase().startsWith(`${APP_PROTOCOL}:`));
}

/** Which server follows the run: the one the link names, else the only ComfyControl server switched on. */
export function linkServer(
  link: FollowRunLink,
  servers: readonly { readonly id: string; readonly kind?: ServerKind; readonly enabled: boolean }[],
): { serverId: string } | { problem: string } {
  const candidates = servers.filter((server) => server.kind === 'comfycontrol' && server.enabled);
  if (link.serverId !== undefined) {
    return candidates.some((server) => server.id === link.serverId)
      ? { serverId: link.serverId }
      : { problem: 'The link names a ComfyControl server that is not set up (or is switched off) here.' };
  }
  if (candidates.length === 1) return { serverId: candidates[0]!.id };
  return candidates.length === 0
    ? { problem: 'Add your ComfyControl account in Settings to follow runs from links.' }
    : { problem: 'Several ComfyControl servers are set up: paste the run id into the one that should follow it.' };
}
