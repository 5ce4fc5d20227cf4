// Builds real clients against a real (simulated) server for tests.
import { ComfyBackend } from '../../electron/core/backends/comfyui/comfy-backend.js';
import type { ConnectionInfo } from '../../electron/core/comfy/comfy-connection.js';
import type { ConnectionTimings } from '../../electron/core/comfy/reconnect-policy.js';
import { resolveServer, type ServerAuth } from '../../electron/core/comfy/server-config.js';
import { Engine } from '../../electron/core/engine.js';
import { Journal } from '../../electron/core/jobs/journal.js';
import type { OutputOptions } from '../../electron/core/outputs/output-options.js';
import { nextEvent, tempDir } from './events.js';
import { FAST_TIMINGS } from './timings.js';

type TestContext = { after: (fn: () => Promise<void>) => void };

export async function backendFor(
  t: TestContext,
  url: string,
  options: { auth?: ServerAuth; timings?: Partial<ConnectionTimings>; dataDir?: string } = {},
): Promise<{ backend: ComfyBackend; journal: Journal }> {
  const dir = options.dataDir ?? (await tempDir(t));
  const { journal } = await Journal.openIn(dir);
  const backend = new ComfyBackend(resolveServer({ id: 'sim', name: 'sim', url, ...(options.auth && { auth: options.auth }) }), journal, {
    timings: { ...FAST_TIMINGS, ...options.timings },
  });
  t.after(async () => {
    await backend.stop();
    await journal.flush();
  });
  return { backend, journal };
}

/** `backendFor`, started and connected. */
export async function connectedBackendFor(t: TestContext, url: string, options: Parameters<typeof backendFor>[2] = {}): Promise<{ backend: ComfyBackend; journal: Journal }> {
  const made = await backendFor(t, url, options);
  made.backend.start();
  await stateReached(made.backend, 'connected');
  return made;
}

export function stateReached(backend: ComfyBackend, state: ConnectionInfo['state'], timeoutMs = 10_000): Promise<ConnectionInfo> {
  if (backend.connection.state === state) return Promise.resolve(backend.connection);
  return nextEvent(backend.events, 'connection', (info) => info.state === state, timeoutMs);
}

export async function engineFor(
  t: TestContext,
  urls: readonly string[],
  options: { dataDir?: string; timings?: Partial<ConnectionTimings>; start?: boolean; outputs?: OutputOptions } = {},
): Promise<Engine> {
  const dataDir = options.dataDir ?? (await tempDir(t));
  const engine = await Engine.create({
    dataDir,
    servers: urls.map((url, i) => ({ id: `s${i}`, name: `server ${i}`, url })),
    timings: { ...FAST_TIMINGS, ...options.timings },
    tracker: { recheckDelayMs: 50 },
    ...(options.outputs && { outputs: options.outputs }),
  });
  t.after(() => engine.stop());
  if (options.start !== false) engine.start();
  return engine;
}

export function serverConnected(engine: Engine, serverId = 's0', timeoutMs = 10_000): Promise<unknown> {
  if (engine.servers().find((s) => s.id === serverId)?.state === 'connected') return Promise.resolve();
  return nextEvent(engine.events, 'server', (s) => s.id === serverId && s.state === 'connected', timeoutMs);
}
