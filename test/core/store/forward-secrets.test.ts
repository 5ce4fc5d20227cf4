// Forwarding targets' secrets at rest: through the protector only, back on reopen, only beside the URL they were saved
// for, and kept for the run only (with a warning) where there is no keychain.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { JsonFileStore, NO_SECRET_PROTECTION, type SecretProtector } from '../../../electron/core/store/kv-store.js';
import { SettingsStore } from '../../../electron/core/store/settings-store.js';
import type { ForwardTargetInput } from '../../../electron/core/notify/forward-settings.js';
import { tempDir } from '../../support/events.js';

const protector: SecretProtector = {
  available: true,
  protect: (plain) => `enc:${Buffer.from(plain).toString('base64').split('').reverse().join('')}`,
  reveal: (text) => Buffer.from(text.slice(4).split('').reverse().join(''), 'base64').toString(),
};

const TARGETS: ForwardTargetInput[] = [
  { id: 'n', name: 'Phone', kind: 'ntfy', url: 'https://ntfy.example.com', topic: 'comfy', secret: 'tk_ntfy_token' },
  { id: 'w', name: 'Hook', kind: 'webhook', url: 'https://hooks.example.com/comfy', secret: 'whsec_signing' },
  { id: 'd', name: 'Discord', kind: 'discord', url: 'https://discord.com/', secret: 'https://discord.com/api/webhooks/123/discord-token' },
];

async function storeWith(t: Parameters<typeof tempDir>[0], targets: ForwardTargetInput[], with_ = protector): Promise<{ path: string; store: SettingsStore; warnings: string[] }> {
  const path = join(await tempDir(t), 'settings.json');
  const { store: kv } = await JsonFileStore.open(path);
  const { store } = await SettingsStore.open(kv, with_);
  const { warnings } = await store.update((s) => ({ ...s, notifications: { ...s.notifications, forwarding: targets } }));
  return { path, store, warnings };
}

test('tokens, signing secrets and webhook URLs never reach the settings file; they come back on reopen', async (t) => {
  const { path } = await storeWith(t, TARGETS);
  const text = await readFile(path, 'utf8');
  for (const secret of ['tk_ntfy_token', 'whsec_signing', 'discord-token', 'api/webhooks']) assert.ok(!text.includes(secret), secret);
  assert.ok(text.includes('https://discord.com/'), 'the origin is kept, for the view');
  const { store: kv } = await JsonFileStore.open(path);
  const { store, warnings } = await SettingsStore.open(kv, protector);
  assert.deepEqual(warnings, []);
  assert.deepEqual(
    store.current.notifications.forwarding.map((target) => [target.id, target.secret]),
    TARGETS.map((target) => [target.id, target.secret]),
  );
});

test('a URL changed in the file loses the secret saved for the old one, with a warning', async (t) => {
  const { path } = await storeWith(t, TARGETS);
  const file = JSON.parse(await readFile(path, 'utf8')) as { settings: { notifications: { forwarding: { url: string }[] } } };
  file.settings.notifications.forwarding[1]!.url = 'https://attacker.example.net/collect';
  await writeFile(path, JSON.stringify(file));
  const { store: kv } = await JsonFileStore.open(path);
  const { store, warnings } = await SettingsStore.open(kv, protector);
  assert.equal(store.current.notifications.forwarding[1]?.secret, undefined);
  assert.match(warnings.join('\n'), /signing secret for forwarding to Hook was saved for another URL/);
  assert.equal(store.current.notifications.forwarding[0]?.secret, 'tk_ntfy_token', 'the others are kept');
});

test('a Discord URL that does not match its origin is refused where it is typed', async (t) => {
  const path = join(await tempDir(t), 'settings.json');
  const { store: kv } = await JsonFileStore.open(path);
  const { store } = await SettingsStore.open(kv, protector);
  await assert.rejects(
    store.update((s) => ({ ...s, notifications: { ...s.notifications, forwarding: [{ id: 'd', name: 'D', kind: 'discord', url: 'https://discord.com/', secret: 'https://evil.example/x' }] } })),
    { code: 'CONFIG_INVALID' },
  );
  await assert.rejects(
    store.update((s) => ({ ...s, notifications: { ...s.notifications, forwarding: [{ id: 'n', name: 'N', kind: 'ntfy', url: 'https://ntfy.sh' }] } })),
    (error: Error & { code?: string }) => error.code === 'CONFIG_INVALID' && /topic/.test(error.message),
  );
});

test('without a keychain, secrets last until the app quits (a warning says so), and a Discord target then asks for its URL again', async (t) => {
  const { path, store, warnings } = await storeWith(t, TARGETS, NO_SECRET_PROTECTION);
  assert.equal(warnings.filter((w) => /until the app quits/.test(w)).length, 3);
  assert.equal(store.current.notifications.forwarding[2]?.secret, TARGETS[2]!.secret, 'in memory for this run');
  assert.ok(!(await readFile(path, 'utf8')).includes('discord-token'));
  const { store: kv } = await JsonFileStore.open(path);
  const reopened = await SettingsStore.open(kv, NO_SECRET_PROTECTION);
  assert.match(reopened.warnings.join('\n'), /webhook URL for forwarding to Discord is not available/);
});

test('a secret typed into the settings file by hand is moved off it', async (t) => {
  const path = join(await tempDir(t), 'settings.json');
  await writeFile(path, JSON.stringify({ settings: { notifications: { forwarding: [TARGETS[1]] } } }));
  const { store: kv } = await JsonFileStore.open(path);
  const { store } = await SettingsStore.open(kv, protector);
  assert.equal(store.current.notifications.forwarding[0]?.secret, 'whsec_signing');
  assert.ok(!(await readFile(path, 'utf8')).includes('whsec_signing'));
});
