// Turns bytes from the main process (images, and the viewer's videos and audio) into blob: URLs the page may show (the
// CSP allows img-src and media-src blob:, never a remote URL). Behind an interface so models can be tested with URLs
// they can count, created and revoked.

export interface ObjectUrls {
  create(file: { readonly mime: string; readonly bytes: Uint8Array }): string;
  revoke(url: string): void;
}

export const browserObjectUrls: ObjectUrls = {
  // slice(): a copy on a plain ArrayBuffer, which is what Blob accepts (IPC may hand over a view of a larger buffer).
  create: (image) => URL.createObjectURL(new Blob([image.bytes.slice()], { type: image.mime })),
  revoke: (url) => URL.revokeObjectURL(url),
};
