// What each tray menu entry does, as calls on the app's commands (tested in Node with fakes).
import type { TrayAction } from './tray-model.js';

export interface TrayCommands {
  showWindow(view?: 'queue' | 'settings'): void;
  /** A native file dialog; the chosen files go to the window's submit dialog. */
  pickWorkflowFiles(): Promise<unknown>;
  cancelJob(serverId: string, jobId: string): Promise<unknown>;
  /** Asks the user first; resolves false when they said no. */
  confirm(message: string): Promise<boolean>;
  clearPending(serverId: string): Promise<unknown>;
  pauseQueue(serverId: string): Promise<unknown>;
  resumeQueue(serverId: string): Promise<unknown>;
  serverWebUrl(serverId: string): string | undefined;
  outputFolder(serverId: string): string | undefined;
  openExternal(url: string): Promise<unknown>;
  openFolder(path: string): Promise<unknown>;
  pauseNotifications(until: number): Promise<unknown>;
  resumeNotifications(): Promise<unknown>;
  quit(): void;
  now(): number;
  reportError(message: string): void;
}

export async function runTrayAction(action: TrayAction, commands: TrayCommands): Promise<void> {
  try {
    switch (action.type) {
      case 'open-window':
        commands.showWindow('queue');
        return;
      case 'open-settings':
        commands.showWindow('settings');
        return;
      case 'open-workflow':
        await commands.pickWorkflowFiles();
        return;
      case 'cancel-job':
        await commands.cancelJob(action.serverId, action.jobId);
        return;
      case 'clear-pending':
        if (await commands.confirm('Remove every job waiting on this server? Running jobs are not affected.')) await commands.clearPending(action.serverId);
        return;
      case 'pause-queue':
        await commands.pauseQueue(action.serverId);
        return;
      case 'resume-queue':
        await commands.resumeQueue(action.serverId);
        return;
      case 'open-web-ui': {
        const url = commands.serverWebUrl(action.serverId);
        if (url) await commands.openExternal(url);
        return;
      }
      case 'open-output-folder': {
        const folder = commands.outputFolder(action.serverId);
        if (folder) await commands.openFolder(folder);
        else commands.reportError('Saving outputs is off for this server.');
        return;
      }
      case 'pause-notifications':
        await commands.pauseNotifications(action.forMs === 'until-resumed' ? -1 : commands.now() + action.forMs);
        return;
      case 'resume-notifications':
        await commands.resumeNotifications();
        return;
      case 'quit':
        commands.quit();
        return;
    }
  } catch (error) {
    commands.reportError(error instanceof Error ? error.message : String(error));
  }
}
