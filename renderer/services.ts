// What components need from outside the DOM tree, given through a context so component tests pass fakes.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { TrayApi } from '../electron/shared/ipc-contract.js';
import type { Clock } from './models/clock.js';
import type { DropModel } from './models/drop-model.js';
import type { FeedbackModel } from './models/feedback-model.js';
import type { QueueModel } from './models/queue-model.js';
import type { SettingsModel } from './models/settings-model.js';
import type { ViewModel } from './models/view-model.js';
import type { ViewerModel } from './models/viewer-model.js';

export interface Services {
  readonly api: TrayApi;
  readonly model: QueueModel;
  readonly feedback: FeedbackModel;
  readonly clock: Clock;
  readonly view: ViewModel;
  readonly settings: SettingsModel;
  readonly drop: DropModel;
  /** The output viewer (which output is open, its bytes). */
  readonly viewer: ViewerModel;
  copyText(text: string): Promise<void>;
  /** How long a history row stays in view before its thumbnail is asked for (tests set 0). */
  readonly thumbnailSettleMs?: number;
}

export const ServicesContext = createContext<Services | undefined>(undefined);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('ServicesContext missing');
  return services;
}
