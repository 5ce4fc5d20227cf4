// A hostile file dropped on the app: the 8 MB PNG of zip bombs an attack used (hundreds of compressed chunks, each
// just under the per-chunk limit). Measures how long it takes to be refused, read on this thread (the readers' own
// cost) and through the worker the app reads files with (bundled as the app bundles it: start, copy, answer), how
// long this thread's event loop was held meanwhile (the tray and the window live there), and the same for a real
// ComfyUI PNG. The table goes to bench/results/hostile-file.{json,md} (docs/benchmarks.md §8 quotes it).
//
// Usage: node --import tsx bench/hostile-file.ts [--runs=5]
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { extractWorkflow } from '../electron/core/workflow/extract.js';
import { READ_BUDGET, WorkflowReader } from '../electron/core/workflow/workflow-reader.js';
import { hostilePng } from '../test/core/workflow/support/encoders.js';
import { REAL_FIXTURES_URL } from '../test/support/real-fixtures.js';
import { bundle } from './support/child.js';
import { fmt, median, numberOption, saveResult, table } from './support/report.js';

const RUNS = numberOption('runs', 'BENCH_RUNS', 5);

interface Sample {
  readonly inThreadMs: number;
  readonly workerMs: number;
  readonly heldMs: number;
  readonly outcome: string;
}

async function measure(file: Uint8Array, name: string, workerFile: string): Promise<Sample> {
  let started = performance.now();
  const direct = extractWorkflow(file, name);
  const inThreadMs = performance.now() - started;
  const delay = monitorEventLoopDelay({ resolution: 5 });
  // A new reader each run: its worker starts for the file, as for a drop on an idle app (without the TypeScript
  // loader this bench runs under, as in the app).
  const reader = new WorkflowReader(READ_BUDGET, (resourceLimits) => new Worker(workerFile, { resourceLimits, execArgv: [] }));
  delay.enable();
  started = performance.now();
  const result = await reader.read(file, name);
  const workerMs = performance.now() - started;
  delay.disable();
  if (result.kind !== direct.kind) throw new Error(`the worker answered ${result.kind}, this thread ${direct.kind}`);
  return { inThreadMs, workerMs, heldMs: delay.max / 1e6, outcome: result.kind === 'error' ? result.code : result.kind };
}

async function main(): Promise<void> {
  const workerFile = await bundle('electron/core/workflow/extract-worker.ts');
  const files = [
    { label: 'hostile PNG, 8 MB of zip bombs', name: 'bombs.png', bytes: hostilePng() },
    { label: 'ComfyUI 0.28 PNG with its workflow', name: 'saved.png', bytes: readFileSync(new URL('0.28.0/13_pnginfo_workflow/saved_with_workflow.png', REAL_FIXTURES_URL)) },
  ];
  const rows: string[][] = [];
  const data: Record<string, Sample[]> = {};
  for (const file of files) {
    const samples: Sample[] = [];
    for (let run = 0; run < RUNS; run++) samples.push(await measure(file.bytes, file.name, workerFile));
    data[file.label] = samples;
    const worst = (key: keyof Omit<Sample, 'outcome'>): string => `${fmt(median(samples.map((s) => s[key])))} ms (max ${fmt(Math.max(...samples.map((s) => s[key])))})`;
    rows.push([file.label, `${fmt(file.bytes.length / (1024 * 1024), 1)} MB`, samples[0]!.outcome, worst('inThreadMs'), worst('workerMs'), worst('heldMs')]);
  }
  const markdown = table(['file', 'size', 'result', 'read on this thread', 'through the worker (start included)', 'this thread held at most'], rows);
  console.log(`${markdown}\n\nmedian of ${RUNS} runs`);
  saveResult('hostile-file', { markdown, data });
}

void main();
