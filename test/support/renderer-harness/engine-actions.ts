// The shell's real window action handlers bound to a real engine, as main.ts binds them; only the OS side (the
// browser, the file manager, the clipboard) is recorded instead of done.
import type { Engine } from '../../../electron/core/engine.js';
import { savedKey } from '../../../electron/core/outputs/saved-stage.js';
import type { ImageBytes } from '../../../electron/shared/ipc-contract.js';
import { windowHandlers } from '../../../electron/shell/window-handlers.js';
import type { TrayHandlers } from './fake-tray.js';

export interface OsRecord {
  /** Paths opened or shown in the file manager, URLs opened in the browser, in order. */
  readonly opened: string[];
  /** Images put on the clipboard. */
  readonly clipboardImages: ImageBytes[];
}

export function engineActions(engine: Engine, os: OsRecord = { opened: [], clipboardImages: [] }): TrayHandlers {
  // As main.ts finds it: the saver's record of that very output.
  const savedPath = (serverId: string, jobId: string, index: number): string | undefined => {
    const output = engine.job(serverId, jobId)?.outputs[index];
    return output && engine.outputs?.saveState(serverId, jobId)?.files[savedKey(output)]?.path;
  };
  return windowHandlers({
    removePending: (serverId, ids) => engine.removePending(serverId, ids),
    clearPending: (serverId) => engine.clearPending(serverId),
    pauseQueue: (serverId) => engine.pauseQueue(serverId),
    resumeQueue: (serverId) => engine.resumeQueue(serverId),
    moveJobs: (serverId, ids, to) => (to === 'front' ? engine.moveToFront(serverId, ids) : engine.moveToBack(serverId, ids)),
    rerun: (serverId, jobId) => engine.rerun(serverId, jobId),
    follow: (serverId, jobId) => engine.follow(serverId, jobId),
    latestPreview: (serverId, jobId) => engine.latestPreview(serverId, jobId),
    outputImage: (serverId, jobId, index) => engine.outputImage(serverId, jobId, index),
    outputMedia: (serverId, jobId, index, maxBytes) => engine.outputMedia(serverId, jobId, index, maxBytes),
    copyImage: (image) => (os.clipboardImages.push(image), true),
    thumbnail: (image) => image,
    savedOutputPath: savedPath,
    openPath: async (path) => (os.opened.push(path), ''),
    showItemInFolder: (path) => void os.opened.push(path),
    serverWebUrl: (serverId) => engine.servers().find((server) => server.id === serverId)?.url,
    openExternal: async (url) => (os.opened.push(url), true),
    discoverLocal: async () => ({ found: false, url: 'http://127.0.0.1:8188', message: 'not in this test' }),
    logFolder: () => 'logs',
  }).handlers;
}
