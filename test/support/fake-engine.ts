// An Engine over a FakeBackend, as most tracker tests want it: one server, quick rechecks, started.
import { Engine, type EngineOptions } from '../../electron/core/engine.js';
import { FakeBackend } from './fake-backend.js';
import { record, tempDir, type Recorder } from './events.js';

type TestLike = { after: (fn: () => Promise<void>) => void };

export interface FakeEngineOptions extends Partial<Omit<EngineOptions, 'servers' | 'createBackend' | 'tracker'>> {
  readonly recheckDelayMs?: number;
}

/** A started engine whose one server is `backend` (not connected yet: the test plays the server). */
export async function engineOn(dataDir: string, backend: FakeBackend, options: FakeEngineOptions = {}): Promise<Engine> {
  const { recheckDelayMs, ...rest } = options;
  const engine = await Engine.create({
    ...rest,
    dataDir,
    servers: [{ id: backend.serverId, name: backend.serverId, url: backend.url }],
    createBackend: () => backend,
    tracker: { recheckDelayMs: recheckDelayMs ?? 5 },
  });
  engine.start();
  return engine;
}

/** An engine on a fake server, connected and past its first reconciliation; stopped when the test ends. */
export async function connectedEngine<B extends FakeBackend = FakeBackend>(
  t: TestLike,
  options: FakeEngineOptions & { readonly backend?: B } = {},
): Promise<{ backend: B; engine: Engine; rec: Recorder }> {
  const { backend: given, dataDir, ...rest } = options;
  const backend = given ?? (new FakeBackend() as B);
  const engine = await engineOn(dataDir ?? (await tempDir(t)), backend, rest);
  t.after(() => engine.stop());
  const rec = record(engine.events);
  backend.connect();
  await engine.settled();
  return { backend, engine, rec };
}
