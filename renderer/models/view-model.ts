// Which view the window shows: the queue or the settings (the tray's Settings… entry asks for the latter).
import { signal } from '@preact/signals';
import type { TrayApi } from '../../electron/shared/ipc-contract.js';

export type ViewName = 'queue' | 'settings';

export class ViewModel {
  readonly current = signal<ViewName>('queue');
}

export function connectView(view: ViewModel, api: Pick<TrayApi, 'onShowView'>): () => void {
  return api.onShowView((name) => {
    view.current.value = name;
  });
}
