// The live preview of one running job. Every new `previewVersion` asks for the latest image, but at most one request
// is in flight: versions that arrive meanwhile are folded into one follow-up request, since the main process always
// answers with the newest image anyway. Each new image replaces (and revokes) the previous blob: URL.
import { signal } from '@preact/signals';
import type { ImageBytes } from '../../electron/shared/ipc-contract.js';
import { browserObjectUrls, type ObjectUrls } from './object-urls.js';

export class PreviewModel {
  /** The image to show; undefined until the first one arrives. */
  readonly url = signal<string | undefined>(undefined);
  private wanted: number | undefined;
  private requested: number | undefined;
  private inFlight = false;
  private disposed = false;

  constructor(
    private readonly fetchLatest: () => Promise<ImageBytes | undefined>,
    private readonly urls: ObjectUrls = browserObjectUrls,
  ) {}

  /** The job's preview version changed. */
  want(version: number): void {
    if (this.disposed || version === this.wanted) return;
    this.wanted = version;
    void this.pump();
  }

  /** The job left the running card: forget the image and free its memory. */
  dispose(): void {
    this.disposed = true;
    this.show(undefined);
  }

  private async pump(): Promise<void> {
    if (this.inFlight) return;
    this.inFlight = true;
    try {
      while (!this.disposed && this.requested !== this.wanted) {
        this.requested = this.wanted;
        let image: ImageBytes | undefined;
        try {
          image = await this.fetchLatest();
        } catch {
          // A missed preview is not worth an error message: the next version tries again, the last image stays.
          continue;
        }
        if (image && !this.disposed) this.show(this.urls.create(image));
      }
    } finally {
      this.inFlight = false;
    }
  }

  private show(url: string | undefined): void {
    const previous = this.url.peek();
    this.url.value = url;
    if (previous !== undefined) this.urls.revoke(previous);
  }
}
