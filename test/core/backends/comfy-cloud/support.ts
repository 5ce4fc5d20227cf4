// A Comfy Cloud account (the simulator, with its storage origin) and an engine following it, for the Cloud tests.
import { Engine } from '../../../../electron/core/engine.js';
import type { ConnectionTimings } from '../../../../electron/core/comfy/reconnect-policy.js';
import type { ServerView } from '../../../../electron/shared/app-state.js';
import { CloudSimulator, type CloudSimulatorOptions } from '../../../support/cloud-simulator/cloud-simulator.js';
import { nextEvent, tempDir } from '../../../support/events.js';
import { StorageOrigin } from '../../../support/storage-origin.js';
import { FAST_TIMINGS } from '../../../support/timings.js';

type TestContext = { after: (fn: () => Promise<void>) => void };

export const API_KEY = 'ck-live-4c1d-not-to-be-seen';

export async function cloudAccount(t: TestContext, options: Partial<CloudSimulatorOptions> = {}): Promise<{ cloud: CloudSimulator; storage: StorageOrigin }> {
  const storage = await StorageOrigin.start();
  t.after(() => storage.stop());
  const cloud = await CloudSimulator.start({ apiKey: API_KEY, storage, ...options });
  t.after(() => cloud.stop());
  return { cloud, storage };
}

export async function cloudEngine(
  t: TestContext,
  url: string,
  options: { dataDir?: string; key?: string; save?: boolean; timings?: Partial<ConnectionTimings>; start?: boolean } = {},
): Promise<{ engine: Engine; folder: string; dataDir: string }> {
  const folder = await tempDir(t);
  const dataDir = options.dataDir ?? (await tempDir(t));
  const engine = await Engine.create({
    dataDir,
    servers: [{ kind: 'comfy-cloud', id: 'cloud', name: 'Comfy Cloud', url, auth: { kind: 'api-key', key: options.key ?? API_KEY } }],
    timings: { ...FAST_TIMINGS, ...options.timings },
    tracker: { recheckDelayMs: 50 },
    ...(options.save !== false && { outputs: { folder, attempts: 2, retryDelayMs: 10, retryLaterMs: 50, retryMaxMs: 200 } }),
  });
  t.after(() => engine.stop());
  if (options.start !== false) engine.start();
  return { engine, folder, dataDir };
}

export function serverState(engine: Engine, predicate: (server: ServerView) => boolean, timeoutMs = 15_000): Promise<ServerView> {
  const now = engine.servers()[0];
  if (now && predicate(now)) return Promise.resolve(now);
  return nextEvent(engine.events, 'server', predicate, timeoutMs);
}

export const SAVE = { class_type: 'SaveImage', inputs: { filename_prefix: 'cloud' } };
export const STEPS = (steps: number) => ({ class_type: 'SimSteps', inputs: { steps } });
