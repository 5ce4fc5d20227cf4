// What ships: the packaged app holds the bundles and nothing else of ours (no tests, sources or dev tools), the Linux
// packages have the metadata they require, and the page the app shows carries a strict Content-Security-Policy.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { listPackage } from '@electron/asar';

interface PackageJson {
  readonly main: string;
  readonly homepage?: string;
  readonly author?: { readonly name?: string; readonly email?: string };
  readonly devDependencies: Readonly<Record<string, string>>;
}
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as PackageJson;

// `npm test` builds once before the tests run (tests running side by side must not rebuild dist/ under each other).
before(() => assert.ok(existsSync('dist/inputs.json'), 'dist/ is missing: run node scripts/build.mjs (npm test does)'));

/** The packages only development needs: the devDependencies and whatever the lockfile says only they pull in. */
function devOnlyPackages(): string[] {
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const locked = Object.entries(lock.packages)
    .filter(([path, entry]) => entry.dev === true && path.startsWith('node_modules/'))
    .map(([path]) => path.slice('node_modules/'.length));
  return [...new Set([...Object.keys(pkg.devDependencies), ...locked])];
}

test('the bundles are made only of app code and runtime libraries', () => {
  const inputs = JSON.parse(readFileSync('dist/inputs.json', 'utf8')) as string[];
  for (const entry of ['electron/main.ts', 'electron/preload.ts', 'electron/core/workflow/extract-worker.ts', 'renderer/main.tsx']) assert.ok(inputs.includes(entry), entry);
  const foreign = inputs.filter((path) => /^(test|bench|scripts)\//.test(path) || /\.test\.tsx?$/.test(path));
  assert.deepEqual(foreign, []);
  const devOnly = devOnlyPackages();
  // The list reaches the tools a bundle must never pull in (so this check cannot pass by being empty).
  for (const tool of ['typescript', 'esbuild', 'electron-builder', 'fast-check', 'happy-dom', 'tsx']) assert.ok(devOnly.includes(tool), tool);
  const leaked = inputs.filter((path) => devOnly.some((name) => path.startsWith(`node_modules/${name}/`) || path.includes(`/node_modules/${name}/`)));
  assert.deepEqual(leaked, []);
});

// One electron-builder run on a copy of what it packs, with a placeholder Electron: the Linux targets (deb, AppImage)
// go through their checks and stop right before running the tools they would download (fpm, appimagetool), leaving
// the unpacked app in linux-unpacked/.
const work = mkdtempSync(join(tmpdir(), 'comfy-tray-pack-'));
const unpacked = join(work, 'out', 'linux-unpacked');
/** What the run left: its exit code and log, and the options each Linux target computed before stopping. */
let packed: { code: number | null; output: string; targets: { deb?: [string[], string]; AppImage?: unknown } } = { code: null, output: '', targets: {} };

const builderScript = `
import { writeFileSync } from 'node:fs';
import { build, Platform } from 'electron-builder';
const computed = {};
await build({
  projectDir: process.cwd(),
  targets: Platform.LINUX.createTarget(['deb', 'AppImage']),
  config: { electronDist: process.env.PACK_ELECTRON_DIST, npmRebuild: false, directories: { output: process.env.PACK_OUTPUT }, publish: null },
  effectiveOptionComputed: async (options) => {
    computed[Array.isArray(options) ? 'deb' : 'AppImage'] = options;
    return true;
  },
});
writeFileSync(process.env.PACK_REPORT, JSON.stringify(computed));
`;

before(async () => {
  const project = join(work, 'project');
  mkdirSync(project);
  for (const path of ['package.json', 'electron-builder.yml', 'dist', 'resources']) cpSync(path, join(project, path), { recursive: true });
  // electron-builder reads the dependency tree; a link (a junction on Windows) avoids copying it.
  symlinkSync(resolve('node_modules'), join(project, 'node_modules'), 'junction');
  const electronDist = join(work, 'electron-dist');
  mkdirSync(electronDist);
  writeFileSync(join(electronDist, 'electron'), '#!/bin/sh\n', { mode: 0o755 });
  const report = join(work, 'report.json');
  const child = spawn(process.execPath, ['--input-type=module', '-e', builderScript], {
    cwd: project,
    env: { ...process.env, PACK_ELECTRON_DIST: electronDist, PACK_OUTPUT: join(work, 'out'), PACK_REPORT: report },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  packed = { code, output, targets: existsSync(report) ? (JSON.parse(readFileSync(report, 'utf8')) as typeof packed.targets) : {} };
});

after(() => rmSync(work, { recursive: true, force: true }));

test('electron-builder packs the bundles and package.json only, never node_modules, sources, tests or source maps', () => {
  const asar = join(unpacked, 'resources', 'app.asar');
  assert.ok(existsSync(asar), `electron-builder packed no app:\n${packed.output}`);
  const entries = listPackage(asar, { isPack: false }).map((entry) => entry.replace(/\\/g, '/'));
  for (const needed of ['/package.json', '/dist/main.cjs', '/dist/preload.cjs', '/dist/extract-worker.cjs', '/dist/renderer/index.html', '/dist/renderer/main.js', '/dist/renderer/main.css']) {
    assert.ok(entries.includes(needed), `${needed} is packed`);
  }
  const unexpected = entries.filter((entry) => !/^\/(package\.json|dist|dist\/(main|preload|extract-worker)\.cjs|dist\/renderer(\/[^/]+\.(html|js|css|png|svg|woff2))?)$/.test(entry));
  assert.deepEqual(unexpected, []);
  assert.deepEqual(entries.filter((entry) => /node_modules|\.tsx?$|\.map$|(^|\/)test\/|\.test\./.test(entry)), []);
  assert.equal(pkg.main, 'dist/main.cjs');
});

test('the tray icons ship next to the app, where main.ts loads them from', () => {
  for (const platform of ['linux', 'mac', 'win']) assert.ok(existsSync(join(unpacked, 'resources', 'tray', platform)), platform);
  assert.ok(existsSync(join(unpacked, 'resources', 'tray', 'linux', 'idle.png')));
});

// Regression: `npm run dist` on Linux stopped at the deb target with "Please specify project homepage" and "Please
// specify author 'email'" (the package maintainer).
test('the Linux packages get their metadata: a homepage and a maintainer with an email', () => {
  assert.equal(packed.code, 0, `electron-builder failed:\n${packed.output}`);
  assert.ok(packed.targets.AppImage, 'the AppImage target got past its checks');
  const [args] = packed.targets.deb ?? assert.fail('the deb target got past its checks');
  const option = (name: string): string | undefined => args[args.indexOf(name) + 1];
  assert.equal(option('--url'), pkg.homepage);
  assert.match(option('--maintainer') ?? '', /^[^<>]+ <[^@\s]+@[^@\s]+>$/);
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
  // The viewer plays videos and audio from bytes the main process sent, never from anywhere else.
  assert.deepEqual(directives.get('media-src'), ['blob:']);
  assert.ok(!csp.includes('unsafe-eval'));
  assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/.test(html), 'no inline scripts');
});
