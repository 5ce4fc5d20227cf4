// Builds the renderer exactly as scripts/build.mjs does, into a folder of the test's own, so an e2e run never
// races with a build of dist/ happening elsewhere.
import { build } from 'esbuild';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function buildRenderer(): Promise<{ dir: string; dispose: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'comfy-tray-renderer-'));
  await build({
    entryPoints: ['renderer/main.tsx'],
    outfile: join(dir, 'main.js'),
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'chrome120',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    logLevel: 'warning',
    legalComments: 'none',
  });
  await copyFile('renderer/index.html', join(dir, 'index.html'));
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}
