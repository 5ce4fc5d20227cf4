// Measure 6: the queue window in Debian Chromium (the renderer built as the app builds it, served over http, the
// preload replaced by the e2e harness's fake `window.comfyTray`).
//   first render  a `state:snapshot` of 10,000 jobs (one running, a few pending, the rest history) delivered to the
//                 mounted, empty window → the History list has rows → the next animation frame has run and the
//                 frame it produced is painted (a MessageChannel task queued from that frame's rAF callback).
//   patches       a `state:patches` batch updating the running job's progress → the progress bar's aria-valuenow
//                 shows the new value → the same next-frame point.
// Timed inside the page with performance.now(); the objects are handed to the page beforehand, so the IPC
// deserialisation is not in the figures (a structuredClone of the snapshot, timed separately, stands in for it).
// Each run opens a fresh page. Usage: node --import tsx bench/renderer.ts [--runs=5] [--jobs=10000] [--patches=200]
import { execFileSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import type { JobView, ServerView } from '../electron/shared/app-state.js';
import type { AppSnapshot, VersionedPatches } from '../electron/shared/ipc-contract.js';
import { buildRenderer } from '../test/support/renderer-harness/build-renderer.js';
import { CHROMIUM_PATH, chromiumMissing, launchChromium } from '../test/support/renderer-harness/chromium.js';
import { attachTray, staticSource } from '../test/support/renderer-harness/fake-tray.js';
import { serveDir } from '../test/support/renderer-harness/static-server.js';
import { fmt, machine, median, numberOption, saveResult, table } from './support/report.js';

const RUNS = numberOption('runs', 'BENCH_RUNS', 5);
const JOBS = numberOption('jobs', 'BENCH_JOBS', 10_000);
const PATCHES = numberOption('patches', 'BENCH_PATCHES', 200);
const PENDING = 20;
const NOW = 1_795_384_764_000;
const RUNNING_NAME = 'Bench running job';

const SERVERS: ServerView[] = [0, 1].map((i) => ({
  id: `s${i}`,
  name: `server ${i}`,
  url: `http://127.0.0.1:${8188 + i}`,
  state: 'connected',
  version: '0.28.0',
  capabilities: { jobsApi: true, cancelEndpoint: true, targetedInterrupt: true, supportsPreviewMetadata: true },
  queueRemaining: i === 0 ? PENDING + 1 : 0,
}));

const id = (i: number): string => `${i.toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

function runningJob(progress: number, step: number): JobView {
  return {
    serverId: 's0',
    id: id(0),
    status: 'running',
    submittedBy: 'this-app',
    workflowName: RUNNING_NAME,
    createdAt: NOW - 60_000,
    startedAt: NOW - 30_000,
    progress: { nodeId: '3', nodeTitle: 'KSampler', nodeType: 'KSampler', value: step, max: 200, overall: progress },
    outputs: [],
  };
}

function snapshot(): AppSnapshot {
  const jobs: JobView[] = [runningJob(0.01, 1)];
  for (let i = 1; i <= PENDING; i++) {
    jobs.push({ serverId: 's0', id: id(i), status: 'pending', queuePosition: i, submittedBy: i % 3 === 0 ? 'other' : 'this-app', workflowName: `Queued ${i}`, createdAt: NOW - 60_000 + i, outputs: [] });
  }
  for (let i = PENDING + 1; i < JOBS; i++) {
    const endedAt = NOW - 60_000 - i * 1000;
    const base = { serverId: `s${i % 2}`, id: id(i), submittedBy: i % 4 === 0 ? 'other' : 'this-app', workflowName: i % 5 === 0 ? undefined : `Workflow ${i % 37}`, outputTitle: 'Save Image', createdAt: endedAt - 20_000, startedAt: endedAt - 12_000, endedAt, durationMs: 12_000 } as const;
    if (i % 50 === 0) {
      jobs.push({ ...base, status: 'failed', outputs: [], error: { nodeId: '3', nodeType: 'KSampler', nodeTitle: 'KSampler', exceptionType: 'RuntimeError', message: 'CUDA out of memory. Tried to allocate 2.00 GiB', traceback: ['Traceback (most recent call last):', '  File "execution.py", line 1'] } });
    } else if (i % 41 === 0) {
      jobs.push({ ...base, status: 'cancelled', outputs: [] });
    } else {
      jobs.push({ ...base, status: 'completed', outputs: [{ nodeId: '9', kind: 'images', index: 0, filename: `ComfyUI_${String(i).padStart(5, '0')}_.png`, subfolder: '', type: 'output' }] });
    }
  }
  return { version: 1, servers: SERVERS, jobs };
}

/** Patch k sets the overall progress to a whole percent that always differs from the previous one. */
function patches(): { batches: VersionedPatches[]; expected: string[] } {
  const batches: VersionedPatches[] = [];
  const expected: string[] = [];
  for (let k = 0; k < PATCHES; k++) {
    const percent = (k % 98) + 2;
    batches.push({ version: 2 + k, patches: [{ type: 'job-updated', job: runningJob(percent / 100, (k % 200) + 1) }] });
    expected.push(String(percent));
  }
  return { batches, expected };
}

// Page code as strings: tsx would add helpers (`__name`) to functions that do not exist in the page.
const PAGE_HELPERS = `
  let lastRaf = 0;
  const afterFrame = () => new Promise((resolve) => requestAnimationFrame(() => {
    lastRaf = performance.now();
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve(performance.now());
    channel.port2.postMessage(0);
  }));
  const until = (check) => new Promise((resolve) => {
    if (check()) return resolve(performance.now());
    const observer = new MutationObserver(() => {
      if (check()) { observer.disconnect(); resolve(performance.now()); }
    });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
`;

const FIRST_RENDER = `(async () => {
  ${PAGE_HELPERS}
  const snap = window.__benchSnapshot;
  const c0 = performance.now();
  structuredClone(snap);
  const cloneMs = performance.now() - c0;
  await afterFrame();
  const hasRows = () => document.querySelector('[role="list"][aria-label="History"] [role="listitem"]') !== null
    && document.querySelector('article.running [role="progressbar"]') !== null;
  const t0 = performance.now();
  window.__trayEmit('snapshot', snap);
  const rowsAt = await until(hasRows);
  const frameAt = await afterFrame();
  const rows = document.querySelectorAll('[role="list"][aria-label="History"] [role="listitem"]').length;
  const setsize = document.querySelector('[role="list"][aria-label="History"] [role="listitem"]')?.getAttribute('aria-setsize');
  return { cloneMs, rowsMs: rowsAt - t0, frameMs: frameAt - t0, rows, setsize: Number(setsize) };
})()`;

const PATCH_LOOP = `(async () => {
  ${PAGE_HELPERS}
  const { batches, expected } = window.__benchPatches;
  const bar = () => document.querySelector('article.running [role="progressbar"]');
  const updateMs = [];
  const frameMs = [];
  const paintMs = [];
  for (let k = 0; k < batches.length; k++) {
    await afterFrame();
    const t0 = performance.now();
    window.__trayEmit('patches', batches[k]);
    const updatedAt = await until(() => bar()?.getAttribute('aria-valuenow') === expected[k]);
    const frameAt = await afterFrame();
    updateMs.push(updatedAt - t0);
    frameMs.push(frameAt - t0);
    paintMs.push(frameAt - lastRaf);
  }
  return { updateMs, frameMs, paintMs };
})()`;

function p95(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] ?? Number.NaN;
}

interface FirstRender {
  cloneMs: number;
  rowsMs: number;
  frameMs: number;
  rows: number;
  setsize: number;
}

async function main(): Promise<void> {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  const chromiumVersion = execFileSync(CHROMIUM_PATH, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const snap = snapshot();
  const { batches, expected } = patches();
  const built = await buildRenderer();
  const site = await serveDir(built.dir);
  const browser = await launchChromium();
  const firsts: FirstRender[] = [];
  const updates: number[] = [];
  const frames: number[] = [];
  const paints: number[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const page: Page = await browser.newPage({ viewport: { width: 720, height: 860 } });
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await attachTray(page, staticSource({ version: 0, servers: SERVERS, jobs: [] }));
      await page.goto(site.url);
      await page.getByRole('heading', { name: 'Nothing queued yet' }).waitFor();
      await page.evaluate((s) => void ((window as unknown as { __benchSnapshot: unknown }).__benchSnapshot = s), snap);
      const first = (await page.evaluate(FIRST_RENDER)) as FirstRender;
      if (first.setsize !== JOBS - 1 - PENDING) throw new Error(`History shows ${first.setsize} jobs, expected ${JOBS - 1 - PENDING}`);
      firsts.push(first);
      await page.evaluate((p) => void ((window as unknown as { __benchPatches: unknown }).__benchPatches = p), { batches, expected });
      const result = (await page.evaluate(PATCH_LOOP)) as { updateMs: number[]; frameMs: number[]; paintMs: number[] };
      updates.push(...result.updateMs);
      frames.push(...result.frameMs);
      paints.push(...result.paintMs);
      if (errors.length > 0) throw new Error(`Page errors: ${errors.join('; ')}`);
      await page.close();
      console.error(`run ${run + 1}/${RUNS}: first render ${fmt(first.frameMs, 1)} ms (${first.rows} rows in the DOM), patch median ${fmt(median(result.frameMs), 2)} ms`);
    }
  } finally {
    await browser.close();
    await site.close();
    await built.dispose();
  }

  const col = (values: readonly number[], digits: number): string[] => [fmt(median(values), digits), fmt(p95(values), digits), fmt(Math.min(...values), digits), fmt(Math.max(...values), digits)];
  const markdown = [
    `${chromiumVersion}; ${machine().cpus} cores; ${fmt(JOBS)} jobs (1 running, ${PENDING} pending, ${fmt(JOBS - 1 - PENDING)} history); ${RUNS} runs, ${PATCHES} patches per run`,
    '',
    table(
      ['measure', 'median', 'p95', 'min', 'max'],
      [
        [`first render: snapshot → History rows in the DOM (ms, ${RUNS} runs)`, ...col(firsts.map((f) => f.rowsMs), 1)],
        [`first render: snapshot → next frame painted (ms, ${RUNS} runs)`, ...col(firsts.map((f) => f.frameMs), 1)],
        [`structuredClone of the snapshot (ms, ${RUNS} runs)`, ...col(firsts.map((f) => f.cloneMs), 1)],
        [`progress patch → aria-valuenow updated (ms, ${updates.length} patches)`, ...col(updates, 2)],
        [`progress patch → next frame painted (ms, ${frames.length} patches)`, ...col(frames, 2)],
        [`that frame: rAF callback → painted (ms, ${paints.length} patches)`, ...col(paints, 2)],
      ],
    ),
    '',
    `History rows in the DOM after the first render: ${firsts.map((f) => f.rows).join(', ')}`,
  ].join('\n');
  console.log(markdown);
  saveResult('renderer', { markdown, data: { chromiumVersion, jobs: JOBS, pending: PENDING, runs: RUNS, firsts, patchUpdateMs: updates, patchFrameMs: frames, patchPaintMs: paints } });
}

await main();
