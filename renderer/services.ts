// What components need from outside the DOM tree, given through a context so component tests pass fakes.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { TrayApi } from '../electron/shared/ipc-contract.js';
import type { Clock } from './models/clock.js';
import type { FeedbackModel } from './models/feedback-model.js';
import type { QueueModel } from './models/queue-model.js';

export interface Services {
  readonly api: TrayApi;
  readonly model: QueueModel;
  readonly feedback: FeedbackModel;
  readonly clock: Clock;
  copyText(text: string): Promise<void>;
}

export const ServicesContext = createContext<Services | undefined>(undefined);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('ServicesContext missing');
  return services;
}
