// The IPC door: unknown senders and bad arguments are refused before any handler runs, and the contract's types
// make a channel without a handler a compile error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { z } from 'zod';
import type { SettingsStore } from '../../electron/core/store/settings-store.js';
import { registerHandlers, type ArgSchemas, type Handlers } from '../../electron/shell/ipc.js';
import { forwardingHandlers } from '../../electron/shell/forwarding-handlers.js';
import { settingsHandlers } from '../../electron/shell/settings-handlers.js';
import { windowHandlers, type WindowActionDeps } from '../../electron/shell/window-handlers.js';
import { workflowHandlers } from '../../electron/shell/workflow-handlers.js';
import type { WorkflowInbox } from '../../electron/core/submit/inbox.js';
import { INVOKE_CHANNELS, type InvokeChannel } from '../../electron/shared/ipc-contract.js';

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;

function fakeIpcMain(): { ipcMain: IpcMain; handlers: Map<string, Handler> } {
  const handlers = new Map<string, Handler>();
  const ipcMain = { handle: (channel: string, handler: Handler) => void handlers.set(channel, handler) } as unknown as IpcMain;
  return { ipcMain, handlers };
}

const ours = { id: 1 } as unknown as WebContents;
const stranger = { id: 2 } as unknown as WebContents;
const event = (sender: WebContents) => ({ sender }) as unknown as IpcMainInvokeEvent;

const settingsChannels = settingsHandlers({ settings: {} as unknown as SettingsStore, testConnection: async () => ({ ok: false, code: 'TEST', message: 'not used' }) });

const unused = (): never => assert.fail('not used in these tests');
const forwardingChannels = forwardingHandlers({ settings: {} as unknown as SettingsStore, forwarder: { test: unused } });
const windowChannels = windowHandlers(new Proxy({}, { get: () => unused }) as WindowActionDeps);
const workflowChannels = workflowHandlers({ open: unused, prepare: unused, submit: unused, discard: unused } satisfies Pick<WorkflowInbox, 'open' | 'prepare' | 'submit' | 'discard'>);

const schemas: ArgSchemas = {
  ...settingsChannels.schemas,
  ...forwardingChannels.schemas,
  ...windowChannels.schemas,
  ...workflowChannels.schemas,
  'state:get-snapshot': z.tuple([]),
  'jobs:cancel': z.tuple([z.string().min(1).max(500), z.string().min(1).max(200)]),
};

function handlers(calls: string[]): Handlers {
  return {
    ...settingsChannels.handlers,
    ...forwardingChannels.handlers,
    ...windowChannels.handlers,
    ...workflowChannels.handlers,
    'state:get-snapshot': () => ({ version: 1, servers: [], jobs: [] }),
    'jobs:cancel': (serverId, jobId) => {
      calls.push(`${serverId}/${jobId}`);
      return true;
    },
  };
}

test('every channel of the contract gets a handler', () => {
  const { ipcMain, handlers: registered } = fakeIpcMain();
  registerHandlers(ipcMain, handlers([]), schemas, (sender) => sender === ours);
  assert.deepEqual([...registered.keys()].sort(), [...INVOKE_CHANNELS].sort());
});

test('a sender that is not our window is refused before the handler runs', async () => {
  const calls: string[] = [];
  const { ipcMain, handlers: registered } = fakeIpcMain();
  registerHandlers(ipcMain, handlers(calls), schemas, (sender) => sender === ours);
  await assert.rejects(async () => registered.get('jobs:cancel')!(event(stranger), 's', 'j'), /unknown sender/);
  assert.deepEqual(calls, []);
});

test('bad arguments are refused; good ones reach the handler', async () => {
  const calls: string[] = [];
  const { ipcMain, handlers: registered } = fakeIpcMain();
  registerHandlers(ipcMain, handlers(calls), schemas, (sender) => sender === ours);
  const cancel = registered.get('jobs:cancel')!;
  for (const args of [[], ['s'], ['s', 42], ['', 'j'], ['s', 'j'.repeat(1000)], [{ toString: () => 's' }, 'j'], ['s', 'j', 'extra']]) {
    await assert.rejects(async () => cancel(event(ours), ...args), /invalid arguments/, JSON.stringify(args));
  }
  assert.equal(await cancel(event(ours), 's', 'j'), true);
  assert.deepEqual(calls, ['s/j']);
});

test('types: a handler map missing a channel does not compile', () => {
  // @ts-expect-error 'jobs:cancel' has no handler
  const incomplete: Handlers = { 'state:get-snapshot': () => ({ version: 1, servers: [], jobs: [] }) };
  const everyChannel: readonly InvokeChannel[] = INVOKE_CHANNELS;
  assert.ok(incomplete && everyChannel.length > 0);
});
