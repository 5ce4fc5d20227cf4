// Child process for bench/idle.ts: connects one client with its production defaults to an idle server, says
// "ready" once start-up traffic is over, then does nothing; the server counts what the client sends meanwhile.
//   core  our Engine with one ComfyBackend (CONNECTION_DEFAULTS timings)
//   sdk   @saintno/comfyui-sdk's ComfyApi after init()
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComfyApi } from '@saintno/comfyui-sdk';
import { Engine } from '../../electron/core/engine.js';
import { parentChannel } from '../support/channel.js';
import { holdYoungGeneration } from '../../electron/core/runtime/young-generation.js';

export type IdleKind = 'core' | 'sdk';
export type FromIdleClient = { type: 'ready' };

const [kind, url] = process.argv.slice(2) as [IdleKind, string];
if (kind === 'core') holdYoungGeneration(); // as the app's entry points do
const channel = parentChannel<never, FromIdleClient>();

async function core(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'comfy-tray-bench-idle-'));
  process.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  const engine = await Engine.create({ dataDir, servers: [{ id: 'bench', name: 'bench', url }] });
  const connected = new Promise<void>((resolve) => engine.backend('bench').events.on('connected', () => resolve()));
  engine.start();
  await connected;
  await engine.settled();
}

async function sdk(): Promise<void> {
  const api = new ComfyApi(url, 'bench-sdk-idle');
  const connected = new Promise<void>((resolve) => api.on('connected', () => resolve()));
  api.init();
  await connected;
  await api.waitForReady();
}

async function main(): Promise<void> {
  await (kind === 'core' ? core() : sdk());
  // Start-up requests still in flight land before the parent starts counting.
  await new Promise((resolve) => setTimeout(resolve, 500));
  channel.send({ type: 'ready' });
}

void main();
