// Runs the Electron security scanner (electronegativity) over the app's own code: main process, preload, shell and
// renderer page. Every finding fails the run unless docs/security.md explains why it is a false positive (the
// accepted ones are listed in scripts/security-accepted.json, one finding each, with that reason).
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
  // SARIF, not CSV: the scanner's CSV writer sometimes garbles a row.
  const report = join(work, 'findings.sarif');
  // The scanner's "available security fixes" check downloads Electron's release list; it cannot run offline, and
  // the Electron version is pinned by package-lock.json and updated on purpose.
  const run = spawnSync(
    process.execPath,
    [require.resolve('@doyensec/electronegativity/dist/index.js'), '-i', work, '-r', '-e', electronVersion, '-x', 'AvailableSecurityFixesGlobalCheck', '-o', report],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`the scanner failed:\n${run.stdout}\n${run.stderr}`);
  const findings = JSON.parse(readFileSync(report, 'utf8')).runs[0].results.map((result) => ({
    check: result.ruleId,
    file: result.locations?.[0]?.physicalLocation?.artifactLocation?.uri ?? 'N/A',
    line: result.locations?.[0]?.physicalLocation?.region?.startLine ?? 0,
    message: result.message?.text ?? '',
  }));
  const unused = JSON.parse(readFileSync('scripts/security-accepted.json', 'utf8'));
  const open = findings.filter((finding) => {
    const index = unused.findIndex((a) => a.check === finding.check && a.file === finding.file);
    if (index < 0) return true;
    unused.splice(index, 1);
    return false;
  });
  for (const f of open) console.error(`security scan: ${f.check} in ${f.file}:${f.line}: ${f.message}`);
  console.log(`security scan: ${findings.length} findings, ${findings.length - open.length} accepted (docs/security.md), ${open.length} open`);
  exitCode = open.length === 0 ? 0 : 1;
} catch (error) {
  console.error(`security scan: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(exitCode);
