// What the preload exposes: exactly `TrayApi`, built over Electron's ipcRenderer. Kept apart from preload.ts (which
// only hands it to contextBridge) so tests drive it with a fake ipcRenderer and check each method's channel and
// arguments; `invoke` makes a wrong channel, argument list or result type a compile error here.
import type { IpcRenderer, IpcRendererEvent } from 'electron';
import type { EventChannel, EventMap, TrayApi, TypedInvoke } from './shared/ipc-contract.js';

export type RendererIpc = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

export function createTrayApi(ipc: RendererIpc): TrayApi {
  const invoke: TypedInvoke = (channel, ...args) => ipc.invoke(channel, ...args);
  const subscribe = <C extends EventChannel>(channel: C, listener: (payload: EventMap[C]) => void): (() => void) => {
    const handler = (_event: IpcRendererEvent, payload: EventMap[C]): void => listener(payload);
    ipc.on(channel, handler);
    return () => {
      ipc.removeListener(channel, handler);
    };
  };
  const api = {
    getSnapshot: () => invoke('state:get-snapshot'),
    cancelJob: (serverId, jobId) => invoke('jobs:cancel', serverId, jobId),
    getSettings: () => invoke('settings:get'),
    updateSettings: (patch) => invoke('settings:update', patch),
    testConnection: (server) => invoke('servers:test-connection', server),
    chooseOutputFolder: (target) => invoke('outputs:choose-folder', target),
    testForwarding: (target) => invoke('notifications:test-forward', target),
    removePending: (serverId, jobIds) => invoke('jobs:remove-pending', serverId, jobIds),
    clearPending: (serverId) => invoke('jobs:clear-pending', serverId),
    pauseQueue: (serverId) => invoke('queue:pause', serverId),
    resumeQueue: (serverId) => invoke('queue:resume', serverId),
    moveJobs: (serverId, jobIds, to) => invoke('jobs:move', serverId, jobIds, to),
    rerunJob: (serverId, jobId) => invoke('jobs:rerun', serverId, jobId),
    followJob: (serverId, jobId) => invoke('jobs:follow', serverId, jobId),
    getPreview: (serverId, jobId) => invoke('jobs:preview', serverId, jobId),
    getThumbnail: (serverId, jobId, index) => invoke('outputs:thumbnail', serverId, jobId, index),
    getOutputMedia: (serverId, jobId, index) => invoke('outputs:media', serverId, jobId, index),
    copyOutputImage: (serverId, jobId, index) => invoke('outputs:copy-image', serverId, jobId, index),
    openOutput: (serverId, jobId, index) => invoke('outputs:open', serverId, jobId, index),
    showOutputInFolder: (serverId, jobId, index) => invoke('outputs:show-in-folder', serverId, jobId, index),
    openServerWebUi: (serverId) => invoke('servers:open-web-ui', serverId),
    discoverLocalServer: () => invoke('servers:discover-local'),
    openLogFolder: () => invoke('app:open-log-folder'),
    openWorkflows: (files) => invoke('workflows:open', files),
    prepareWorkflow: (token, serverId, options) => invoke('workflows:prepare', token, serverId, options),
    submitWorkflow: (token, serverId, options) => invoke('workflows:submit', token, serverId, options),
    discardWorkflow: (token) => invoke('workflows:discard', token),
    onSnapshot: (listener) => subscribe('state:snapshot', listener),
    onPatches: (listener) => subscribe('state:patches', listener),
    onShowView: (listener) => subscribe('ui:show-view', listener),
    onFocusJob: (listener) => subscribe('ui:focus-job', listener),
    onWorkflowsOpened: (listener) => subscribe('ui:workflows-opened', listener),
  } satisfies TrayApi;
  return api;
}
