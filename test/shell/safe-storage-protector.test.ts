// Secrets at rest through safeStorage, with a fake safeStorage: a keychain protects them; Linux's `basic_text` backend
// (a key built into Electron, used when no keyring is found) counts as no protection, so nothing is written then.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { JsonFileStore } from '../../electron/core/store/kv-store.js';
import { SettingsStore } from '../../electron/core/store/settings-store.js';
import { safeStorageProtector, type SafeStorageLike } from '../../electron/shell/safe-storage-protector.js';
import { tempDir } from '../support/events.js';

type Backend = ReturnType<NonNullable<SafeStorageLike['getSelectedStorageBackend']>>;

/** Reversible and visibly not plain text; `backend` is what Linux would report, absent elsewhere. */
function fakeSafeStorage(options: { available?: boolean; backend?: Backend } = {}): SafeStorageLike & { encrypted: number } {
  const fake = {
    encrypted: 0,
    isEncryptionAvailable: () => options.available ?? true,
    encryptString: (plain: string) => {
      fake.encrypted++;
      return Buffer.from(`enc:${[...plain].reverse().join('')}`);
    },
    decryptString: (encrypted: Buffer) => [...encrypted.toString().slice(4)].reverse().join(''),
    ...(options.backend !== undefined && { getSelectedStorageBackend: () => options.backend! }),
  };
  return fake;
}

const withSecret = (key: string) => (s: Parameters<Parameters<SettingsStore['update']>[0]>[0]) => ({
  ...s,
  servers: [{ id: 'cloud', name: 'Cloud', url: 'https://cloud.example.com', auth: { kind: 'api-key' as const, key } }],
});

test('with a keyring (or a keychain on macOS and Windows) secrets are protected and read back', () => {
  for (const [storage, platform] of [
    [fakeSafeStorage({ backend: 'gnome_libsecret' }), 'linux'],
    [fakeSafeStorage({ backend: 'kwallet6' }), 'linux'],
    [fakeSafeStorage(), 'darwin'],
    [fakeSafeStorage(), 'win32'],
  ] as const) {
    const protector = safeStorageProtector(storage, platform);
    assert.equal(protector.available, true, platform);
    assert.equal(protector.unavailableReason, undefined);
    const text = protector.protect('sk-very-secret');
    assert.doesNotMatch(text, /sk-very-secret/);
    assert.equal(protector.reveal(text), 'sk-very-secret');
  }
});

test('regression: Linux without a keyring (basic_text) is reported as unprotected and never encrypts', () => {
  const storage = fakeSafeStorage({ backend: 'basic_text' });
  const protector = safeStorageProtector(storage, 'linux');
  assert.equal(protector.available, false);
  assert.match(protector.unavailableReason ?? '', /keyring/);
  assert.throws(() => protector.protect('sk-very-secret'), /not written/);
  assert.equal(storage.encrypted, 0);
});

test('no keychain at all is reported as unprotected', () => {
  const protector = safeStorageProtector(fakeSafeStorage({ available: false }), 'darwin');
  assert.equal(protector.available, false);
  assert.match(protector.unavailableReason ?? '', /keychain is not available/);
});

test('regression: with basic_text, a saved secret stays out of the settings file, kept for the session with a warning', async (t) => {
  const path = join(await tempDir(t), 'settings.json');
  const { store: kv } = await JsonFileStore.open(path);
  const { store } = await SettingsStore.open(kv, safeStorageProtector(fakeSafeStorage({ backend: 'basic_text' }), 'linux'));
  assert.equal(store.secretStorage.persisted, false);
  assert.match(store.secretStorage.reason ?? '', /keyring/);
  const { warnings } = await store.update(withSecret('sk-very-secret'));
  assert.match(warnings.join(' '), /keyring.*kept until the app quits/);
  assert.equal(store.current.servers[0]?.auth.kind === 'api-key' && store.current.servers[0].auth.key, 'sk-very-secret');
  const text = await readFile(path, 'utf8');
  assert.doesNotMatch(text, /sk-very-secret/);
  assert.doesNotMatch(text, /terces-yrev-ks/, 'not even obfuscated');
});

test('secrets an earlier version wrote with basic_text are used for this run and taken off the disk', async (t) => {
  const path = join(await tempDir(t), 'settings.json');
  // Written as earlier versions did: safeStorage reported encryption available, so basic_text was used.
  const before = { available: true, unavailableReason: undefined, protect: (p: string) => Buffer.from(`enc:${[...p].reverse().join('')}`).toString('base64'), reveal: () => '' };
  const { store: kv } = await JsonFileStore.open(path);
  await (await SettingsStore.open(kv, before)).store.update(withSecret('sk-very-secret'));
  assert.match(await readFile(path, 'utf8'), /"cloud": "/);

  const { store: kv2 } = await JsonFileStore.open(path);
  const { store, warnings } = await SettingsStore.open(kv2, safeStorageProtector(fakeSafeStorage({ backend: 'basic_text' }), 'linux'));
  assert.equal(store.current.servers[0]?.auth.kind === 'api-key' && store.current.servers[0].auth.key, 'sk-very-secret');
  assert.match(warnings.join(' '), /removed from disk and are kept until the app quits/);
  const saved = JSON.parse(await readFile(path, 'utf8')) as { secrets: Record<string, string> };
  assert.deepEqual(saved.secrets, {});
});
