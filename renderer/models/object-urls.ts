// Turns image bytes from the main process into blob: URLs the page may show (the CSP allows img-src blob:, never a
// remote URL). Behind an interface so models can be tested with URLs they can count, created and revoked.
import type { ImageBytes } from '../../electron/shared/ipc-contract.js';

export interface ObjectUrls {
  create(image: ImageBytes): string;
  revoke(url: string): void;
}

export const browserObjectUrls: ObjectUrls = {
  // slice(): a copy on a plain ArrayBuffer, which is what Blob accepts (IPC may hand over a view of a larger buffer).
  create: (image) => URL.createObjectURL(new Blob([image.bytes.slice()], { type: image.mime })),
  revoke: (url) => URL.revokeObjectURL(url),
};
