// Saving outputs: 100 files of 20 MB over loopback, through the OutputSaver (stream to a temporary file, size check,
// fsync, rename, journal record) against a plain undici stream-to-disk of the same files (the physical limit here),
// with the same concurrency. Peak RSS is sampled while each runs; each side runs in a fresh child process. The table
// goes to bench/results/outputs.{json,md} (docs/benchmarks.md §5 quotes it).
//
// Usage: node --import tsx bench/outputs.ts [--files=100] [--mb=20] [--runs=3]
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, machine, median, numberOption, saveResult, table } from './support/report.js';

const FILES = numberOption('files', 'BENCH_FILES', 100);
const MB = numberOption('mb', 'BENCH_MB', 20);
const RUNS = numberOption('runs', 'BENCH_RUNS', 3);
const CONCURRENCY = 2;
/** The row labels docs/benchmarks.md uses. */
const LABELS = {
  plain: 'undici stream to disk (limit)',
  saver: 'our OutputSaver (temp file, size check, fsync, rename, journal)',
} as const;

interface Measure {
  readonly ms: number;
  readonly peakRssMb: number;
  readonly bytes: number;
}

const isChild = process.argv[2] === '--child';

if (isChild) {
  const [, , , mode, base, folder] = process.argv;
  void runChild(mode as 'plain' | 'saver', base!, folder!).then((m) => {
    process.send?.(m);
    process.exit(0);
  });
} else {
  void main();
}

async function main(): Promise<void> {
  // Children read the sizes from the environment.
  process.env.BENCH_FILES = String(FILES);
  process.env.BENCH_MB = String(MB);
  // One 20 MB buffer served under every name: the server costs a memcpy to the socket, nothing more.
  const payload = Buffer.alloc(MB * 1024 * 1024, 7);
  const outputs = Array.from({ length: FILES }, (_, i) => ({ filename: `out_${String(i).padStart(5, '0')}_.png`, subfolder: '', type: 'output' }));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/api/view') {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': payload.length });
      res.end(payload);
    } else if (url.pathname.startsWith('/api/history/')) {
      const id = decodeURIComponent(url.pathname.slice('/api/history/'.length));
      const entry = { prompt: [0, id, {}, {}, ['9']], outputs: { '9': { images: outputs } }, status: { status_str: 'success', completed: true, messages: [] } };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ [id]: entry }));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const results: Record<'plain' | 'saver', Measure[]> = { plain: [], saver: [] };
  for (let run = 0; run < RUNS; run++) {
    for (const mode of ['plain', 'saver'] as const) {
      const folder = mkdtempSync(join(tmpdir(), 'comfy-tray-bench-out-'));
      try {
        const measure = await new Promise<Measure>((resolve, reject) => {
          const child = fork(fileURLToPath(import.meta.url), ['--child', mode, base, folder], { execArgv: ['--import', 'tsx'] });
          child.once('message', (m) => resolve(m as Measure));
          child.once('error', reject);
        });
        results[mode].push(measure);
        console.log(`run ${run + 1}/${RUNS} ${mode.padEnd(5)} ${fmt(measure.ms)} ms  ${fmt(measure.bytes / 1048576 / (measure.ms / 1000))} MB/s  peak RSS ${fmt(measure.peakRssMb)} MB`);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    }
  }
  server.close();
  const totalMb = FILES * MB;
  const summary = (list: Measure[]) => {
    const ms = median(list.map((m) => m.ms));
    return { ms, mbPerSecond: totalMb / (ms / 1000), peakRssMb: median(list.map((m) => m.peakRssMb)) };
  };
  const medians = { plain: summary(results.plain), saver: summary(results.saver) };
  const row = (mode: 'plain' | 'saver'): string[] => [LABELS[mode], `${fmt(medians[mode].ms)} ms`, `${fmt(medians[mode].mbPerSecond)} MB/s`, `${fmt(medians[mode].peakRssMb)} MB`];
  const { cpus, node } = machine();
  const markdown = [
    `${FILES} files of ${MB} MB over loopback, ${CONCURRENCY} at a time; median of ${RUNS} runs (${cpus} cores, Node ${node}).`,
    '',
    table(['client', `time for ${fmt(totalMb)} MB`, 'throughput', 'peak RSS'], [row('plain'), row('saver')]),
  ].join('\n');
  console.log(`\n## Saving outputs\n\n${markdown}`);
  saveResult('outputs', { markdown, data: { files: FILES, mb: MB, runs: RUNS, concurrency: CONCURRENCY, medians, measures: results } });
}

async function runChild(mode: 'plain' | 'saver', base: string, folder: string): Promise<Measure> {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const started = performance.now();
  const bytes = mode === 'plain' ? await plain(base, folder) : await saver(base, folder);
  const ms = performance.now() - started;
  clearInterval(sampler);
  return { ms, peakRssMb: peak / 1048576, bytes };
}

async function plain(base: string, folder: string): Promise<number> {
  const { request } = await import('undici');
  const { createWriteStream } = await import('node:fs');
  const { pipeline } = await import('node:stream/promises');
  let next = 0;
  let bytes = 0;
  const worker = async (): Promise<void> => {
    while (next < FILES) {
      const i = next++;
      const name = `out_${String(i).padStart(5, '0')}_.png`;
      const response = await request(`${base}api/view?filename=${name}&type=output&subfolder=`);
      const out = createWriteStream(join(folder, name));
      await pipeline(response.body, out);
      bytes += out.bytesWritten;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return bytes;
}

async function saver(base: string, folder: string): Promise<number> {
  const { ComfyBackend } = await import('../electron/core/backends/comfyui/comfy-backend.js');
  const { resolveServer } = await import('../electron/core/comfy/server-config.js');
  const { Journal } = await import('../electron/core/jobs/journal.js');
  const { OutputSaver } = await import('../electron/core/outputs/output-saver.js');
  const { journal } = await Journal.openIn(join(folder, '.journal'));
  const backend = new ComfyBackend(resolveServer({ id: 'bench', name: 'bench', url: base }), journal);
  const saverInstance = new OutputSaver(journal, { folder, concurrency: CONCURRENCY });
  saverInstance.addServer(backend);
  saverInstance.start();
  const outputs = Array.from({ length: FILES }, (_, i) => ({ nodeId: '9', kind: 'images', index: i, filename: `out_${String(i).padStart(5, '0')}_.png`, subfolder: '', type: 'output' }));
  const job = { serverId: 'bench', id: '00000000-0000-4000-8000-000000000001', status: 'completed' as const, submittedBy: 'other' as const, outputs, endedAt: Date.now() };
  await journal.recordFinished('bench', job);
  const saved = new Promise<number>((resolve) => saverInstance.events.on('saved', (e) => resolve(e.files.length)));
  saverInstance.jobFinished(job);
  const count = await saved;
  await saverInstance.stop();
  await backend.stop();
  return count * MB * 1024 * 1024;
}
