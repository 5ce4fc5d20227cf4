// What the tray shows, computed from the state alone (tested in Node; tray adapters only apply it): the icon for the
// aggregate over all servers, a tooltip line per server, a short macOS title, and the context menu.
import type { JobView, ServerView } from '../shared/app-state.js';
import type { AppSnapshot } from '../shared/ipc-contract.js';

/** Icon names match the files scripts/make-icons.ts writes into resources/tray/. */
export type TrayIconName = 'idle' | 'attention' | 'offline' | 'paused' | `running-${number}`;

export interface TrayState {
  readonly snapshot: AppSnapshot;
  /** Epoch ms, -1 = until resumed; absent = not paused. */
  readonly notificationsPausedUntil?: number;
  /** Failures (of jobs or of saving) the user has not looked at yet. */
  readonly unseenProblems: number;
  readonly now: number;
}

export type TrayAction =
  | { readonly type: 'open-window' }
  | { readonly type: 'open-settings' }
  | { readonly type: 'open-workflow' }
  | { readonly type: 'cancel-job'; readonly serverId: string; readonly jobId: string }
  | { readonly type: 'clear-pending'; readonly serverId: string }
  | { readonly type: 'pause-queue'; readonly serverId: string }
  | { readonly type: 'resume-queue'; readonly serverId: string }
  | { readonly type: 'open-web-ui'; readonly serverId: string }
  | { readonly type: 'open-output-folder'; readonly serverId: string }
  | { readonly type: 'pause-notifications'; readonly forMs: number | 'until-resumed' }
  | { readonly type: 'resume-notifications' }
  | { readonly type: 'quit' };

export type TrayMenuItem =
  | { readonly kind: 'label'; readonly label: string }
  | { readonly kind: 'separator' }
  | { readonly kind: 'action'; readonly label: string; readonly action: TrayAction; readonly enabled?: boolean }
  | { readonly kind: 'submenu'; readonly label: string; readonly items: readonly TrayMenuItem[] };

export interface TrayModel {
  readonly icon: TrayIconName;
  readonly tooltip: string;
  /** macOS shows this beside the icon: overall % of the running jobs and the number waiting. */
  readonly title: string;
  readonly menu: readonly TrayMenuItem[];
  /** Window taskbar progress (0…1) or undefined when nothing runs. */
  readonly progress?: number;
  /** Dock badge: jobs waiting or running. */
  readonly badgeCount: number;
}

const HOUR = 60 * 60 * 1000;

export function trayModel(state: TrayState): TrayModel {
  const { snapshot } = state;
  const byServer = new Map<string, JobView[]>(snapshot.servers.map((s) => [s.id, []]));
  for (const job of snapshot.jobs) byServer.get(job.serverId)?.push(job);
  const running = snapshot.jobs.filter((job) => job.status === 'running');
  const waiting = snapshot.jobs.filter((job) => job.status === 'pending').length;
  const progress = running.length === 0 ? undefined : running.reduce((sum, job) => sum + (job.progress?.overall ?? 0), 0) / running.length;
  const paused = isPaused(state);
  return {
    icon: iconName(state, progress, paused),
    tooltip: [tooltipHeading(snapshot.servers), ...snapshot.servers.map((server) => serverLine(server, byServer.get(server.id) ?? [], state.now)), ...(paused ? ['Notifications paused'] : [])].join('\n'),
    title: progress === undefined ? (waiting > 0 ? `${waiting}` : '') : `${Math.round(progress * 100)}%${waiting > 0 ? ` · ${waiting}` : ''}`,
    menu: [
      ...snapshot.servers.map((server) => serverMenu(server, byServer.get(server.id) ?? [], state.now)),
      ...(snapshot.servers.length > 0 ? [{ kind: 'separator' } as const] : []),
      { kind: 'action', label: 'Open Comfy Tray', action: { type: 'open-window' } },
      // Where the tray icon takes no drops (Windows, Linux), a file dialog is the way to queue a workflow file.
      { kind: 'action', label: 'Open workflow…', action: { type: 'open-workflow' }, enabled: snapshot.servers.length > 0 },
      paused
        ? { kind: 'action', label: 'Resume notifications', action: { type: 'resume-notifications' } }
        : {
            kind: 'submenu',
            label: 'Pause notifications',
            items: [
              { kind: 'action', label: 'For 1 hour', action: { type: 'pause-notifications', forMs: HOUR } },
              { kind: 'action', label: 'Until resumed', action: { type: 'pause-notifications', forMs: 'until-resumed' } },
            ],
          },
      { kind: 'action', label: 'Settings…', action: { type: 'open-settings' } },
      { kind: 'separator' },
      // Always there, always enabled: a tray app must never be impossible to quit.
      { kind: 'action', label: 'Quit Comfy Tray', action: { type: 'quit' } },
    ],
    ...(progress !== undefined && { progress }),
    badgeCount: running.length + waiting,
  };
}

function isPaused(state: TrayState): boolean {
  const until = state.notificationsPausedUntil;
  return until !== undefined && (until === -1 || until > state.now);
}

/**
 * A server the user cannot use until something changes: it stayed unreachable, refused our credentials, or is not a
 * ComfyUI. Connecting (at start) and reconnecting (a short glitch) are not counted: the icon would flicker for them.
 */
function unusable(server: ServerView): boolean {
  return server.state === 'offline' || server.state === 'auth-failed' || server.state === 'incompatible';
}

/** Names the servers that are down when only some are, so "one of three offline" is not hidden behind idle. */
function tooltipHeading(servers: readonly ServerView[]): string {
  const down = servers.filter(unusable).length;
  return down > 0 && down < servers.length ? `Comfy Tray: ${down} of ${servers.length} servers unavailable` : 'Comfy Tray';
}

/**
 * The icon says the one thing most worth knowing, in this order (the issue's groups: attention is a failure not yet
 * seen; "offline or auth failure" is one group, a server that cannot be used):
 * 1. attention: a job or a save failed and the window has not been opened since;
 * 2. offline: no server is connected at all (nothing can run);
 * 3. running, in 10% steps: progress matters more than a spare server being down, which the tooltip still names;
 * 4. offline: nothing runs and at least one server is unusable (offline, sign-in refused, not ComfyUI), even when
 *    others are fine: "degraded" shows as offline rather than idle, so a lost or locked-out server is noticed;
 * 5. paused (notifications, or a queue this app holds), else idle.
 */
function iconName(state: TrayState, progress: number | undefined, paused: boolean): TrayIconName {
  const { servers } = state.snapshot;
  if (state.unseenProblems > 0) return 'attention';
  if (servers.length > 0 && servers.every((s) => s.state !== 'connected')) return 'offline';
  // Ten steps are enough to see movement and keep the number of icon files small.
  if (progress !== undefined) return `running-${Math.min(10, Math.floor(progress * 10))}`;
  if (servers.some(unusable)) return 'offline';
  return paused || servers.some((s) => s.queuePaused === true) ? 'paused' : 'idle';
}

/**
 * Said once as the app starts when it quit with queues paused: those servers run nothing new until resumed, which is
 * easy to forget overnight. Undefined when no queue is paused.
 */
export function pausedQueuesNotice(servers: readonly ServerView[]): string | undefined {
  const paused = servers.filter((server) => server.queuePaused === true);
  if (paused.length === 0) return undefined;
  const parts = paused.map((server) => `${server.name} (${heldText(server.heldJobs ?? 0)})`);
  return `Queue still paused: ${parts.join(', ')}. Nothing new runs there until you resume it from the window or the tray menu.`;
}

function heldText(held: number): string {
  return held === 1 ? '1 job held' : `${held} jobs held`;
}

export function connectionText(server: ServerView, now: number): string {
  switch (server.state) {
    case 'connected': {
      const connected = server.version ? `connected, ComfyUI ${server.version}` : 'connected';
      return server.problem ? `${connected}; ${server.problem.message}` : connected;
    }
    case 'connecting':
      return 'connecting…';
    case 'reconnecting':
    case 'offline': {
      const seconds = server.nextRetryAt === undefined ? undefined : Math.max(0, Math.ceil((server.nextRetryAt - now) / 1000));
      return seconds === undefined ? server.state : `${server.state}, retrying in ${seconds} s`;
    }
    case 'auth-failed':
      return 'sign-in failed: check the credentials';
    case 'incompatible':
      return 'not a ComfyUI server';
  }
}

function serverLine(server: ServerView, jobs: readonly JobView[], now: number): string {
  const pausedText = server.queuePaused === true ? `queue paused, ${heldText(server.heldJobs ?? 0)}` : undefined;
  if (server.state !== 'connected') return `${server.name}: ${connectionText(server, now)}${pausedText ? `; ${pausedText}` : ''}`;
  const running = jobs.find((job) => job.status === 'running');
  const pending = jobs.filter((job) => job.status === 'pending' && job.held !== true).length;
  const percent = running?.progress?.overall === undefined ? '' : ` ${Math.round(running.progress.overall * 100)}%`;
  // A server whose lists cannot be read says so first: its "idle" would not be true of other clients' jobs.
  const problem = server.problem ? `${server.problem.message.split(':', 1)[0]}, ` : '';
  return `${server.name}: ${problem}${running ? `running${percent}` : 'idle'}${pending > 0 ? `, ${pending} queued` : ''}${pausedText ? `, ${pausedText}` : ''}`;
}

function serverMenu(server: ServerView, jobs: readonly JobView[], now: number): TrayMenuItem {
  const running = jobs.find((job) => job.status === 'running');
  const pending = jobs.filter((job) => job.status === 'pending').length;
  const percent = running?.progress?.overall === undefined ? '' : ` ${Math.round(running.progress.overall * 100)}%`;
  return {
    kind: 'submenu',
    label: serverLine(server, jobs, now),
    items: [
      { kind: 'label', label: connectionText(server, now) },
      { kind: 'label', label: running ? `Running: ${running.workflowName ?? running.id.slice(0, 8)}${percent}` : 'Nothing running' },
      { kind: 'label', label: `${pending} waiting` },
      { kind: 'separator' },
      ...(running ? [{ kind: 'action', label: 'Cancel current job', action: { type: 'cancel-job', serverId: server.id, jobId: running.id } } as const] : []),
      // Steering is offered only where the server's queue can be steered (not a hosted service's).
      ...(server.queuePaused === true
        ? [{ kind: 'action', label: `Resume queue (${heldText(server.heldJobs ?? 0)})`, action: { type: 'resume-queue', serverId: server.id } } as const]
        : server.steeringUnavailable === undefined
          ? [{ kind: 'action', label: 'Pause queue', action: { type: 'pause-queue', serverId: server.id }, enabled: server.state === 'connected' } as const]
          : []),
      { kind: 'action', label: 'Clear pending jobs…', action: { type: 'clear-pending', serverId: server.id }, enabled: pending > 0 },
      { kind: 'action', label: 'Open web UI', action: { type: 'open-web-ui', serverId: server.id } },
      { kind: 'action', label: 'Open output folder', action: { type: 'open-output-folder', serverId: server.id } },
    ],
  };
}
