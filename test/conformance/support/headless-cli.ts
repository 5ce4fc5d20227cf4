// The BUILT headless CLI (dist/headless.cjs, what `npm run test:real` builds first) run as a user runs it: a real
// process against the real server, with a data folder of the test's own, its JSON lines and its exit code.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('../../../dist/headless.cjs', import.meta.url));

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout, one parsed JSON value per line. */
  readonly lines: Record<string, unknown>[];
}

export async function runCli(args: readonly string[], timeoutMs = 120_000): Promise<CliRun> {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: build first (node scripts/build.mjs; npm run test:real does)`);
  const child = spawn(process.execPath, [ENTRY, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`comfy-tray ${args.join(' ')} did not exit within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('exit', (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  // Each stdout line is one JSON object (the README's contract): a line that is not is a failure here.
  const lines = stdout.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
  return { code, stdout, stderr, lines };
}

/** A run's whole output, for assertion messages. */
export function shown(run: CliRun): string {
  return `exit ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
}
