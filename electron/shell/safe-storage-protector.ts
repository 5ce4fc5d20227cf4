// Secrets at rest through the OS keychain (Electron's safeStorage). Where the OS offers none, secrets are not
// written at all (the settings store keeps them in memory and says so).
import { safeStorage } from 'electron';
import type { SecretProtector } from '../core/store/kv-store.js';

export function safeStorageProtector(): SecretProtector {
  return {
    get available() {
      return safeStorage.isEncryptionAvailable();
    },
    protect: (plain) => safeStorage.encryptString(plain).toString('base64'),
    reveal: (text) => safeStorage.decryptString(Buffer.from(text, 'base64')),
  };
}
