// Runs the Electron security scanner (electronegativity) over the app's own code: main process, preload, shell and
// renderer page. Every finding fails the run unless docs/security.md explains why it is a false positive (the
// accepted ones are listed in scripts/security-accepted.json with that reason).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const electronVersion = require('electron/package.json').version;
const work = mkdtempSync(join(tmpdir(), 'comfy-tray-scan-'));
let exitCode = 1;
try {
  cpSync('electron', join(work, 'electron'), { recursive: true });
  cpSync('renderer', join(work, 'renderer'), { recursive: true });
  const csv = join(work, 'findings.csv');
  // The scanner's "available security fixes" check downloads Electron's release list; it cannot run offline, and
  // the Electron version is pinned by package-lock.json and updated on purpose.
  const run = spawnSync(
    process.execPath,
    [require.resolve('@doyensec/electronegativity/dist/index.js'), '-i', work, '-r', '-e', electronVersion, '-x', 'AvailableSecurityFixesGlobalCheck', '-o', csv],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`the scanner failed:\n${run.stdout}\n${run.stderr}`);
  const accepted = JSON.parse(readFileSync('scripts/security-accepted.json', 'utf8'));
  const findings = readFileSync(csv, 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const fields = [...line.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)].map((m) => m[1].replace(/^"|"$/g, '').replace(/""/g, '"'));
      const [check, , , file, location, sample = ''] = fields;
      return { check, file, location, sample };
    });
  const open = findings.filter((f) => !accepted.some((a) => a.check === f.check && a.file === f.file && f.sample.includes(a.sample)));
  for (const f of open) console.error(`security scan: ${f.check} in ${f.file} ${f.location}: ${f.sample}`);
  console.log(`\nsecurity scan: ${findings.length} findings, ${findings.length - open.length} accepted (docs/security.md), ${open.length} open`);
  exitCode = open.length === 0 ? 0 : 1;
} catch (error) {
  console.error(`security scan: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(exitCode);
