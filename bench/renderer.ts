// Measure 6: the queue window in Debian Chromium (the renderer built as the app builds it, served over http, the
// preload replaced by the e2e harness's fake `window.comfyTray`; `outputs:thumbnail` is answered with a real 192×192
// PNG after a small delay, as the main process answers from a saved file, by default in the page: see VIA).
//   first render  a `state:snapshot` of 10,000 jobs (one running, a few pending, the rest history) handed to the
//                 snapshot listener of the mounted, empty window → the History list has rows → the next animation
//                 frame has run and the frame it produced is painted (a MessageChannel task queued from that
//                 frame's rAF callback).
//   patches       a `state:patches` batch updating the running job's progress → the progress bar's aria-valuenow
//                 shows the new value → the same next-frame point.
//   batched       the same two for 10,000 jobs that are runs of one workflow (batches.ts folds them): the running job
//                 and 200 waiting ones one batch, the history batches of 50.
//   scroll        the History list's scroller moved by a few rows in every animation frame (a fast fling), then back
//                 up over rows already seen. Per frame: the frame's begin time (the rAF timestamp, before the scroll
//                 event that renders the new rows) → painted, thumbnail requests, rows in the DOM, visible rows whose
//                 thumbnail is still loading; over the scroll, how busy the main thread was. Then the same, without
//                 image outputs (no thumbnail asked for), for comparison.
// Timed inside the page with performance.now(); the objects are handed to the page beforehand and then straight to
// the window's listeners (see INSTALL_BENCH), so the IPC deserialisation is not in the figures (a structuredClone of
// the snapshot, timed separately, stands in for it). Each run opens a fresh page.
// Usage: node --import tsx bench/renderer.ts [--runs=5] [--jobs=10000] [--patches=200] [--scroll-rows=3000]
//   [--rows-per-frame=3] [--back-rows=300] [--thumb-delay=2] [--off-runs=<runs>] [--thumbnails-via=page|harness]
//   [--trace=DIR] [--trace-categories=a,b]
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, CDPSession, Page } from 'playwright-core';
import type { JobView, OutputRef, ServerView } from '../electron/shared/app-state.js';
import type { AppSnapshot, ImageBytes, VersionedPatches } from '../electron/shared/ipc-contract.js';
import { buildRenderer } from '../test/support/renderer-harness/build-renderer.js';
import { CHROMIUM_PATH, chromiumMissing, launchChromium } from '../test/support/renderer-harness/chromium.js';
import { attachTray, staticSource, type TrayHandlers } from '../test/support/renderer-harness/fake-tray.js';
import { serveDir } from '../test/support/renderer-harness/static-server.js';
import { fmt, machine, median, numberOption, saveResult, sleep, table } from './support/report.js';
import { thumbnailPng } from './support/thumbnail-png.js';

/** Like numberOption, but 0 is a valid value (no delay, no comparison runs). */
function countOption(name: string, env: string, fallback: number): number {
  const prefix = `--${name}=`;
  const raw = process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length) ?? process.env[env];
  const value = raw === undefined ? Number.NaN : Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}

const RUNS = numberOption('runs', 'BENCH_RUNS', 5);
const JOBS = numberOption('jobs', 'BENCH_JOBS', 10_000);
const PATCHES = numberOption('patches', 'BENCH_PATCHES', 200);
const SCROLL_ROWS = numberOption('scroll-rows', 'BENCH_SCROLL_ROWS', 3000);
const ROWS_PER_FRAME = numberOption('rows-per-frame', 'BENCH_ROWS_PER_FRAME', 3);
const BACK_ROWS = numberOption('back-rows', 'BENCH_BACK_ROWS', 300);
const THUMB_DELAY_MS = countOption('thumb-delay', 'BENCH_THUMB_DELAY', 2);
const OFF_RUNS = countOption('off-runs', 'BENCH_OFF_RUNS', RUNS);
const PENDING = 20;
/** Waiting jobs of the running job's batch in the batched snapshot. */
const BATCHED_PENDING = 200;
const NOW = 1_795_384_764_000;
const RUNNING_NAME = 'Bench running job';
/** A frame this long is what Chromium's long-animation-frame API (and users) call janky. */
const LONG_FRAME_MS = 50;

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

/**
 * With `imageOutputs` off, completed jobs list one latent file instead of one PNG: the row then shows a typed
 * placeholder and never asks for a thumbnail, which is the window as it was before thumbnails, give or take a span.
 */
function snapshot(imageOutputs: boolean): AppSnapshot {
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
      const output: OutputRef = imageOutputs
        ? { nodeId: '9', kind: 'images', index: 0, filename: `ComfyUI_${String(i).padStart(5, '0')}_.png`, subfolder: '', type: 'output' }
        : { nodeId: '9', kind: 'latents', index: 0, filename: `ComfyUI_${String(i).padStart(5, '0')}_.latent`, subfolder: '', type: 'output' };
      jobs.push({ ...base, status: 'completed', outputs: [output] });
    }
  }
  return { version: 1, servers: SERVERS, jobs };
}

/**
 * The same 10,000 jobs as runs of one workflow queued together, as "Queue 50" in the browser leaves them: the running
 * job and BATCHED_PENDING waiting jobs are one batch (folded into one pending row whose bar follows the running job's
 * progress), and the history is batches of 50 finished jobs, three minutes apart (folded into one row each).
 */
function batchedSnapshot(): AppSnapshot {
  const jobs: JobView[] = [runningJob(0.01, 1)];
  for (let i = 1; i <= BATCHED_PENDING; i++) {
    jobs.push({ serverId: 's0', id: id(i), status: 'pending', queuePosition: i, submittedBy: 'this-app', workflowName: RUNNING_NAME, createdAt: NOW - 60_000 + i, outputs: [] });
  }
  for (let i = BATCHED_PENDING + 1; i < JOBS; i++) {
    const batch = Math.floor((i - BATCHED_PENDING - 1) / 50);
    const createdAt = NOW - 3_600_000 - batch * 240_000 + (i % 50) * 1_000;
    const endedAt = createdAt + 20_000;
    const output: OutputRef = { nodeId: '9', kind: 'images', index: 0, filename: `ComfyUI_${String(i).padStart(5, '0')}_.png`, subfolder: '', type: 'output' };
    jobs.push({ serverId: 's0', id: id(i), status: i % 50 === 0 ? 'failed' : 'completed', submittedBy: 'other', workflowName: `Batch ${batch}`, createdAt, startedAt: endedAt - 12_000, endedAt, durationMs: 12_000, outputs: i % 50 === 0 ? [] : [output] });
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

// Eight different pictures, so rows do not all show (and Chromium does not decode) the same bytes; made once, since
// deflating 110 KB per answer would only slow the answers down, not the window. The pick depends on the job id only,
// the same in both transports.
const THUMBNAILS: readonly Uint8Array[] = Array.from({ length: 8 }, (_, seed) => new Uint8Array(thumbnailPng({ seed: seed + 1 })));
const PREVIEW: ImageBytes = { mime: 'image/png', bytes: new Uint8Array(thumbnailPng({ width: 64, height: 64, seed: 99 })) };

interface Served {
  thumbnails: number;
  previews: number;
}

/**
 * The main process's answers through the fake tray: a saved thumbnail after THUMB_DELAY_MS (used with
 * --thumbnails-via=harness, see VIA), and the running job's preview if the running card asks for one.
 */
function handlers(served: Served): TrayHandlers {
  return {
    'outputs:thumbnail': async (_serverId, jobId) => {
      served.thumbnails++;
      if (THUMB_DELAY_MS > 0) await sleep(THUMB_DELAY_MS);
      return { mime: 'image/png', bytes: THUMBNAILS[Number.parseInt(jobId.slice(-4), 16) % THUMBNAILS.length]! };
    },
    'jobs:preview': () => {
      served.previews++;
      return PREVIEW;
    },
  };
}

/**
 * How answers reach the page. `page` (the default) stands in for Electron's IPC: a timer of THUMB_DELAY_MS in the
 * page, then a fresh copy of the bytes, as the structured clone of an IPC reply delivers them. `harness` goes through
 * the fake tray's handler above, which is faithful in what it answers but not in what it costs: Playwright sends
 * each answer back as an evaluate() argument, the bytes as an array of numbers re-serialised element by element,
 * which costs the page milliseconds per answer and caps the answers at a few dozen a second (see docs/benchmarks.md).
 */
const VIA = process.argv.find((a) => a.startsWith('--thumbnails-via='))?.slice('--thumbnails-via='.length) ?? process.env.BENCH_THUMBNAILS_VIA ?? 'page';
if (VIA !== 'page' && VIA !== 'harness') throw new Error(`--thumbnails-via must be page or harness, not ${VIA}`);

// Runs in the page after the fake tray's own init script, before the app's scripts (which keep the API object they
// find). It keeps the listeners the window registers for snapshots and patches, so the bench hands them the objects
// itself (window.__benchEmit): the fake tray's own __trayEmit first sends every payload through a JSON round trip
// (to rebuild byte arrays), which for a 10,000-job snapshot costs about 100 ms, more than the render being measured,
// and stands for nothing in the app, where Electron's IPC deserialises by structured clone (timed apart). And it counts and
// times thumbnail requests where the window makes them, so per-frame counts need no round trip, and with VIA=page
// answers them.
const INSTALL_BENCH = `(() => {
  const api = window.comfyTray;
  if (!api) throw new Error('The fake tray is not installed');
  const appListeners = { snapshot: [], patches: [] };
  const onSnapshot = api.onSnapshot;
  const onPatches = api.onPatches;
  api.onSnapshot = (listener) => { appListeners.snapshot.push(listener); return onSnapshot(listener); };
  api.onPatches = (listener) => { appListeners.patches.push(listener); return onPatches(listener); };
  window.__benchEmit = (kind, payload) => {
    if (appListeners[kind].length === 0) throw new Error('The window has no ' + kind + ' listener');
    for (const listener of appListeners[kind]) listener(payload);
  };
  const stats = { requests: 0, answered: 0, latencyMs: [] };
  window.__benchThumbs = stats;
  const via = ${JSON.stringify(VIA)};
  const delayMs = ${THUMB_DELAY_MS};
  const images = ${JSON.stringify(THUMBNAILS.map((t) => Buffer.from(t).toString('base64')))}.map((b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
  const viaHarness = api.getThumbnail;
  const viaPage = (serverId, jobId) => new Promise((resolve) => setTimeout(() => {
    resolve({ mime: 'image/png', bytes: images[parseInt(jobId.slice(-4), 16) % images.length].slice() });
  }, delayMs));
  api.getThumbnail = async (...args) => {
    stats.requests++;
    const t0 = performance.now();
    try {
      return await (via === 'page' ? viaPage : viaHarness)(...args);
    } finally {
      stats.answered++;
      stats.latencyMs.push(performance.now() - t0);
    }
  };
})();`;

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
  window.__benchEmit('snapshot', snap);
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
    window.__benchEmit('patches', batches[k]);
    const updatedAt = await until(() => bar()?.getAttribute('aria-valuenow') === expected[k]);
    const frameAt = await afterFrame();
    updateMs.push(updatedAt - t0);
    frameMs.push(frameAt - t0);
    paintMs.push(frameAt - lastRaf);
  }
  return { updateMs, frameMs, paintMs };
})()`;

/** Resolves once every thumbnail asked for so far has been answered and two frames have passed. */
const SETTLE = `(async () => {
  ${PAGE_HELPERS}
  const stats = window.__benchThumbs;
  while (stats.answered < stats.requests) await afterFrame();
  await afterFrame();
  await afterFrame();
})()`;

/**
 * Scrolls the History list by `rowsPerFrame` rows in each of `steps` animation frames, then lets one more frame
 * handle the last step. Setting scrollTop in a rAF callback queues the list's scroll event for the *next* frame,
 * where Chromium fires it before that frame's rAF callbacks, and Preact renders the new rows in a microtask right
 * after the handler: so a frame's own work starts before its rAF callback, and is timed from the frame's begin
 * time (the rAF timestamp) to the MessageChannel task posted from the rAF callback (after style, layout, paint).
 * The visible rows are counted after the step is set, from the DOM this frame paints.
 */
const SCROLL = (params: { steps: number; rowsPerFrame: number; direction: 1 | -1 }): string => `(async ({ steps, rowsPerFrame, direction }) => {
  const list = document.querySelector('[role="list"][aria-label="History"]');
  const rowHeight = parseFloat(list.querySelector('[role="listitem"]').style.height);
  const viewHeight = list.clientHeight;
  const stats = window.__benchThumbs;
  const requestsAtStart = stats.requests;
  const startTop = list.scrollTop;
  let scrollAt = 0;
  // Capture phase on the window: runs before the list's own onScroll (scroll events on elements do not bubble).
  const onScroll = (event) => { if (event.target === list && scrollAt === 0) scrollAt = performance.now(); };
  window.addEventListener('scroll', onScroll, { capture: true });
  const loafs = [];
  const observer = PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')
    ? new PerformanceObserver((entries) => loafs.push(...entries.getEntries()))
    : undefined;
  observer?.observe({ type: 'long-animation-frame' });
  const frames = [];
  const frame = (step) => new Promise((resolve) => requestAnimationFrame((begin) => {
    const rafAt = performance.now();
    const scrolledAt = scrollAt;
    scrollAt = 0;
    if (step <= steps) list.scrollTop = startTop + direction * step * rowsPerFrame * rowHeight;
    const top = list.scrollTop;
    const firstVisible = Math.floor(top / rowHeight) + 1;
    const lastVisible = Math.ceil((top + viewHeight) / rowHeight);
    let rowsInDom = 0, visibleInDom = 0, loading = 0, images = 0;
    for (const row of list.querySelectorAll('[role="listitem"]')) {
      rowsInDom++;
      const position = Number(row.getAttribute('aria-posinset'));
      if (position < firstVisible || position > lastVisible) continue;
      visibleInDom++;
      if (row.querySelector('.thumb--loading')) loading++;
      else if (row.querySelector('img.thumb')) images++;
    }
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve({
      begin, scrolledAt, rafAt, paintedAt: performance.now(), requests: stats.requests - requestsAtStart,
      rowsInDom, visible: lastVisible - firstVisible + 1, visibleInDom, loading, images,
    });
    channel.port2.postMessage(0);
  }));
  for (let step = 1; step <= steps + 1; step++) frames.push(await frame(step));
  window.removeEventListener('scroll', onScroll, { capture: true });
  observer?.takeRecords().forEach((entry) => loafs.push(entry));
  observer?.disconnect();
  return {
    frames,
    requests: stats.requests - requestsAtStart,
    loafs: loafs.map((e) => ({
      duration: e.duration, blockingDuration: e.blockingDuration, renderMs: e.startTime + e.duration - e.renderStart,
      scripts: e.scripts.map((s) => ({ invoker: s.invoker, invokerType: s.invokerType, duration: s.duration })),
    })),
  };
})(${JSON.stringify(params)})`;

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

interface ScrollFrame {
  begin: number;
  /** 0 when no scroll event reached the list in this frame. */
  scrolledAt: number;
  rafAt: number;
  paintedAt: number;
  /** Thumbnail requests since the scroll started, as of this frame. */
  requests: number;
  rowsInDom: number;
  visible: number;
  visibleInDom: number;
  loading: number;
  images: number;
}

interface LongAnimationFrame {
  duration: number;
  blockingDuration: number;
  renderMs: number;
  scripts: { invoker: string; invokerType: string; duration: number }[];
}

interface ScrollResult {
  frames: ScrollFrame[];
  requests: number;
  loafs: LongAnimationFrame[];
}

/** One direction of scrolling, over every run of one variant, reduced to what the tables show. */
interface ScrollSummary {
  frameMs: number[];
  scrollToPaintMs: number[];
  rafToPaintMs: number[];
  intervalMs: number[];
  longFrames: number;
  loafs: LongAnimationFrame[];
  requests: number;
  rows: number;
  maxRowsInDom: number;
  framesWithoutScrollEvent: number;
  /** Frames in which a visible row with an image output showed the loading tile, and the most such rows in one frame. */
  framesWithLoadingVisible: number;
  maxLoadingVisible: number;
  /** Visible rows missing from the DOM (blank space), summed over frames: the windowing should keep it 0. */
  blankRows: number;
  longFramesPerRun: number[];
  /** The renderer's main thread over the scrolls (Chromium's own counters, see mainThread()), and their wall time. */
  taskMs: number;
  scriptMs: number;
  styleLayoutMs: number;
  wallMs: number;
}

function emptySummary(): ScrollSummary {
  return {
    frameMs: [],
    scrollToPaintMs: [],
    rafToPaintMs: [],
    intervalMs: [],
    longFrames: 0,
    loafs: [],
    requests: 0,
    rows: 0,
    maxRowsInDom: 0,
    framesWithoutScrollEvent: 0,
    framesWithLoadingVisible: 0,
    maxLoadingVisible: 0,
    blankRows: 0,
    longFramesPerRun: [],
    taskMs: 0,
    scriptMs: 0,
    styleLayoutMs: 0,
    wallMs: 0,
  };
}

interface MainThread {
  taskMs: number;
  scriptMs: number;
  styleLayoutMs: number;
}

/**
 * Chromium's cumulative counters of the page's main thread (what DevTools' performance monitor shows), read through
 * CDP: unlike a trace, reading them costs the page nothing while it scrolls, so they say how busy it was in the
 * measured runs themselves, and with what.
 */
async function mainThread(cdp: CDPSession): Promise<MainThread> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const ms = (name: string): number => (metrics.find((m) => m.name === name)?.value ?? Number.NaN) * 1000;
  return { taskMs: ms('TaskDuration'), scriptMs: ms('ScriptDuration'), styleLayoutMs: ms('LayoutDuration') + ms('RecalcStyleDuration') };
}

/** Scrolls once and adds the result to the summary. */
async function scroll(page: Page, cdp: CDPSession, summary: ScrollSummary, steps: number, direction: 1 | -1): Promise<ScrollResult> {
  const before = await mainThread(cdp);
  const result = (await page.evaluate(SCROLL({ steps, rowsPerFrame: ROWS_PER_FRAME, direction }))) as ScrollResult;
  const after = await mainThread(cdp);
  summary.taskMs += after.taskMs - before.taskMs;
  summary.scriptMs += after.scriptMs - before.scriptMs;
  summary.styleLayoutMs += after.styleLayoutMs - before.styleLayoutMs;
  summary.wallMs += result.frames.at(-1)!.paintedAt - result.frames[0]!.begin;
  addScroll(summary, result, steps * ROWS_PER_FRAME);
  return result;
}

function addScroll(summary: ScrollSummary, result: ScrollResult, rows: number): void {
  // The first frame only sets the first step: the scroll event it causes, and the rendering, come a frame later.
  const frames = result.frames.slice(1);
  summary.longFramesPerRun.push(frames.filter((f) => f.paintedAt - f.begin > LONG_FRAME_MS).length);
  for (const [k, f] of frames.entries()) {
    summary.frameMs.push(f.paintedAt - f.begin);
    if (f.scrolledAt > 0) summary.scrollToPaintMs.push(f.paintedAt - f.scrolledAt);
    else summary.framesWithoutScrollEvent++;
    summary.rafToPaintMs.push(f.paintedAt - f.rafAt);
    summary.intervalMs.push(f.begin - result.frames[k]!.begin);
    if (f.paintedAt - f.begin > LONG_FRAME_MS) summary.longFrames++;
    summary.maxRowsInDom = Math.max(summary.maxRowsInDom, f.rowsInDom);
    if (f.loading > 0) summary.framesWithLoadingVisible++;
    summary.maxLoadingVisible = Math.max(summary.maxLoadingVisible, f.loading);
    summary.blankRows += f.visible - f.visibleInDom;
  }
  summary.loafs.push(...result.loafs);
  summary.requests += result.requests;
  summary.rows += rows;
}

interface Variant {
  firsts: FirstRender[];
  down: ScrollSummary;
  back: ScrollSummary;
  thumbnailLatencyMs: number[];
  served: Served;
}

/**
 * With --trace=DIR (or BENCH_TRACE=DIR), after the measured runs, one more page with thumbnails records a Chromium
 * trace (timeline, CPU samples) of its first render and of its scroll down, and one without thumbnails of its scroll
 * down, to see where the time goes. Never part of the figures: tracing slows the page.
 */
const TRACE_DIR = process.argv.find((a) => a.startsWith('--trace='))?.slice('--trace='.length) ?? process.env.BENCH_TRACE;
/**
 * Comma-separated trace categories (--trace-categories=, BENCH_TRACE_CATEGORIES); playwright's default includes the
 * CPU profiler and stack capture for timers, which attribute time to functions but inflate what calls timers and
 * Mojo (setTimeout, createObjectURL) several times over. `toplevel,devtools.timeline,loading,mojom` is much lighter.
 */
const TRACE_CATEGORIES = (process.argv.find((a) => a.startsWith('--trace-categories='))?.slice('--trace-categories='.length) ?? process.env.BENCH_TRACE_CATEGORIES)?.split(',');

/** A fresh window showing "Nothing queued yet", with the snapshot handed to the page for FIRST_RENDER. */
async function openWindow(browser: Browser, url: string, served: Served, snap: AppSnapshot): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 720, height: 860 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await attachTray(page, staticSource({ version: 0, servers: SERVERS, jobs: [] }, handlers(served)));
  await page.addInitScript({ content: INSTALL_BENCH });
  await page.goto(url);
  await page.getByRole('heading', { name: 'Nothing queued yet' }).waitFor();
  await page.evaluate((s) => void ((window as unknown as { __benchSnapshot: unknown }).__benchSnapshot = s), snap);
  return { page, errors };
}

const STEPS_DOWN = Math.ceil(SCROLL_ROWS / ROWS_PER_FRAME);
const STEPS_BACK = Math.ceil(BACK_ROWS / ROWS_PER_FRAME);

async function main(): Promise<void> {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  const chromiumVersion = execFileSync(CHROMIUM_PATH, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const snaps = { on: snapshot(true), off: snapshot(false), batched: batchedSnapshot() };
  const { batches, expected } = patches();
  const built = await buildRenderer();
  const site = await serveDir(built.dir);
  const browser = await launchChromium();
  const variants = {
    on: { firsts: [], down: emptySummary(), back: emptySummary(), thumbnailLatencyMs: [], served: { thumbnails: 0, previews: 0 } } as Variant,
    off: { firsts: [], down: emptySummary(), back: emptySummary(), thumbnailLatencyMs: [], served: { thumbnails: 0, previews: 0 } } as Variant,
  };
  const updates: number[] = [];
  const frames: number[] = [];
  const paints: number[] = [];
  const batched = { firsts: [] as FirstRender[], updates: [] as number[], frames: [] as number[], paints: [] as number[], historyRows: 0 };
  try {
    // Runs alternate between the variants, so a slow patch of the shared machine does not land on one side only.
    for (let run = 0; run < Math.max(RUNS, OFF_RUNS); run++) {
      if (run < RUNS) {
        // Batches folded: first render and progress patches (the batch's bar follows the running job too).
        const { page, errors } = await openWindow(browser, site.url, { thumbnails: 0, previews: 0 }, snaps.batched);
        const first = (await page.evaluate(FIRST_RENDER)) as FirstRender;
        batched.firsts.push(first);
        batched.historyRows = first.setsize;
        await page.evaluate((p) => void ((window as unknown as { __benchPatches: unknown }).__benchPatches = p), { batches, expected });
        const result = (await page.evaluate(PATCH_LOOP)) as { updateMs: number[]; frameMs: number[]; paintMs: number[] };
        batched.updates.push(...result.updateMs);
        batched.frames.push(...result.frameMs);
        batched.paints.push(...result.paintMs);
        const folded = await page.evaluate(() => document.querySelectorAll('.row--batch').length);
        if (errors.length > 0) throw new Error(`Page errors: ${errors.join('; ')}`);
        await page.close();
        console.error(`run ${run + 1} batched: first render ${fmt(first.frameMs, 1)} ms, ${first.setsize} history rows (${folded} batch rows in the DOM), patch median ${fmt(median(result.frameMs), 2)} ms`);
      }
      for (const name of ['on', 'off'] as const) {
        if (run >= (name === 'on' ? RUNS : OFF_RUNS)) continue;
        const variant = variants[name];
        const { page, errors } = await openWindow(browser, site.url, variant.served, snaps[name]);
        const first = (await page.evaluate(FIRST_RENDER)) as FirstRender;
        if (first.setsize !== JOBS - 1 - PENDING) throw new Error(`History shows ${first.setsize} jobs, expected ${JOBS - 1 - PENDING}`);
        variant.firsts.push(first);
        let patchMedian = Number.NaN;
        if (name === 'on') {
          await page.evaluate((p) => void ((window as unknown as { __benchPatches: unknown }).__benchPatches = p), { batches, expected });
          const result = (await page.evaluate(PATCH_LOOP)) as { updateMs: number[]; frameMs: number[]; paintMs: number[] };
          updates.push(...result.updateMs);
          frames.push(...result.frameMs);
          paints.push(...result.paintMs);
          patchMedian = median(result.frameMs);
        }
        const cdp = await page.context().newCDPSession(page);
        await cdp.send('Performance.enable');
        await page.evaluate(SETTLE);
        const down = await scroll(page, cdp, variant.down, STEPS_DOWN, 1);
        await page.evaluate(SETTLE);
        const back = await scroll(page, cdp, variant.back, STEPS_BACK, -1);
        await page.evaluate(SETTLE);
        await cdp.detach();
        variant.thumbnailLatencyMs.push(...((await page.evaluate('window.__benchThumbs.latencyMs')) as number[]));
        if (errors.length > 0) throw new Error(`Page errors: ${errors.join('; ')}`);
        await page.close();
        const scrollFrames = down.frames.slice(1).map((f) => f.paintedAt - f.begin);
        console.error(
          `run ${run + 1} thumbnails ${name}: first render ${fmt(first.frameMs, 1)} ms (${first.rows} rows in the DOM)` +
            (name === 'on' ? `, patch median ${fmt(patchMedian, 2)} ms` : '') +
            `, scroll frame median ${fmt(median(scrollFrames), 1)} ms, max ${fmt(Math.max(...scrollFrames), 1)} ms, ${variant.down.longFramesPerRun.at(-1)} long, ${down.requests} requests down, ${back.requests} back`,
        );
      }
    }
    if (TRACE_DIR) {
      mkdirSync(TRACE_DIR, { recursive: true });
      const { page } = await openWindow(browser, site.url, { thumbnails: 0, previews: 0 }, snaps.on);
      await browser.startTracing(page, { path: join(TRACE_DIR, 'renderer-first-render.trace.json'), ...(TRACE_CATEGORIES && { categories: TRACE_CATEGORIES }) });
      await page.evaluate(FIRST_RENDER);
      await browser.stopTracing();
      await page.evaluate(SETTLE);
      await browser.startTracing(page, { path: join(TRACE_DIR, 'renderer-scroll.trace.json'), ...(TRACE_CATEGORIES && { categories: TRACE_CATEGORIES }) });
      await page.evaluate(SCROLL({ steps: STEPS_DOWN, rowsPerFrame: ROWS_PER_FRAME, direction: 1 }));
      await browser.stopTracing();
      await page.close();
      const off = await openWindow(browser, site.url, { thumbnails: 0, previews: 0 }, snaps.off);
      await off.page.evaluate(FIRST_RENDER);
      await off.page.evaluate(SETTLE);
      await browser.startTracing(off.page, { path: join(TRACE_DIR, 'renderer-scroll-no-thumbnails.trace.json'), ...(TRACE_CATEGORIES && { categories: TRACE_CATEGORIES }) });
      await off.page.evaluate(SCROLL({ steps: STEPS_DOWN, rowsPerFrame: ROWS_PER_FRAME, direction: 1 }));
      await browser.stopTracing();
      await off.page.close();
      console.error(`traces written to ${TRACE_DIR}`);
    }
  } finally {
    await browser.close();
    await site.close();
    await built.dispose();
  }

  const { on, off } = variants;
  const col = (values: readonly number[], digits: number): string[] => [fmt(median(values), digits), fmt(p95(values), digits), fmt(Math.min(...values), digits), fmt(Math.max(...values), digits)];
  const perThousand = (s: ScrollSummary): string => fmt((s.requests / s.rows) * 1000);
  const scrollRows = (label: string, s: ScrollSummary): string[][] => [
    [`${label}: frame begin → painted (ms, ${fmt(s.frameMs.length)} frames)`, ...col(s.frameMs, 1)],
    [`${label}: scroll event → painted (ms, ${fmt(s.scrollToPaintMs.length)} frames)`, ...col(s.scrollToPaintMs, 1)],
    [`${label}: rAF callback → painted (ms, ${fmt(s.rafToPaintMs.length)} frames)`, ...col(s.rafToPaintMs, 1)],
    [`${label}: frame interval, begin → next begin (ms)`, ...col(s.intervalMs, 1)],
  ];
  const counts = (label: string, s: ScrollSummary, runs: number): string[] => [
    label,
    fmt(s.rows / runs),
    `${fmt(s.longFrames)} (${s.longFramesPerRun.join(' + ')}; LoAF ${fmt(s.loafs.length)})`,
    fmt(s.intervalMs.filter((ms) => ms > 25).length),
    fmt(s.requests),
    perThousand(s),
    fmt(s.maxRowsInDom),
    `${fmt(s.framesWithLoadingVisible)} (max ${fmt(s.maxLoadingVisible)} rows)`,
    fmt(s.blankRows),
    `${fmt((100 * s.taskMs) / s.wallMs)} % (${fmt((100 * s.scriptMs) / s.wallMs)} %, ${fmt((100 * s.styleLayoutMs) / s.wallMs)} %)`,
  ];
  const offRows = OFF_RUNS > 0;
  const markdown = [
    `${chromiumVersion}; ${machine().cpus} cores; ${fmt(JOBS)} jobs (1 running, ${PENDING} pending, ${fmt(JOBS - 1 - PENDING)} history); ${RUNS} runs (${OFF_RUNS} without thumbnails), ${PATCHES} patches per run; ` +
      `scroll ${fmt(STEPS_DOWN * ROWS_PER_FRAME)} rows down then ${fmt(STEPS_BACK * ROWS_PER_FRAME)} back, ${ROWS_PER_FRAME} rows (${ROWS_PER_FRAME * 76} px) per frame; thumbnails answered ${VIA === 'page' ? 'in the page' : 'by the fake tray\'s handler'} after ${THUMB_DELAY_MS} ms (${fmt(Math.min(...THUMBNAILS.map((t) => t.length)))}–${fmt(Math.max(...THUMBNAILS.map((t) => t.length)))} byte 192×192 PNGs)`,
    '',
    table(
      ['measure', 'median', 'p95', 'min', 'max'],
      [
        [`first render: snapshot → History rows in the DOM (ms, ${RUNS} runs)`, ...col(on.firsts.map((f) => f.rowsMs), 1)],
        [`first render: snapshot → next frame painted (ms, ${RUNS} runs)`, ...col(on.firsts.map((f) => f.frameMs), 1)],
        [`structuredClone of the snapshot (ms, ${RUNS} runs)`, ...col(on.firsts.map((f) => f.cloneMs), 1)],
        [`progress patch → aria-valuenow updated (ms, ${fmt(updates.length)} patches)`, ...col(updates, 2)],
        [`progress patch → next frame painted (ms, ${fmt(frames.length)} patches)`, ...col(frames, 2)],
        [`that frame: rAF callback → painted (ms, ${fmt(paints.length)} patches)`, ...col(paints, 2)],
        ...scrollRows('scroll down', on.down),
        ...scrollRows('scroll back up', on.back),
        [`thumbnail request → answer, in the page (ms, ${fmt(on.thumbnailLatencyMs.length)} requests)`, ...col(on.thumbnailLatencyMs, 1)],
        ...(offRows
          ? [[`no thumbnails: first render → next frame painted (ms, ${OFF_RUNS} runs)`, ...col(off.firsts.map((f) => f.frameMs), 1)], ...scrollRows('no thumbnails, scroll down', off.down)]
          : []),
        [`batches folded: first render → History rows in the DOM (ms, ${RUNS} runs)`, ...col(batched.firsts.map((f) => f.rowsMs), 1)],
        [`batches folded: first render → next frame painted (ms, ${RUNS} runs)`, ...col(batched.firsts.map((f) => f.frameMs), 1)],
        [`batches folded: progress patch → aria-valuenow updated (ms, ${fmt(batched.updates.length)} patches)`, ...col(batched.updates, 2)],
        [`batches folded: progress patch → next frame painted (ms, ${fmt(batched.frames.length)} patches)`, ...col(batched.frames, 2)],
        [`batches folded: that frame: rAF callback → painted (ms, ${fmt(batched.paints.length)} patches)`, ...col(batched.paints, 2)],
      ],
    ),
    '',
    table(
      [
        'scroll',
        'rows per run',
        `long frames > ${LONG_FRAME_MS} ms (per run; LoAF entries)`,
        'intervals > 25 ms',
        'thumbnail requests',
        'requests per 1,000 rows',
        'most rows in the DOM',
        'frames with a loading tile in view',
        'visible rows not in the DOM',
        'main thread busy (script, style + layout)',
      ],
      [
        counts('thumbnails, down', on.down, RUNS),
        counts('thumbnails, back up', on.back, RUNS),
        ...(offRows ? [counts('no thumbnails, down', off.down, OFF_RUNS), counts('no thumbnails, back up', off.back, OFF_RUNS)] : []),
      ],
    ),
    '',
    `Batched snapshot: ${fmt(BATCHED_PENDING)} pending jobs in the running job's batch, ${fmt(JOBS - 1 - BATCHED_PENDING)} history jobs in batches of 50, folded into ${fmt(batched.historyRows)} history rows. ` +
      `History rows in the DOM after the first render: ${on.firsts.map((f) => f.rows).join(', ')}; thumbnail requests answered: ${fmt(on.thumbnailLatencyMs.length)} (${fmt(on.served.thumbnails)} of them by the fake tray's handler); preview requests: ${on.served.previews}; ` +
      `frames without a scroll event: ${on.down.framesWithoutScrollEvent + on.back.framesWithoutScrollEvent}`,
  ].join('\n');
  console.log(markdown);
  saveResult('renderer', {
    markdown,
    data: {
      chromiumVersion,
      jobs: JOBS,
      pending: PENDING,
      runs: RUNS,
      offRuns: OFF_RUNS,
      scroll: { rowsDown: STEPS_DOWN * ROWS_PER_FRAME, rowsBack: STEPS_BACK * ROWS_PER_FRAME, rowsPerFrame: ROWS_PER_FRAME, thumbnailDelayMs: THUMB_DELAY_MS, thumbnailsVia: VIA },
      firsts: on.firsts,
      patchUpdateMs: updates,
      patchFrameMs: frames,
      patchPaintMs: paints,
      thumbnails: {
        served: on.served,
        latencyMs: on.thumbnailLatencyMs,
        down: on.down,
        back: on.back,
      },
      noThumbnails: { firsts: off.firsts, served: off.served, down: off.down, back: off.back },
      batched,
    },
  });
}

await main();
