// Starts and controls a REAL ComfyUI server for the conformance suite, with the start script that ships beside the
// ComfyUI release tarballs (CPU only, no model files). Where the servers are is configurable; by default the
// `comfyui-servers` folder that CI places beside the repository checkout.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REAL_VERSIONS = ['0.8.0', '0.3.54'] as const;
export type RealVersion = (typeof REAL_VERSIONS)[number];

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The folder holding `start-real-comfyui.sh` and the release tarballs. */
export function serversDir(): string {
  return resolve(process.env.COMFYUI_SERVERS_DIR ?? join(REPO_ROOT, '..', 'shared', 'comfyui-servers'));
}

/** Keeps the unpacked sources and the Python environment between runs (the first one builds it: minutes). */
function workDir(): string {
  return process.env.COMFYUI_WORK ?? join(tmpdir(), 'comfy-tray-real-comfyui');
}

/**
 * Why the real servers cannot run here, or undefined when they can. In CI a missing server is a failure, never a
 * skip: the suite exists to prove the app against the real thing.
 */
export function unavailableReason(): string | undefined {
  const script = join(serversDir(), 'start-real-comfyui.sh');
  if (!existsSync(script)) return `no ComfyUI start script at ${script} (set COMFYUI_SERVERS_DIR)`;
  return undefined;
}

export function mustRun(): boolean {
  return process.env.CI === 'true' || process.env.CI === '1' || process.env.COMFY_TRAY_REAL_REQUIRED === '1';
}

/** A port nothing listens on (for a server to start on, or for a URL that refuses connections). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

export class RealComfyUI {
  private constructor(
    readonly version: RealVersion,
    readonly port: number,
    private currentPid: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  get pid(): number {
    return this.currentPid;
  }

  /** Starts the server and resolves once it answers HTTP (30-60 s; minutes the first time). */
  static async start(version: RealVersion): Promise<RealComfyUI> {
    const port = await freePort();
    const pid = await launch(version, port);
    return new RealComfyUI(version, port, pid);
  }

  /** SIGKILL and wait for the process to be gone (the port is free again). */
  async kill(): Promise<void> {
    signal(this.currentPid, 'SIGKILL');
    await exited(this.currentPid);
  }

  /** A fresh process on the same port and folder: what a user's restart looks like (empty queue and history). */
  async restart(): Promise<void> {
    this.currentPid = await launch(this.version, this.port);
  }

  /** SIGSTOP: the socket stays open and the port accepts connections, but nothing answers. */
  freeze(): void {
    signal(this.currentPid, 'SIGSTOP');
  }

  thaw(): void {
    signal(this.currentPid, 'SIGCONT');
  }

  async stop(): Promise<void> {
    signal(this.currentPid, 'SIGCONT');
    signal(this.currentPid, 'SIGTERM');
    await exited(this.currentPid, 10_000).catch(async () => {
      signal(this.currentPid, 'SIGKILL');
      await exited(this.currentPid);
    });
    // Each port gets its own copy of the source (outputs, database): nothing of it is needed again.
    await rm(join(workDir(), `comfyui-${this.version}-${this.port}`), { recursive: true, force: true });
    await rm(join(workDir(), `comfyui-${this.version}-${this.port}.log`), { force: true });
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

async function exited(pid: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    if (Date.now() > deadline) throw new Error(`process ${pid} did not exit within ${timeoutMs} ms`);
    // Polling a pid is the only way to see a process we did not spawn ourselves end (the script detaches it).
    await new Promise((done) => setTimeout(done, 50));
  }
}

function launch(version: RealVersion, port: number): Promise<number> {
  const script = join(serversDir(), 'start-real-comfyui.sh');
  return new Promise((resolvePid, reject) => {
    const child = spawn('bash', [script, version, String(port), workDir()], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const pid = Number(out.trim().split('\n').pop());
      if (code === 0 && Number.isSafeInteger(pid) && pid > 0) resolvePid(pid);
      else reject(new Error(`ComfyUI ${version} did not start (exit ${code}): ${err.split('\n').filter((l) => !l.startsWith('WARNING')).slice(-15).join('\n')}`));
    });
  });
}
