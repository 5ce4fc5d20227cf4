// What ships: the packaged app holds the bundles and nothing else of ours (no tests, sources or dev tools), and the
// page it shows carries a strict Content-Security-Policy.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { before, test } from 'node:test';

// `npm test` builds once before the tests run (tests running side by side must not rebuild dist/ under each other).
before(() => assert.ok(existsSync('dist/inputs.json'), 'dist/ is missing: run node scripts/build.mjs (npm test does)'));

test('the bundles are made only of app code and runtime libraries', () => {
  const inputs = JSON.parse(readFileSync('dist/inputs.json', 'utf8')) as string[];
  assert.ok(inputs.includes('electron/main.ts') && inputs.includes('electron/preload.ts') && inputs.includes('renderer/main.tsx'));
  const foreign = inputs.filter((path) => /^(test|bench|scripts)\//.test(path) || /\.test\.tsx?$/.test(path));
  assert.deepEqual(foreign, []);
  const devOnly = ['typescript', 'eslint', 'tsx', 'esbuild', 'electron-builder', 'fast-check', 'happy-dom', 'playwright-core', '@saintno/comfyui-sdk'];
  const leaked = inputs.filter((path) => devOnly.some((name) => path.startsWith(`node_modules/${name}/`)));
  assert.deepEqual(leaked, []);
});

test('electron-builder packs the bundles and package.json only, never node_modules or sources', () => {
  const config = readFileSync('electron-builder.yml', 'utf8');
  const files = config.split(/\nfiles:\n/)[1]!.split(/\n(?! {2}- )/)[0]!.split('\n').map((line) => line.replace(/^ {2}- /, '').replace(/^"|"$/g, ''));
  assert.deepEqual(files, ['package.json', 'dist/main.cjs', 'dist/preload.cjs', 'dist/renderer/**', '!**/*.map', '!node_modules/**']);
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { main: string };
  assert.equal(pkg.main, 'dist/main.cjs');
});

test('the built page has a strict CSP: scripts from the app only, no eval, no network, no frames', () => {
  const html = readFileSync('dist/renderer/index.html', 'utf8');
  const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
  assert.ok(csp, 'CSP meta tag present');
  const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
  assert.deepEqual(directives.get('default-src'), ["'none'"]);
  assert.deepEqual(directives.get('script-src'), ["'self'"]);
  assert.deepEqual(directives.get('connect-src'), ["'none'"]);
  assert.deepEqual(directives.get('frame-ancestors'), ["'none'"]);
  assert.ok(!csp.includes('unsafe-eval'));
  assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/.test(html), 'no inline scripts');
});
