// ComfyControl (the simulator, with its storage origin) and an engine following runs on it, for the ComfyControl tests.
import { Engine } from '../../../../electron/core/engine.js';
import type { ConnectionTimings } from '../../../../electron/core/comfy/reconnect-policy.js';
import type { ServerView } from '../../../../electron/shared/app-state.js';
import { ComfyControlSimulator, type ComfyControlSimulatorOptions } from '../../../support/comfycontrol-simulator.js';
import { nextEvent, tempDir } from '../../../support/events.js';
import { StorageOrigin } from '../../../support/storage-origin.js';
import { FAST_TIMINGS } from '../../../support/timings.js';

type TestContext = { after: (fn: () => Promise<void>) => void };

export const TOKEN = 'cc-token-9b2e-not-to-be-seen';
/** The stream's interval in these tests: a stall is three of them. */
export const INTERVAL_MS = 25;

export async function comfyControl(t: TestContext, options: Partial<ComfyControlSimulatorOptions> = {}): Promise<{ cc: ComfyControlSimulator; storage: StorageOrigin }> {
  const storage = await StorageOrigin.start();
  t.after(() => storage.stop());
  const cc = await ComfyControlSimulator.start({ token: TOKEN, storage, intervalMs: INTERVAL_MS, maxUpdates: 120, ...options });
  t.after(() => cc.stop());
  return { cc, storage };
}

export async function comfyControlEngine(
  t: TestContext,
  url: string,
  options: { dataDir?: string; token?: string; timings?: Partial<ConnectionTimings> } = {},
): Promise<{ engine: Engine; folder: string; dataDir: string }> {
  const folder = await tempDir(t);
  const dataDir = options.dataDir ?? (await tempDir(t));
  const engine = await Engine.create({
    dataDir,
    servers: [{ kind: 'comfycontrol', id: 'cc', name: 'ComfyControl', url, auth: { kind: 'bearer', token: options.token ?? TOKEN } }],
    timings: { ...FAST_TIMINGS, streamIntervalMs: INTERVAL_MS, ...options.timings },
    tracker: { recheckDelayMs: 50 },
    outputs: { folder, attempts: 2, retryDelayMs: 10, retryLaterMs: 50, retryMaxMs: 200 },
  });
  t.after(() => engine.stop());
  engine.start();
  return { engine, folder, dataDir };
}

export function serverState(engine: Engine, predicate: (server: ServerView) => boolean, timeoutMs = 15_000): Promise<ServerView> {
  const now = engine.servers()[0];
  if (now && predicate(now)) return Promise.resolve(now);
  return nextEvent(engine.events, 'server', predicate, timeoutMs);
}

export const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
