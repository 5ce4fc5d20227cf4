// Runs every test file under test/ (or the files given) with Node's own test runner, TypeScript through tsx.
// Node 20's runner does not expand globs, so the file list is built here.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

// The conformance suite starts real ComfyUI servers and runs on its own (npm run test:real).
const SEPARATE_SUITES = new Set([join('test', 'conformance')]);

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (SEPARATE_SUITES.has(path)) continue;
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (/\.test\.tsx?$/.test(name)) found.push(path);
  }
  return found;
}

// `--conformance`: the real-server suite alone, one file per ComfyUI version (each starts its own server).
const args = process.argv.slice(2);
const conformance = args[0] === '--conformance';
const files = conformance ? findConformanceTests() : args.length > 0 ? args : findTests('test').sort();

function findConformanceTests() {
  const dir = join('test', 'conformance');
  return readdirSync(dir).filter((name) => /\.test\.ts$/.test(name)).sort().map((name) => join(dir, name));
}
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
