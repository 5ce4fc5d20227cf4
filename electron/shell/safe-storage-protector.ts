// Secrets at rest through the OS keychain (Electron's safeStorage). Where the OS offers none, secrets are not
// written at all (the settings store keeps them in memory and says so). On Linux without a keyring, safeStorage
// still "encrypts", but with a key written into Electron itself (the `basic_text` backend): anyone who can read the
// settings file can read such a secret, so that counts as no protection.
import type { SafeStorage } from 'electron';
import type { SecretProtector } from '../core/store/kv-store.js';

/** The parts of Electron's safeStorage used here; `getSelectedStorageBackend` exists on Linux only. */
export type SafeStorageLike = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> &
  Partial<Pick<SafeStorage, 'getSelectedStorageBackend'>>;

const NO_KEYCHAIN = 'The system keychain is not available';
const NO_KEYRING = 'No system keyring was found (such as GNOME Keyring or KWallet), so secrets cannot be protected';

/** Why secrets cannot be written safely now, or undefined when they can. Asked each time: a keychain can come and go. */
export function unprotectedReason(storage: SafeStorageLike, platform: NodeJS.Platform): string | undefined {
  if (!storage.isEncryptionAvailable()) return NO_KEYCHAIN;
  if (platform === 'linux' && storage.getSelectedStorageBackend?.() === 'basic_text') return NO_KEYRING;
  return undefined;
}

/** Pass Electron's `safeStorage` (after the app is ready: before it, Linux cannot tell which backend it uses). */
export function safeStorageProtector(storage: SafeStorageLike, platform: NodeJS.Platform = process.platform): SecretProtector {
  return {
    get available() {
      return unprotectedReason(storage, platform) === undefined;
    },
    get unavailableReason() {
      return unprotectedReason(storage, platform);
    },
    protect: (plain) => {
      const reason = unprotectedReason(storage, platform);
      // The settings store asks `available` first; this makes sure a weak "encryption" is never written anyway.
      if (reason !== undefined) throw new Error(`Secrets are not written: ${reason}`);
      return storage.encryptString(plain).toString('base64');
    },
    // Reading stays possible without a keyring, so secrets an earlier version wrote that way can be taken off the disk.
    reveal: (text) => storage.decryptString(Buffer.from(text, 'base64')),
  };
}
