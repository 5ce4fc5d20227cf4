// Runs the benchmarks in bench/ one after the other (never in parallel: they measure CPU time on a small machine)
// and prints their tables together at the end. Each bench also leaves bench/results/<name>.{json,md}.
//   npm run bench                      all of them (about 25 minutes on 2 cores: 13 the reconnect outages, 2 the idle window)
//   npm run bench -- messages memory   only these
//   npm run bench -- --runs=3 --seconds=60   options are passed to every bench (see the head of each file)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';

const ALL = ['messages', 'memory', 'reconcile', 'reconnect', 'finish-latency', 'outputs', 'journal', 'idle', 'hostile-file'];
const args = process.argv.slice(2);
const named = args.filter((a) => !a.startsWith('--'));
const options = args.filter((a) => a.startsWith('--'));
const unknown = named.filter((n) => !ALL.includes(n));
if (unknown.length > 0) {
  console.error(`Unknown bench: ${unknown.join(', ')} (known: ${ALL.join(', ')})`);
  process.exit(2);
}
const selected = named.length > 0 ? ALL.filter((n) => named.includes(n)) : ALL;

const failed = [];
const started = Date.now();
for (const name of selected) {
  console.log(`\n=== bench/${name}.ts`);
  const t0 = Date.now();
  const result = spawnSync(process.execPath, ['--import', 'tsx', `bench/${name}.ts`, ...options], { stdio: 'inherit' });
  if (result.status !== 0) failed.push(name);
  console.log(`=== ${name}: ${result.status === 0 ? 'done' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

console.log(`\n# Summary (${os.cpus().length} cores, Node ${process.version}, ${((Date.now() - started) / 1000).toFixed(0)} s)`);
for (const name of selected) {
  const file = `bench/results/${name}.md`;
  if (failed.includes(name) || !existsSync(file)) continue;
  console.log(`\n## ${name}\n\n${readFileSync(file, 'utf8')}`);
}
if (failed.length > 0) {
  console.error(`\nFailed: ${failed.join(', ')}`);
  process.exit(1);
}
