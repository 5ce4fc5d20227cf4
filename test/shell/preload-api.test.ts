// The preload's TrayApi (electron/preload-api.ts) over a fake ipcRenderer: every method asks its own channel with its
// own arguments, every contract channel is reachable, subscriptions unsubscribe, and the typed invoke turns a wrong
// channel or argument list into a compile error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTrayApi, type RendererIpc } from '../../electron/preload-api.js';
import {
  INVOKE_CHANNELS,
  type DropOptions,
  type EventChannel,
  type InvokeChannel,
  type TrayApi,
  type TypedInvoke,
} from '../../electron/shared/ipc-contract.js';

type Listener = (event: unknown, payload: unknown) => void;

function fakeIpc(): { ipc: RendererIpc; invoked: unknown[][]; listeners: Map<string, Set<Listener>> } {
  const invoked: unknown[][] = [];
  const listeners = new Map<string, Set<Listener>>();
  const ipc = {
    invoke: async (channel: string, ...args: unknown[]) => {
      invoked.push([channel, ...args]);
      return `answer of ${channel}`;
    },
    on: (channel: string, listener: Listener) => {
      listeners.set(channel, (listeners.get(channel) ?? new Set()).add(listener));
      return ipc;
    },
    removeListener: (channel: string, listener: Listener) => {
      listeners.get(channel)?.delete(listener);
      return ipc;
    },
  };
  return { ipc: ipc as unknown as RendererIpc, invoked, listeners };
}

const options: DropOptions = { randomizeSeeds: true, repeat: 2, front: false };
const FORWARD_TARGET = { id: 'w', name: 'Hook', kind: 'webhook', enabled: true, url: 'https://hooks.example.com/', events: { done: true, failed: true, queueFinished: false, serverOffline: true } } as const;
const file = { name: 'a.png', bytes: new Uint8Array([1, 2]) };
const patch = { general: { theme: 'dark' as const } };
const server = { url: 'http://127.0.0.1:8188', auth: { kind: 'none' as const } };

/** Each request method, called with distinct arguments, and the message it must send. */
const requests: ReadonlyArray<readonly [method: keyof TrayApi, call: (api: TrayApi) => Promise<unknown>, expected: readonly [InvokeChannel, ...unknown[]]]> = [
  ['getSnapshot', (api) => api.getSnapshot(), ['state:get-snapshot']],
  ['cancelJob', (api) => api.cancelJob('s1', 'j1'), ['jobs:cancel', 's1', 'j1']],
  ['getSettings', (api) => api.getSettings(), ['settings:get']],
  ['updateSettings', (api) => api.updateSettings(patch), ['settings:update', patch]],
  ['testConnection', (api) => api.testConnection(server), ['servers:test-connection', server]],
  ['chooseOutputFolder', (api) => api.chooseOutputFolder({ serverId: 's1' }), ['outputs:choose-folder', { serverId: 's1' }]],
  ['testForwarding', (api) => api.testForwarding(FORWARD_TARGET), ['notifications:test-forward', FORWARD_TARGET]],
  ['removePending', (api) => api.removePending('s1', ['j1', 'j2']), ['jobs:remove-pending', 's1', ['j1', 'j2']]],
  ['clearPending', (api) => api.clearPending('s1'), ['jobs:clear-pending', 's1']],
  ['pauseQueue', (api) => api.pauseQueue('s1'), ['queue:pause', 's1']],
  ['resumeQueue', (api) => api.resumeQueue('s2'), ['queue:resume', 's2']],
  ['moveJobs', (api) => api.moveJobs('s1', ['j1', 'j2'], 'back'), ['jobs:move', 's1', ['j1', 'j2'], 'back']],
  ['rerunJob', (api) => api.rerunJob('s1', 'j1'), ['jobs:rerun', 's1', 'j1']],
  ['followJob', (api) => api.followJob('s1', 'run-1'), ['jobs:follow', 's1', 'run-1']],
  ['getPreview', (api) => api.getPreview('s1', 'j1'), ['jobs:preview', 's1', 'j1']],
  ['getThumbnail', (api) => api.getThumbnail('s1', 'j1', 3), ['outputs:thumbnail', 's1', 'j1', 3]],
  ['getOutputMedia', (api) => api.getOutputMedia('s1', 'j2', 6), ['outputs:media', 's1', 'j2', 6]],
  ['copyOutputImage', (api) => api.copyOutputImage('s2', 'j1', 7), ['outputs:copy-image', 's2', 'j1', 7]],
  ['openOutput', (api) => api.openOutput('s1', 'j1', 4), ['outputs:open', 's1', 'j1', 4]],
  ['showOutputInFolder', (api) => api.showOutputInFolder('s1', 'j1', 5), ['outputs:show-in-folder', 's1', 'j1', 5]],
  ['openServerWebUi', (api) => api.openServerWebUi('s1'), ['servers:open-web-ui', 's1']],
  ['discoverLocalServer', (api) => api.discoverLocalServer(), ['servers:discover-local']],
  ['openLogFolder', (api) => api.openLogFolder(), ['app:open-log-folder']],
  ['openWorkflows', (api) => api.openWorkflows([file]), ['workflows:open', [file]]],
  ['prepareWorkflow', (api) => api.prepareWorkflow('t1', 's1', options), ['workflows:prepare', 't1', 's1', options]],
  ['submitWorkflow', (api) => api.submitWorkflow('t1', 's1', { ...options, uploadInputs: true }), ['workflows:submit', 't1', 's1', { ...options, uploadInputs: true }]],
  ['discardWorkflow', (api) => api.discardWorkflow('t1'), ['workflows:discard', 't1']],
];

const subscriptions: ReadonlyArray<readonly [method: keyof TrayApi, subscribe: (api: TrayApi, listener: (payload: unknown) => void) => () => void, channel: EventChannel]> = [
  ['onSnapshot', (api, listener) => api.onSnapshot(listener), 'state:snapshot'],
  ['onPatches', (api, listener) => api.onPatches(listener), 'state:patches'],
  ['onShowView', (api, listener) => api.onShowView(listener), 'ui:show-view'],
  ['onFocusJob', (api, listener) => api.onFocusJob(listener), 'ui:focus-job'],
  ['onWorkflowsOpened', (api, listener) => api.onWorkflowsOpened(listener), 'ui:workflows-opened'],
];

test('the API is exactly the methods listed here, and they reach every channel of the contract once', () => {
  const api = createTrayApi(fakeIpc().ipc);
  assert.deepEqual(Object.keys(api).sort(), [...requests.map(([method]) => method), ...subscriptions.map(([method]) => method)].sort());
  assert.deepEqual(requests.map(([, , [channel]]) => channel).sort(), [...INVOKE_CHANNELS].sort());
});

test('each request method sends its own channel with its arguments, in order, and returns the answer', async () => {
  for (const [method, call, expected] of requests) {
    const { ipc, invoked } = fakeIpc();
    assert.equal(await call(createTrayApi(ipc)), `answer of ${expected[0]}`, method);
    assert.deepEqual(invoked, [expected], method);
  }
});

test('each subscription listens on its own channel, passes the payload on, and its unsubscribe stops it', () => {
  for (const [method, subscribe, channel] of subscriptions) {
    const { ipc, listeners } = fakeIpc();
    const received: unknown[] = [];
    const unsubscribe = subscribe(createTrayApi(ipc), (payload) => received.push(payload));
    assert.deepEqual([...listeners.keys()], [channel], method);
    for (const listener of listeners.get(channel)!) listener({ sender: 'ipc event' }, { payload: method });
    assert.deepEqual(received, [{ payload: method }], method);
    unsubscribe();
    assert.equal(listeners.get(channel)!.size, 0, `${method} unsubscribed`);
  }
});

test('types: the typed invoke refuses a wrong channel, wrong arguments or a wrong result type', async () => {
  const invoked: unknown[][] = [];
  const invoke: TypedInvoke = async (channel, ...args) => {
    invoked.push([channel, ...args]);
    return undefined as never;
  };
  // @ts-expect-error not a channel of the contract
  await invoke('jobs:cancle', 's', 'j');
  // @ts-expect-error a missing argument
  await invoke('jobs:cancel', 's');
  // @ts-expect-error an extra argument
  await invoke('jobs:clear-pending', 's', 'j');
  // @ts-expect-error an argument of the wrong type
  await invoke('outputs:open', 's', 'j', '0');
  // @ts-expect-error another channel's result type
  const wrong: Promise<string> = invoke('jobs:cancel', 's', 'j');
  const right: Promise<boolean> = invoke('jobs:cancel', 's', 'j');
  await Promise.all([wrong, right]);
  assert.equal(invoked.length, 6);
});
