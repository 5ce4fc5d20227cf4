// Forwarding targets from the Settings window: secrets kept by their marker only beside the URL they were saved for,
// Discord and Slack URLs never shown back, and "Send test" with the stored secret, to the stored URL only.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { Forwarder } from '../../electron/core/notify/forwarder.js';
import { SIGNATURE_HEADER } from '../../electron/core/notify/forward-request.js';
import type { KeyValueStore, SecretProtector } from '../../electron/core/store/kv-store.js';
import { SettingsStore } from '../../electron/core/store/settings-store.js';
import type { SystemPlaces } from '../../electron/core/outputs/output-folder-policy.js';
import type { ForwardTargetInput } from '../../electron/shared/ipc-contract.js';
import { forwardingHandlers, forwardTargetInputSchema } from '../../electron/shell/forwarding-handlers.js';
import { settingsHandlers } from '../../electron/shell/settings-handlers.js';
import { HttpReceiver } from '../support/http-receiver.js';

const protector: SecretProtector = { available: true, protect: (plain) => `enc:${[...plain].reverse().join('')}`, reveal: (text) => [...text.slice(4)].reverse().join('') };
const PLACES: SystemPlaces = { platform: 'linux', home: '/home/ann', dataDir: '/home/ann/.config/Comfy Tray', env: {} };
const EVENTS = { done: true, failed: true, queueFinished: false, serverOffline: true };

function memoryKv(): KeyValueStore {
  const data = new Map<string, unknown>();
  return { get: (key) => data.get(key), set: async (key, value) => void data.set(key, structuredClone(value)), delete: async (key) => void data.delete(key) };
}

async function setup() {
  const { store } = await SettingsStore.open(memoryKv(), protector, { places: PLACES });
  const settings = settingsHandlers({ settings: store, testConnection: async () => ({ ok: false, code: 'X', message: 'unused' }) }).handlers;
  const forwarder = new Forwarder({ settings: () => store.current, serverName: (id) => id, notice: () => undefined });
  const forwarding = forwardingHandlers({ settings: store, forwarder }).handlers;
  return { store, settings, forwarding };
}

test('a secret typed in the window is stored and never shown back; the marker keeps it beside the same URL only', async () => {
  const { store, settings } = await setup();
  const hook: ForwardTargetInput = { id: 'w', name: 'Hook', kind: 'webhook', enabled: true, url: 'https://hooks.example.com/a', events: EVENTS, secret: 'whsec' };
  const discord: ForwardTargetInput = { id: 'd', name: 'Discord', kind: 'discord', enabled: true, url: '', events: EVENTS, secret: 'https://discord.com/api/webhooks/1/tok' };
  const saved = await settings['settings:update']({ notifications: { forwarding: [hook, discord] } });
  assert.ok(saved.ok);
  assert.ok(!JSON.stringify(saved.settings).includes('whsec') && !JSON.stringify(saved.settings).includes('tok'));
  assert.deepEqual(saved.settings.notifications.forwarding.map((t) => [t.id, t.url, t.hasSecret]), [
    ['w', 'https://hooks.example.com/a', true],
    ['d', 'https://discord.com/', true],
  ]);

  // Sent back as shown, with the marker: both secrets kept (the Discord URL whatever origin the window sends).
  const again = await settings['settings:update']({
    notifications: { forwarding: saved.settings.notifications.forwarding.map(({ hasSecret: _h, ...view }) => ({ ...view, secret: { keep: true } as const })) },
  });
  assert.ok(again.ok);
  assert.deepEqual(store.current.notifications.forwarding.map((t) => t.secret), ['whsec', 'https://discord.com/api/webhooks/1/tok']);

  const moved = await settings['settings:update']({ notifications: { forwarding: [{ ...hook, url: 'https://elsewhere.example.net/collect', secret: { keep: true } }] } });
  assert.deepEqual(moved.ok ? undefined : moved.code, 'SECRET_URL_CHANGED');
  assert.equal(store.current.notifications.forwarding[0]?.url, 'https://hooks.example.com/a', 'nothing stored');

  const wrong = await settings['settings:update']({ notifications: { forwarding: [{ ...hook, topic: 'not-for-webhooks' }] } });
  assert.equal(wrong.ok ? undefined : wrong.code, 'CONFIG_INVALID');
});

test('"Send test" uses the stored secret for the stored URL only, and answers with what the receiver did', async (t) => {
  const receiver = await HttpReceiver.start(t);
  const { settings, forwarding } = await setup();
  const hook: ForwardTargetInput = { id: 'w', name: 'Hook', kind: 'webhook', enabled: true, url: `${receiver.url}in`, events: EVENTS, secret: 'whsec' };
  assert.ok((await settings['settings:update']({ notifications: { forwarding: [hook] } })).ok);

  assert.deepEqual(await forwarding['notifications:test-forward']({ ...hook, secret: { keep: true } }), { ok: true });
  const [request] = receiver.requests;
  assert.equal(request?.headers[SIGNATURE_HEADER], `sha256=${createHmac('sha256', 'whsec').update(request!.body).digest('hex')}`);

  const elsewhere = await forwarding['notifications:test-forward']({ ...hook, url: `${receiver.url}other`, secret: { keep: true } });
  assert.deepEqual(elsewhere.ok ? undefined : elsewhere.code, 'SECRET_URL_CHANGED');
  assert.equal(receiver.requests.length, 1, 'no request with the secret to another URL');

  receiver.answer(404);
  const refused = await forwarding['notifications:test-forward']({ ...hook, secret: 'typed-now' });
  assert.deepEqual(refused.ok ? undefined : refused.code, 'FORWARD_REFUSED');
  const invalid = await forwarding['notifications:test-forward']({ ...hook, url: 'ftp://x' });
  assert.deepEqual(invalid.ok ? undefined : invalid.code, 'CONFIG_INVALID');
  assert.equal(forwardTargetInputSchema.safeParse({ ...hook, secret: { keep: false } }).success, false, 'the IPC shape refuses anything else');
});
