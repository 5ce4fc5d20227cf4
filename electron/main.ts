// Composition root: build the core, build the shell, wire them.
import type { BrowserWindow } from 'electron';
import { Tray, app, dialog, ipcMain, nativeImage, nativeTheme, powerMonitor, shell } from 'electron';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { Engine } from './core/engine.js';
import { noticeFor, saveFailedNotification } from './core/notify/notification-model.js';
import { NotificationPlanner } from './core/notify/notification-planner.js';
import type { OutputOptions } from './core/outputs/output-options.js';
import { savedKey } from './core/outputs/saved-stage.js';
import type { OutputRef } from './shared/app-state.js';
import { PRODUCT_NAME, defaultDataDir } from './core/store/data-dir.js';
import type { Settings } from './core/store/settings-schema.js';
import { AppStore } from './core/store/app-store.js';
import { SettingsStore } from './core/store/settings-store.js';
import { openElectronKvStore } from './shell/electron-kv-store.js';
import { showNotification } from './shell/notifications.js';
import { safeStorageProtector } from './shell/safe-storage-protector.js';
import { hardenApp, openExternalSafely } from './shell/harden.js';
import { watchNetwork, wirePowerEvents } from './shell/power.js';
import { applyTrayModel } from './shell/tray.js';
import { runTrayAction, type TrayCommands } from './shell/tray-actions.js';
import { trayIconPath } from './shell/tray-icons.js';
import { registerHandlers } from './shell/ipc.js';
import { settingsHandlers, testConnection } from './shell/settings-handlers.js';
import { thumbnailOf } from './shell/thumbnail.js';
import { windowHandlers } from './shell/window-handlers.js';
import { workflowHandlers } from './shell/workflow-handlers.js';
import { fileArguments, readOpenedFiles } from './shell/opened-files.js';
import { discoverLocalServer } from './core/comfy/discover-local.js';
import { configureLogging } from './core/logger.js';
import { openLogFile } from './core/log-file.js';
import { WorkflowInbox } from './core/submit/inbox.js';
import type { EventMap } from './shared/ipc-contract.js';
import { trayModel } from './shell/tray-model.js';
import { createMainWindow } from './shell/window.js';

/** What the tray's Open workflow… dialog offers (the same list the window's picker and the packaging use). */
const WORKFLOW_EXTENSIONS = ['json', 'png', 'webp', 'jpg', 'jpeg', 'flac', 'mp3', 'opus', 'ogg', 'mp4', 'mov', 'webm', 'mkv', 'latent', 'safetensors'];

// Files opened with the app (macOS "Open With", a drop on the Dock icon) can arrive before the app is ready: they
// wait here until the window can take them.
const filesBeforeReady: string[] = [];
let openFiles: (paths: readonly string[]) => void = (paths) => void filesBeforeReady.push(...paths);
app.on('open-file', (event, path) => {
  event.preventDefault();
  openFiles([path]);
});

if (!app.requestSingleInstanceLock()) app.quit();
else void main();

/** Saving as the settings ask for it; the default folder is created, a chosen one must exist (it may be a drive). */
async function outputOptions(settings: Settings): Promise<OutputOptions> {
  const folder = settings.outputs.folder ?? join(app.getPath('pictures'), PRODUCT_NAME);
  if (settings.outputs.folder === undefined) await mkdir(folder, { recursive: true });
  const perServer = Object.fromEntries(
    settings.servers.map((server) => [server.id, { ...(server.saveOutputs !== undefined && { enabled: server.saveOutputs }), ...(server.outputFolder !== undefined && { folder: server.outputFolder }) }]),
  );
  return { folder, template: settings.outputs.template, saveTemp: settings.outputs.saveTemp, sidecar: settings.outputs.sidecar, perServer };
}

async function main(): Promise<void> {
  app.setPath('userData', defaultDataDir());
  app.setAppLogsPath(join(app.getPath('userData'), 'logs'));
  const logFile = openLogFile(app.getPath('logs'));
  configureLogging({ level: 'info', sink: logFile.sink });
  await app.whenReady();
  app.dock?.hide();

  const kv = openElectronKvStore();
  const { store: settings, warnings } = await SettingsStore.open(kv.store, safeStorageProtector());
  const engine = await Engine.create({
    dataDir: app.getPath('userData'),
    servers: settings.current.servers.filter((server) => server.enabled),
    maxJobsPerServer: settings.current.general.journalJobsPerServer,
    ...(settings.current.outputs.enabled && { outputs: await outputOptions(settings.current) }),
  });
  let window: BrowserWindow | undefined;
  const store = new AppStore({ servers: () => engine.servers(), jobs: () => engine.jobs() });
  engine.events.on('server', (server) => store.serverUpdated(server));
  engine.events.on('job', (job) => store.jobUpdated(job));
  engine.events.on('job-removed', ({ serverId, id }) => store.jobRemoved(serverId, id));
  // Patches go to the window only while it is visible; when shown again it starts from a fresh snapshot.
  store.subscribe((batch) => {
    if (window?.isVisible()) window.webContents.send('state:patches', batch);
  });

  // Messages for the page wait until it has loaded (a window created just now is not listening yet).
  let pageReady = false;
  type PageChannel = 'ui:show-view' | 'ui:focus-job' | 'ui:workflows-opened';
  const toPage: { channel: PageChannel; payload: unknown }[] = [];
  const sendToPage = <C extends PageChannel>(channel: C, payload: EventMap[C]): void => {
    if (window && pageReady) window.webContents.send(channel, payload);
    else toPage.push({ channel, payload });
  };
  const showWindow = (focus?: { view?: 'queue' | 'settings'; serverId?: string; jobId?: string }): void => {
    if (!window) {
      window = createMainWindow(join(__dirname, 'preload.cjs'));
      window.on('close', (event) => {
        if (!quitting) {
          event.preventDefault();
          window?.hide();
        }
      });
      window.webContents.once('did-finish-load', () => {
        pageReady = true;
        for (const message of toPage.splice(0)) window?.webContents.send(message.channel, message.payload);
      });
      void window.loadFile(join(__dirname, 'renderer', 'index.html'));
      window.once('ready-to-show', () => window?.show());
    } else {
      window.show();
      window.webContents.send('state:snapshot', store.snapshot());
    }
    if (focus?.view) sendToPage('ui:show-view', focus.view);
    if (focus?.serverId !== undefined && focus.jobId !== undefined) sendToPage('ui:focus-job', { serverId: focus.serverId, jobId: focus.jobId });
    window.focus();
  };

  const resourcesDir = app.isPackaged ? process.resourcesPath : join(__dirname, '..', 'resources');
  const tray = new Tray(nativeImage.createFromPath(trayIconPath(resourcesDir, 'idle', process.platform)));
  // Failures and save failures since the user last opened the window: the tray asks for attention until then.
  let unseenProblems = 0;
  engine.events.on('job-finished', (job) => {
    if (job.status === 'failed' || job.status === 'lost') unseenProblems++;
  });
  engine.events.on('save-failed', () => unseenProblems++);
  const serverUrl = (id: string): string | undefined => settings.current.servers.find((s) => s.id === id)?.url;
  const isConfiguredServer = (url: URL): boolean => settings.current.servers.some((s) => new URL(s.url).origin === url.origin);
  const commands: TrayCommands = {
    showWindow: (view) => {
      unseenProblems = 0;
      showWindow(view ? { view } : undefined);
    },
    pickWorkflowFiles: async () => {
      const picked = await dialog.showOpenDialog({
        title: 'Open workflow',
        properties: ['openFile', 'multiSelections'],
        filters: [{ name: 'Workflows and files with an embedded workflow', extensions: WORKFLOW_EXTENSIONS }],
      });
      if (!picked.canceled) openFiles(picked.filePaths);
    },
    cancelJob: (serverId, jobId) => engine.cancel(serverId, jobId),
    confirm: async (message) => (await dialog.showMessageBox({ type: 'question', message, buttons: ['Remove', 'Keep'], defaultId: 1, cancelId: 1 })).response === 0,
    clearPending: (serverId) => engine.clearPending(serverId),
    serverWebUrl: serverUrl,
    outputFolder: (serverId) => {
      const server = settings.current.servers.find((s) => s.id === serverId);
      if (!settings.current.outputs.enabled || server?.saveOutputs === false) return undefined;
      return server?.outputFolder ?? settings.current.outputs.folder ?? join(app.getPath('pictures'), PRODUCT_NAME);
    },
    openExternal: (url) => openExternalSafely(url, isConfiguredServer),
    openFolder: (path) => shell.openPath(path),
    pauseNotifications: (until) => settings.update((s) => ({ ...s, notifications: { ...s.notifications, pausedUntil: until } })),
    resumeNotifications: () => settings.update((s) => ({ ...s, notifications: { ...s.notifications, pausedUntil: undefined } })),
    quit: () => app.quit(),
    now: () => Date.now(),
    reportError: (message) => showNotification(noticeFor(message), notificationActions),
  };
  // The tray follows the same state as the window, at most once a second: its icon moves in 10% steps, and a menu
  // rebuilt thirty times a second would close under the user's pointer.
  let trayTimer: NodeJS.Timeout | undefined;
  let trayLast = 0;
  const refresh = (): void => {
    if (trayTimer) return;
    const wait = Math.max(0, trayLast + 1_000 - Date.now());
    trayTimer = setTimeout(() => {
      trayTimer = undefined;
      trayLast = Date.now();
      applyTray();
    }, wait);
  };
  const applyTray = (): void => {
    const model = trayModel({
      snapshot: store.snapshot(),
      unseenProblems,
      now: Date.now(),
      ...(settings.current.notifications.pausedUntil !== undefined && { notificationsPausedUntil: settings.current.notifications.pausedUntil }),
    });
    applyTrayModel(tray, model, resourcesDir, (action) => void runTrayAction(action, commands), window);
  };
  store.subscribe(refresh);
  settings.events.on('changed', refresh);
  tray.on('click', () => commands.showWindow());
  hardenApp(isConfiguredServer);

  const savedPath = (serverId: string, jobId: string, output: OutputRef): string | undefined =>
    engine.outputs?.saveState(serverId, jobId)?.files[savedKey(output)]?.path;
  const serverName = (id: string): string => settings.current.servers.find((s) => s.id === id)?.name ?? id;
  const notificationActions = {
    openJob: (target: { serverId?: string; jobId?: string }) => {
      unseenProblems = 0;
      showWindow({ view: 'queue', ...target });
    },
    thumbnailPath: (thumb: { serverId: string; jobId: string; output: OutputRef }) => savedPath(thumb.serverId, thumb.jobId, thumb.output),
    openFile: (path: string) => void shell.openPath(path),
    showInFolder: (path: string) => shell.showItemInFolder(path),
  };
  const planner = new NotificationPlanner(() => ({ settings: settings.current, serverName }), (content) => showNotification(content, notificationActions));
  engine.events.on('save-failed', (failure) => {
    if (settings.current.notifications.enabled) showNotification(saveFailedNotification(failure, { settings: settings.current, serverName }), notificationActions);
  });
  engine.events.on('job-finished', (job) => {
    // Catch-ups arrive together as a digest instead.
    if (!job.caughtUp) planner.finished(job);
    const busy = engine.jobs(job.serverId).some((j) => j.status === 'pending' || j.status === 'running');
    if (!busy) planner.queueDrained(job.serverId);
  });
  engine.events.on('digest', ({ jobs }) => planner.digest(jobs));
  for (const warning of [kv.warning, ...warnings, ...engine.warnings]) {
    if (warning) showNotification(noticeFor(warning), notificationActions);
  }

  // Servers, saving and the journal size shape the engine itself: a change restarts the app (the journal makes that
  // lossless); everything else (notifications, pause, login item) applies at once.
  const engineShape = (value: Settings): string => JSON.stringify([value.servers, value.outputs, value.general.journalJobsPerServer]);
  const startedWith = engineShape(settings.current);
  settings.events.on('changed', (next) => {
    if (engineShape(next) === startedWith || quitting) return;
    quitting = true;
    void engine.stop().finally(() => {
      app.relaunch();
      app.exit(0);
    });
  });
  const settingsChannels = settingsHandlers({
    settings,
    testConnection: (config) => testConnection(config),
    pickFolder: async () => {
      const options = { properties: ['openDirectory', 'createDirectory'] as ('openDirectory' | 'createDirectory')[] };
      const picked = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
      return picked.canceled ? undefined : picked.filePaths[0];
    },
  });
  const savedOutputPath = (serverId: string, jobId: string, index: number): string | undefined => {
    const output = engine.job(serverId, jobId)?.outputs[index];
    return output && savedPath(serverId, jobId, output);
  };
  const windowChannels = windowHandlers({
    removePending: (serverId, jobIds) => engine.removePending(serverId, jobIds),
    clearPending: (serverId) => engine.clearPending(serverId),
    rerun: (serverId, jobId) => engine.rerun(serverId, jobId),
    latestPreview: (serverId, jobId) => engine.latestPreview(serverId, jobId),
    outputImage: (serverId, jobId, index) => engine.outputImage(serverId, jobId, index),
    thumbnail: thumbnailOf,
    savedOutputPath,
    openPath: (path) => shell.openPath(path),
    showItemInFolder: (path) => shell.showItemInFolder(path),
    serverWebUrl: serverUrl,
    openExternal: (url) => openExternalSafely(url, isConfiguredServer),
    discoverLocal: () => discoverLocalServer(),
    logFolder: () => app.getPath('logs'),
  });
  const inbox = new WorkflowInbox(engine);
  const workflowChannels = workflowHandlers(inbox);
  registerHandlers(
    ipcMain,
    {
      'state:get-snapshot': () => store.snapshot(),
      'jobs:cancel': (serverId, jobId) => engine.cancel(serverId, jobId),
      ...settingsChannels.handlers,
      ...windowChannels.handlers,
      ...workflowChannels.handlers,
    },
    {
      'state:get-snapshot': z.tuple([]),
      'jobs:cancel': z.tuple([z.string().min(1).max(500), z.string().min(1).max(200)]),
      ...settingsChannels.schemas,
      ...windowChannels.schemas,
      ...workflowChannels.schemas,
    },
    (sender) => window !== undefined && sender === window.webContents,
  );

  // Files from outside the window are read here and handed to the window, which asks where to run them.
  openFiles = (paths) => {
    if (paths.length === 0) return;
    void (async () => {
      const { files, failures } = await readOpenedFiles(paths);
      const opened = [...failures, ...(files.length > 0 ? await inbox.open(files) : [])];
      showWindow({ view: 'queue' });
      sendToPage('ui:workflows-opened', opened);
    })();
  };
  tray.on('drop-files', (_event, paths) => openFiles(paths));
  openFiles([...filesBeforeReady.splice(0), ...fileArguments(process.argv, process.cwd(), process.defaultApp === true)]);

  wirePowerEvents(powerMonitor, engine);
  const stopNetworkWatch = watchNetwork(() => engine.reconnectNow());
  // Start at login as the settings say (macOS and Windows; Linux desktops use autostart entries the user manages).
  const applyLoginItem = (): void => app.setLoginItemSettings({ openAtLogin: settings.current.general.startAtLogin, openAsHidden: true });
  applyLoginItem();
  settings.events.on('changed', applyLoginItem);
  // The chosen theme also drives native parts (menus, dialogs, the window frame); the page follows it by itself.
  const applyTheme = (): void => void (nativeTheme.themeSource = settings.current.general.theme);
  applyTheme();
  settings.events.on('changed', applyTheme);
  app.on('second-instance', (_event, argv, workingDirectory) => {
    const paths = fileArguments(argv, workingDirectory, process.defaultApp === true);
    if (paths.length > 0) openFiles(paths);
    else commands.showWindow();
  });
  app.on('window-all-closed', () => {
    // A tray app keeps running without windows.
  });
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    event.preventDefault();
    stopNetworkWatch();
    void engine
      .stop()
      .then(() => logFile.close())
      .finally(() => app.exit(0));
  });

  engine.start();
  refresh();
}
