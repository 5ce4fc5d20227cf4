// Bundles the app with esbuild: the main process, the preload, the renderer, the headless CLI and the worker that
// reads dropped files.
// Everything the app needs at run time is inside these bundles, so the packaged app ships no node_modules.
import { build } from 'esbuild';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';

const headlessOnly = process.argv.includes('--headless-only');
// The metafiles say what went into each bundle; a test checks no test, bench or script file ever does.
const common = { bundle: true, sourcemap: true, logLevel: 'warning', legalComments: 'none', metafile: true };
const node = {
  ...common,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // ws probes for optional native helpers; without them it uses its JavaScript code paths.
  external: ['electron', 'bufferutil', 'utf-8-validate'],
  // import.meta.url is used by ESM-only dependencies; give the CJS bundle an equivalent.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
};

await mkdir('dist', { recursive: true });
const jobs = [
  build({ ...node, entryPoints: ['electron/headless.ts'], outfile: 'dist/headless.cjs' }),
  // Files are read off the main thread (core/workflow/workflow-reader.ts), which starts this beside the bundle.
  build({ ...node, entryPoints: ['electron/core/workflow/extract-worker.ts'], outfile: 'dist/extract-worker.cjs' }),
];
if (!headlessOnly) {
  await rm('dist/renderer', { recursive: true, force: true });
  jobs.push(
    build({ ...node, entryPoints: ['electron/main.ts'], outfile: 'dist/main.cjs' }),
    // Sandboxed preloads are CommonJS and may only require 'electron'.
    build({ ...node, entryPoints: ['electron/preload.ts'], outfile: 'dist/preload.cjs', sourcemap: false }),
    build({
      ...common,
      entryPoints: ['renderer/main.tsx'],
      outfile: 'dist/renderer/main.js',
      platform: 'browser',
      format: 'esm',
      target: 'chrome120',
      jsx: 'automatic',
      jsxImportSource: 'preact',
    }).then(async (result) => {
      await copyFile('renderer/index.html', 'dist/renderer/index.html');
      return result;
    }),
  );
}
const results = await Promise.all(jobs);
const inputs = [...new Set(results.flatMap((result) => Object.keys(result?.metafile?.inputs ?? {})))].sort();
await writeFile(headlessOnly ? 'dist/inputs-headless.json' : 'dist/inputs.json', JSON.stringify(inputs, null, 1));
