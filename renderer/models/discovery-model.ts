// Looks for a ComfyUI on this computer when the window has no server yet, so the first run can be one click.
import { signal } from '@preact/signals';
import type { DiscoveryResult, TrayApi } from '../../electron/shared/ipc-contract.js';
import { errorText } from './feedback-model.js';

export type DiscoveryState =
  | { readonly status: 'idle' }
  | { readonly status: 'looking' }
  | { readonly status: 'done'; readonly result: DiscoveryResult }
  | { readonly status: 'failed'; readonly message: string };

export class DiscoveryModel {
  readonly state = signal<DiscoveryState>({ status: 'idle' });

  constructor(private readonly api: Pick<TrayApi, 'discoverLocalServer'>) {}

  async look(): Promise<void> {
    if (this.state.peek().status === 'looking') return;
    this.state.value = { status: 'looking' };
    try {
      this.state.value = { status: 'done', result: await this.api.discoverLocalServer() };
    } catch (error) {
      this.state.value = { status: 'failed', message: errorText(error) };
    }
  }
}
