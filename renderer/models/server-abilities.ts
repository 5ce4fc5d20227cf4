// What the window offers for a server's jobs, from what the main process says of the server: moves only where its
// queue can be steered (ComfyUI; the view says why not elsewhere), removing and ticking only where its queue is the
// app's to change (ComfyControl runs are cancelled in ComfyControl). A job's server keeps its kind and abilities while
// the window is open: read once, without a subscription to every server change.
import type { ServerView } from '../../electron/shared/app-state.js';

/** Why jobs of this server cannot be moved, or undefined when they can (a server not known yet: the main process answers). */
export function steeringRefusal(servers: readonly ServerView[], serverId: string): string | undefined {
  return servers.find((server) => server.id === serverId)?.steeringUnavailable;
}

/** Whether pending jobs of this server can be removed from its queue by this app. */
export function removable(servers: readonly ServerView[], serverId: string): boolean {
  return servers.find((server) => server.id === serverId)?.kind !== 'comfycontrol';
}
