// Composition root: build the core, build the shell, wire them.
// First, before any other module loads: V8's young generation keeps the size it starts with.
import './core/runtime/hold-young-generation-at-start.js';
import type { BrowserWindow } from 'electron';
import { Notification, Tray, app, clipboard, dialog, ipcMain, nativeImage, nativeTheme, powerMonitor, safeStorage, shell } from 'electron';
import { join } from 'node:path';
import { z } from 'zod';
import { Engine } from './core/engine.js';
import { noticeFor } from './core/notify/notification-model.js';
import { NotificationPlanner } from './core/notify/notification-planner.js';
import { Forwarder } from './core/notify/forwarder.js';
import { mayBeImage } from './core/outputs/image-sniff.js';
import { checkOutputFolder, systemPlaces, type SystemPlaces } from './core/outputs/output-folder-policy.js';
import { savedKey } from './core/outputs/saved-stage.js';
import type { OutputRef } from './shared/app-state.js';
import { PRODUCT_NAME, defaultDataDir } from './core/store/data-dir.js';
import type { Settings } from './core/store/settings-schema.js';
import { AppStore } from './core/store/app-store.js';
import { SettingsStore } from './core/store/settings-store.js';
import { openElectronKvStore } from './shell/electron-kv-store.js';
import { createNotifier, type Thumbnail } from './shell/notifications.js';
import { safeStorageProtector } from './shell/safe-storage-protector.js';
import { hardenApp, openExternalSafely } from './shell/harden.js';
import { underAnyBase } from './shell/external-url.js';
import { DataDirLock, DataDirLockedError } from './core/store/data-dir-lock.js';
import { watchNetwork, wirePowerEvents } from './shell/power.js';
import { electronTrayView } from './shell/tray.js';
import { TrayController } from './shell/tray-controller.js';
import { systemClock } from './shell/shell-clock.js';
import { DockSync } from './shell/dock.js';
import { WindowStateFeed } from './shell/window-feed.js';
import { stopThenExit } from './shell/quit-deadline.js';
import { startAtLoginFollower } from './shell/start-at-login.js';
import { outputFolderFor, prepareOutputOptions } from './shell/output-settings.js';
import { runTrayAction, type TrayCommands } from './shell/tray-actions.js';
import { trayIconPath } from './shell/tray-icons.js';
import { pausedQueuesNotice } from './shell/tray-model.js';
import { registerHandlers } from './shell/ipc.js';
import { settingsHandlers, testConnection } from './shell/settings-handlers.js';
import { forwardingHandlers } from './shell/forwarding-handlers.js';
import { thumbnailOf } from './shell/thumbnail.js';
import { windowHandlers } from './shell/window-handlers.js';
import { workflowHandlers } from './shell/workflow-handlers.js';
import { fileArguments, readOpenedFiles } from './shell/opened-files.js';
import { discoverLocalServer } from './core/comfy/discover-local.js';
import { errorCode, errorMessage } from './core/errors.js';
import { HELP, mcpSwitchArgs, parseCli } from './cli/args.js';
import { defaultOutputFolder } from './core/outputs/default-output-folder.js';
import { runMcpCommand } from './mcp/mcp-command.js';
import { configureLogging } from './core/logger.js';
import { openLogFile } from './core/log-file.js';
import { WorkflowInbox } from './core/submit/inbox.js';
import type { EventMap } from './shared/ipc-contract.js';
import { createMainWindow } from './shell/window.js';
import { APP_PROTOCOL, linkArguments, linkServer, parseAppLink } from './shell/app-links.js';

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
// `comfytray://` links (macOS hands them over as open-url, also before the app is ready).
const linksBeforeReady: string[] = [];
let openLinks: (links: readonly string[]) => void = (links) => void linksBeforeReady.push(...links);
app.on('open-url', (event, url) => {
  event.preventDefault();
  openLinks([url]);
});

// `--mcp`: this process is an MCP server on stdin/stdout for an AI agent, beside the tray app if it runs: no window,
// no tray, no single-instance lock (the app may be running) and no data-folder lock (it works on a copy).
const mcpArgs = mcpSwitchArgs(process.argv);
if (mcpArgs !== undefined) {
  void serveMcp(mcpArgs);
} else {
  // Before the single-instance lock: Electron keys that lock by the userData folder, and the data-folder lock below
  // relies on it covering this very folder.
  app.setPath('userData', defaultDataDir());
  if (!app.requestSingleInstanceLock()) app.quit();
  else
    main().catch((error: unknown) => {
      // Without a tray there is nothing to quit from: say what went wrong and exit (the data-folder lock goes with
      // the process), rather than linger invisible holding the single-instance and data-folder locks.
      dialog.showErrorBox(`${PRODUCT_NAME} could not start`, errorMessage(error));
      app.exit(1);
    });
}

async function serveMcp(args: readonly string[]): Promise<void> {
  // No Dock icon on macOS for a process that only serves stdio.
  app.dock?.hide();
  try {
    const cli = parseCli(['mcp', ...args]);
    if (cli.command !== 'mcp') {
      process.stderr.write(HELP);
      app.exit(0);
      return;
    }
    app.exit(await runMcpCommand(cli, appOutputFolder()));
  } catch (error) {
    process.stderr.write(`comfy-tray: ${errorMessage(error)}${errorCode(error) ? ` [${errorCode(error)}]` : ''}\n`);
    app.exit(2);
  }
}

/** Where outputs go when the settings name no folder (a declaration: `serveMcp` runs before the module's consts). */
function appOutputFolder(): string {
  return defaultOutputFolder(app.getPath('pictures'));
}

async function main(): Promise<void> {
  app.setAppLogsPath(join(app.getPath('userData'), 'logs'));
  const logFile = openLogFile(app.getPath('logs'));
  configureLogging({ level: 'info', sink: logFile.sink });
  await app.whenReady();
  // One writer per data folder: a headless `watch` on the same folder would erase what the app records, and the
  // other way round. Without the lock the app does not start, rather than lose jobs or outputs.
  const dataLock = await takeDataDirLock(app.getPath('userData'));
  if (!dataLock) {
    app.exit(0);
    return;
  }
  // No dock icon while only the tray runs; the window brings it (and with it the badge and progress) while shown.
  const dock = new DockSync(app.dock);
  void dock.update(undefined);

  const kv = openElectronKvStore();
  // The folders outputs may never go to, for this user and this data folder.
  const places: SystemPlaces = { ...systemPlaces(app.getPath('userData')), home: app.getPath('home') };
  const { store: settings, warnings } = await SettingsStore.open(kv.store, safeStorageProtector(safeStorage), { places });
  const outputs = await prepareOutputOptions(settings.current, appOutputFolder());
  const engine = await Engine.create({
    dataDir: app.getPath('userData'),
    servers: settings.current.servers.filter((server) => server.enabled),
    maxJobsPerServer: settings.current.general.journalJobsPerServer,
    ...(outputs && { outputs }),
  });
  let window: BrowserWindow | undefined;
  const store = new AppStore({ servers: () => engine.servers(), jobs: () => engine.jobs() });
  engine.events.on('server', (server) => store.serverUpdated(server));
  engine.events.on('job', (job) => store.jobUpdated(job));
  engine.events.on('job-removed', ({ serverId, id }) => store.jobRemoved(serverId, id));
  // Patches go to the window only while it is visible; each time it becomes visible it gets a fresh snapshot.
  const feed = new WindowStateFeed(store, () => {
    const current = window;
    return current && { isVisible: () => current.isVisible(), send: (channel, payload) => current.webContents.send(channel, payload) };
  });
  store.subscribe((batch) => feed.patches(batch));

  // Messages for the page wait until it has loaded (a window created just now is not listening yet).
  let pageReady = false;
  type PageChannel = 'ui:show-view' | 'ui:focus-job' | 'ui:workflows-opened';
  const toPage: { channel: PageChannel; payload: unknown }[] = [];
  const sendToPage = <C extends PageChannel>(channel: C, payload: EventMap[C]): void => {
    if (window && pageReady) window.webContents.send(channel, payload);
    else toPage.push({ channel, payload });
  };
  const presence = (): { visible: boolean; minimized: boolean } | undefined =>
    window && !window.isDestroyed() ? { visible: window.isVisible(), minimized: window.isMinimized() } : undefined;
  // Device and memory figures are read only while someone can see them.
  const followHealth = (): void => {
    const seen = presence();
    engine.watchHealth(seen !== undefined && seen.visible && !seen.minimized);
  };
  const showWindow = (focus?: { view?: 'queue' | 'settings'; serverId?: string; jobId?: string }): void => {
    // Opening the window is seeing the failures: the tray stops asking for attention.
    trayController.windowOpened();
    if (!window) {
      window = createMainWindow(join(__dirname, 'preload.cjs'));
      window.on('close', (event) => {
        if (!quitting) {
          event.preventDefault();
          window?.hide();
        }
      });
      // Becoming visible: a fresh snapshot (patches stopped while hidden) and the dock icon; hidden: no dock icon.
      const visible = (): void => {
        feed.shown();
        followHealth();
        // macOS activates the app when the dock icon appears: focus once it is there, or the window opens behind.
        void dock.update(presence()).then(() => {
          if (window?.isVisible()) window.focus();
        });
      };
      window.on('show', visible);
      window.on('restore', visible);
      window.on('hide', () => {
        followHealth();
        void dock.update(presence());
      });
      window.on('minimize', () => {
        followHealth();
        void dock.update(presence());
      });
      window.on('closed', () => {
        followHealth();
        void dock.update(undefined);
      });
      window.webContents.once('did-finish-load', () => {
        pageReady = true;
        for (const message of toPage.splice(0)) window?.webContents.send(message.channel, message.payload);
      });
      void window.loadFile(join(__dirname, 'renderer', 'index.html'));
      window.once('ready-to-show', () => window?.show());
    } else {
      window.show();
    }
    if (focus?.view) sendToPage('ui:show-view', focus.view);
    if (focus?.serverId !== undefined && focus.jobId !== undefined) sendToPage('ui:focus-job', { serverId: focus.serverId, jobId: focus.jobId });
    window.focus();
  };

  const resourcesDir = app.isPackaged ? process.resourcesPath : join(__dirname, '..', 'resources');
  const tray = new Tray(nativeImage.createFromPath(trayIconPath(resourcesDir, 'idle', process.platform)));
  const trayController = new TrayController({
    view: electronTrayView(tray, resourcesDir, (action) => void runTrayAction(action, commands), () => window),
    snapshot: () => store.snapshot(),
    notificationsPausedUntil: () => settings.current.notifications.pausedUntil,
    clock: systemClock,
  });
  // Failures and save failures since the user last opened the window: the tray asks for attention until then.
  engine.events.on('job-finished', (job) => trayController.jobFinished(job));
  engine.events.on('save-failed', () => trayController.problem());
  const serverUrl = (id: string): string | undefined => settings.current.servers.find((s) => s.id === id)?.url;
  // A server behind a reverse proxy owns its path prefix only, not the whole origin.
  const isConfiguredServer = underAnyBase(() => settings.current.servers.map((s) => s.url));
  const commands: TrayCommands = {
    showWindow: (view) => showWindow(view ? { view } : undefined),
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
    pauseQueue: (serverId) => engine.pauseQueue(serverId),
    resumeQueue: (serverId) => engine.resumeQueue(serverId),
    serverWebUrl: serverUrl,
    outputFolder: (serverId) => outputFolderFor(settings.current, serverId, appOutputFolder()),
    openExternal: (url) => openExternalSafely(url, isConfiguredServer),
    openFolder: (path) => shell.openPath(path),
    pauseNotifications: (until) => settings.update((s) => ({ ...s, notifications: { ...s.notifications, pausedUntil: until } })),
    resumeNotifications: () => settings.update((s) => ({ ...s, notifications: { ...s.notifications, pausedUntil: undefined } })),
    quit: () => app.quit(),
    now: () => Date.now(),
    reportError: (message) => void notifier.show(noticeFor(message)),
  };
  // The tray follows the same state as the window (at most once a second, see TrayController).
  store.subscribe(() => trayController.refresh());
  settings.events.on('changed', () => trayController.refresh());
  tray.on('click', () => commands.showWindow());
  hardenApp(isConfiguredServer);

  const savedPath = (serverId: string, jobId: string, output: OutputRef): string | undefined =>
    engine.outputs?.saveState(serverId, jobId)?.files[savedKey(output)]?.path;
  const serverName = (id: string): string => settings.current.servers.find((s) => s.id === id)?.name ?? id;
  const notificationActions = {
    openJob: (target: { serverId?: string; jobId?: string }) => showWindow({ view: 'queue', ...target }),
    thumbnailPath: (thumb: Thumbnail) => savedPath(thumb.serverId, thumb.jobId, thumb.output),
    // Not saved (saving off, or not finished in time): the picture from the server, for the icon only.
    thumbnailImage: async (thumb: Thumbnail) => {
      const index = engine.job(thumb.serverId, thumb.jobId)?.outputs.findIndex((output) => savedKey(output) === savedKey(thumb.output)) ?? -1;
      return index < 0 ? undefined : (await engine.outputImage(thumb.serverId, thumb.jobId, index))?.bytes;
    },
    openFile: (path: string) => void shell.openPath(path),
    showInFolder: (path: string) => shell.showItemInFolder(path),
  };
  const notifier = createNotifier({ Notification, nativeImage, platform: process.platform }, notificationActions);
  const planner = new NotificationPlanner(() => ({ settings: settings.current, serverName }), (content) => void notifier.show(content));
  // Saving tells the planner when a success may show its saved image; save failures are batched and paused like the rest.
  engine.events.on('saved', ({ serverId, jobId }) => planner.saved(serverId, jobId));
  engine.events.on('save-failed', (failure) => planner.saveFailed(failure));
  // Forwarding (ntfy, webhooks) beside the local notifications, after them and never in their way.
  const forwarder = new Forwarder({
    settings: () => settings.current,
    serverName,
    thumbnail: async (job) => {
      const index = job.outputs.findIndex((output) => output.type !== 'temp' && mayBeImage(output));
      const image = index < 0 ? undefined : await engine.outputImage(job.serverId, job.id, index);
      return image && thumbnailOf(image);
    },
    notice: (message) => void notifier.show(noticeFor(message)),
  });
  engine.events.on('job-finished', (job) => {
    // Catch-ups arrive together as a digest instead.
    if (!job.caughtUp) {
      planner.finished(job);
      forwarder.finished(job);
    }
    const busy = engine.jobs(job.serverId).some((j) => j.status === 'pending' || j.status === 'running');
    if (!busy) {
      planner.queueDrained(job.serverId);
      forwarder.queueDrained(job.serverId);
    }
  });
  engine.events.on('digest', ({ jobs }) => {
    planner.digest(jobs);
    forwarder.digest(jobs);
  });
  engine.events.on('server', (view) => forwarder.server(view));
  for (const warning of [kv.warning, ...warnings, ...engine.warnings, pausedQueuesNotice(engine.servers())]) {
    if (warning) void notifier.show(noticeFor(warning));
  }

  // Servers, saving and the journal size shape the engine itself: a change restarts the app (the journal makes that
  // lossless); everything else (notifications, pause, login item) applies at once.
  const engineShape = (value: Settings): string => JSON.stringify([value.servers, value.outputs, value.general.journalJobsPerServer]);
  const startedWith = engineShape(settings.current);
  settings.events.on('changed', (next) => {
    if (engineShape(next) === startedWith || quitting) return;
    quitting = true;
    void stopThenExit(
      () => engine.stop().finally(() => dataLock.release()),
      () => {
        app.relaunch();
        app.exit(0);
      },
    );
  });
  const settingsChannels = settingsHandlers({
    settings,
    testConnection: (config) => testConnection(config),
    pickFolder: async () => {
      const options = { title: 'Choose the output folder', properties: ['openDirectory', 'createDirectory'] as ('openDirectory' | 'createDirectory')[] };
      const picked = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
      return picked.canceled ? undefined : picked.filePaths[0];
    },
    folderProblem: (folder) => checkOutputFolder(folder, places),
  });
  const savedOutputPath = (serverId: string, jobId: string, index: number): string | undefined => {
    const output = engine.job(serverId, jobId)?.outputs[index];
    return output && savedPath(serverId, jobId, output);
  };
  const windowChannels = windowHandlers({
    removePending: (serverId, jobIds) => engine.removePending(serverId, jobIds),
    clearPending: (serverId) => engine.clearPending(serverId),
    pauseQueue: (serverId) => engine.pauseQueue(serverId),
    resumeQueue: (serverId) => engine.resumeQueue(serverId),
    moveJobs: (serverId, jobIds, to) => (to === 'front' ? engine.moveToFront(serverId, jobIds) : engine.moveToBack(serverId, jobIds)),
    rerun: (serverId, jobId) => engine.rerun(serverId, jobId),
    follow: (serverId, jobId) => engine.follow(serverId, jobId),
    latestPreview: (serverId, jobId) => engine.latestPreview(serverId, jobId),
    outputImage: (serverId, jobId, index) => engine.outputImage(serverId, jobId, index),
    outputMedia: (serverId, jobId, index, maxBytes) => engine.outputMedia(serverId, jobId, index, maxBytes),
    copyImage: (image) => {
      const picture = nativeImage.createFromBuffer(Buffer.from(image.bytes));
      if (picture.isEmpty()) return false;
      clipboard.writeImage(picture);
      return true;
    },
    thumbnail: thumbnailOf,
    savedOutputPath,
    openPath: (path) => shell.openPath(path),
    showItemInFolder: (path) => shell.showItemInFolder(path),
    serverWebUrl: serverUrl,
    openExternal: (url) => openExternalSafely(url, isConfiguredServer),
    discoverLocal: () => discoverLocalServer(),
    logFolder: () => app.getPath('logs'),
  });
  const forwardingChannels = forwardingHandlers({ settings, forwarder });
  const inbox = new WorkflowInbox(engine);
  const workflowChannels = workflowHandlers(inbox);
  registerHandlers(
    ipcMain,
    {
      'state:get-snapshot': () => store.snapshot(),
      'jobs:cancel': (serverId, jobId) => engine.cancel(serverId, jobId),
      ...settingsChannels.handlers,
      ...forwardingChannels.handlers,
      ...windowChannels.handlers,
      ...workflowChannels.handlers,
    },
    {
      'state:get-snapshot': z.tuple([]),
      'jobs:cancel': z.tuple([z.string().min(1).max(500), z.string().min(1).max(200)]),
      ...settingsChannels.schemas,
      ...forwardingChannels.schemas,
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
  // comfytray://comfycontrol/<run id>: the run is followed on the ComfyControl server the link names (or the only one).
  openLinks = (links) => {
    for (const text of links) {
      const link = parseAppLink(text);
      if (!link) {
        void notifier.show(noticeFor('That link is not one Comfy Tray can open.'));
        continue;
      }
      const target = linkServer(link, settings.current.servers);
      if ('problem' in target) {
        void notifier.show(noticeFor(target.problem));
        showWindow({ view: 'settings' });
        continue;
      }
      engine.follow(target.serverId, link.runId).then(
        () => showWindow({ view: 'queue', serverId: target.serverId, jobId: link.runId }),
        (error: unknown) => void notifier.show(noticeFor(`The run could not be followed: ${errorMessage(error)}`)),
      );
    }
  };
  openLinks([...linksBeforeReady.splice(0), ...linkArguments(process.argv)]);
  // Windows and Linux hand links over on the command line; a packaged app registers itself, a development run with
  // its app path.
  const unpackaged = process.defaultApp === true;
  app.setAsDefaultProtocolClient(APP_PROTOCOL, unpackaged ? process.execPath : undefined, unpackaged ? [app.getAppPath()] : undefined);

  wirePowerEvents(powerMonitor, engine);
  const stopNetworkWatch = watchNetwork(() => engine.reconnectNow());
  // Start at login as the settings say: a login item on macOS and Windows, an XDG autostart entry on Linux.
  const followStartAtLogin = startAtLoginFollower(
    {
      platform: process.platform,
      setLoginItemSettings: (item) => app.setLoginItemSettings(item),
      linux: { env: process.env, home: app.getPath('home'), execPath: process.execPath, appArgs: process.defaultApp ? [app.getAppPath()] : [] },
    },
    (error) => void notifier.show(noticeFor(`Start at login could not be set: ${errorMessage(error)}`)),
  );
  const applyLoginItem = (): void => void followStartAtLogin(settings.current.general.startAtLogin);
  applyLoginItem();
  settings.events.on('changed', applyLoginItem);
  // The chosen theme also drives native parts (menus, dialogs, the window frame); the page follows it by itself.
  const applyTheme = (): void => void (nativeTheme.themeSource = settings.current.general.theme);
  applyTheme();
  settings.events.on('changed', applyTheme);
  app.on('second-instance', (_event, argv, workingDirectory) => {
    const paths = fileArguments(argv, workingDirectory, process.defaultApp === true);
    const links = linkArguments(argv);
    if (links.length > 0) openLinks(links);
    if (paths.length > 0) openFiles(paths);
    else if (links.length === 0) commands.showWindow();
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
    planner.dispose();
    forwarder.dispose();
    trayController.dispose();
    // Within a deadline: a hung stop must not keep the app from quitting.
    void stopThenExit(
      () => engine.stop().finally(() => dataLock.release()).finally(() => logFile.close()),
      () => app.exit(0),
    );
  });

  engine.start();
  trayController.refresh();
}

/** The data folder's lock, or undefined when the user chose to quit while another process holds it. */
async function takeDataDirLock(dataDir: string): Promise<DataDirLock | undefined> {
  for (;;) {
    try {
      // This process holds the single-instance lock for this folder: a lock another app process left is a dead one's
      // (after a crash and reboot its pid may now name something unrelated and alive).
      return await DataDirLock.acquire(dataDir, 'app', { holderGoneIf: (holder) => holder.purpose === 'app' });
    } catch (error) {
      if (!(error instanceof DataDirLockedError)) throw error;
      const { response } = await dialog.showMessageBox({
        type: 'warning',
        message: `${PRODUCT_NAME}'s data folder is in use`,
        detail: `${error.message}.`,
        buttons: ['Try again', 'Quit'],
        defaultId: 0,
        cancelId: 1,
      });
      if (response === 1) return undefined;
    }
  }
}
