// Renders the window (or one component) with fake services, and small helpers to wait for Preact and query by text.
import './dom.js';
import type { ComponentChild } from 'preact';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import type { JobView, ServerView } from '../../../electron/shared/app-state.js';
import type { AppSnapshot, TrayApi, VersionedPatches } from '../../../electron/shared/ipc-contract.js';
import { createClock } from '../../../renderer/models/clock.js';
import { connectModel } from '../../../renderer/models/connect.js';
import { FeedbackModel } from '../../../renderer/models/feedback-model.js';
import { QueueModel } from '../../../renderer/models/queue-model.js';
import { ServicesContext, type Services } from '../../../renderer/services.js';

export interface FakeTray {
  readonly api: TrayApi;
  readonly cancelled: [string, string][];
  readonly copied: string[];
  push(batch: VersionedPatches): Promise<void>;
  cancelResult: () => Promise<boolean>;
}

export interface Rendered extends FakeTray {
  readonly root: HTMLElement;
  readonly services: Services;
  unmount(): void;
}

export const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

export function server(id: string, extra: Partial<ServerView> = {}): ServerView {
  return { id, name: `Server ${id}`, url: `http://${id}.local:8188/`, state: 'connected', version: '0.3.60', ...extra };
}

export function job(id: string, extra: Partial<JobView> = {}): JobView {
  return { serverId: 'a', id, status: 'completed', submittedBy: 'other', outputs: [], workflowName: `Workflow ${id}`, createdAt: NOW - 60_000, ...extra };
}

export async function flush(): Promise<void> {
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
}

export async function renderApp(snapshot: AppSnapshot, view: ComponentChild): Promise<Rendered> {
  let patchListener: ((batch: VersionedPatches) => void) | undefined;
  const cancelled: [string, string][] = [];
  const copied: string[] = [];
  // Not a fresh literal on purpose: the contract is growing (view and focus events), and extra methods here must
  // not break the type check while it does.
  const api = {
    getSnapshot: async () => snapshot,
    cancelJob: async (serverId: string, jobId: string) => {
      cancelled.push([serverId, jobId]);
      return fake.cancelResult();
    },
    onSnapshot: () => () => undefined,
    onPatches: (listener: (batch: VersionedPatches) => void) => {
      patchListener = listener;
      return () => (patchListener = undefined);
    },
    onShowView: () => () => undefined,
    onFocusJob: () => () => undefined,
  };
  const fake: FakeTray = {
    cancelled,
    copied,
    cancelResult: async () => true,
    api,
    push: async (batch) => {
      await act(() => patchListener?.(batch));
    },
  };
  const clock = createClock(1000, () => NOW);
  const services: Services = {
    api: fake.api,
    model: new QueueModel(),
    feedback: new FeedbackModel(50),
    clock,
    copyText: async (text) => void copied.push(text),
  };
  const root = document.createElement('div');
  document.body.appendChild(root);
  const off = connectModel(services.model, fake.api, (error) => {
    throw error;
  });
  await act(() => render(<ServicesContext.Provider value={services}>{view}</ServicesContext.Provider>, root));
  await flush();
  return Object.assign(fake, {
    root,
    services,
    unmount() {
      off();
      render(null, root);
      root.remove();
    },
  });
}

export function byText(root: ParentNode, selector: string, text: string | RegExp): HTMLElement {
  const found = [...root.querySelectorAll<HTMLElement>(selector)].find((el) => (typeof text === 'string' ? el.textContent?.includes(text) : text.test(el.textContent ?? '')));
  if (!found) throw new Error(`No ${selector} with text ${String(text)} in:\n${((root as HTMLElement).innerHTML ?? '').slice(0, 400)}`);
  return found;
}
