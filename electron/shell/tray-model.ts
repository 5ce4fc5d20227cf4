// What the tray shows, computed from the snapshot alone (tested in Node; tray.ts only applies it).
import type { JobView, ServerView } from '../shared/app-state.js';
import type { AppSnapshot } from '../shared/ipc-contract.js';

export type TrayIconState = 'idle' | 'running' | 'attention' | 'offline';

export type TrayMenuItem =
  | { readonly kind: 'label'; readonly label: string }
  | { readonly kind: 'separator' }
  | { readonly kind: 'action'; readonly label: string; readonly action: TrayAction };

export type TrayAction = { readonly type: 'open-window' } | { readonly type: 'cancel-job'; readonly serverId: string; readonly jobId: string } | { readonly type: 'quit' };

export interface TrayModel {
  readonly icon: TrayIconState;
  readonly tooltip: string;
  readonly menu: readonly TrayMenuItem[];
}

export function trayModel(snapshot: AppSnapshot): TrayModel {
  const lines = snapshot.servers.map((server) => serverLine(server, jobsOf(snapshot, server.id)));
  const menu: TrayMenuItem[] = [];
  for (const server of snapshot.servers) {
    menu.push({ kind: 'label', label: serverLine(server, jobsOf(snapshot, server.id)) });
    const running = jobsOf(snapshot, server.id).find((job) => job.status === 'running');
    if (running) menu.push({ kind: 'action', label: `Cancel current job on ${server.name}`, action: { type: 'cancel-job', serverId: server.id, jobId: running.id } });
  }
  if (menu.length > 0) menu.push({ kind: 'separator' });
  menu.push({ kind: 'action', label: 'Open Comfy Tray', action: { type: 'open-window' } }, { kind: 'separator' }, { kind: 'action', label: 'Quit', action: { type: 'quit' } });
  return { icon: iconState(snapshot), tooltip: ['Comfy Tray', ...lines].join('\n'), menu };
}

function jobsOf(snapshot: AppSnapshot, serverId: string): JobView[] {
  return snapshot.jobs.filter((job) => job.serverId === serverId);
}

function serverLine(server: ServerView, jobs: readonly JobView[]): string {
  if (server.state !== 'connected') return `${server.name}: ${server.state}`;
  const running = jobs.find((job) => job.status === 'running');
  const pending = jobs.filter((job) => job.status === 'pending').length;
  const percent = running?.progress?.overall === undefined ? '' : ` ${Math.round(running.progress.overall * 100)}%`;
  return `${server.name}: ${running ? `running${percent}` : 'idle'}${pending > 0 ? `, ${pending} queued` : ''}`;
}

function iconState(snapshot: AppSnapshot): TrayIconState {
  if (snapshot.servers.length > 0 && snapshot.servers.every((s) => s.state !== 'connected')) return 'offline';
  if (snapshot.servers.some((s) => s.state === 'auth-failed')) return 'attention';
  if (snapshot.jobs.some((job) => job.status === 'running')) return 'running';
  return 'idle';
}
