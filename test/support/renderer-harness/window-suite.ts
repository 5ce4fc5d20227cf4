// What every end-to-end window test needs: the built renderer served over HTTP, one Chromium for the suite, pages
// that fail their test on any page error (CSP violations included), and an AppStore fed by a real engine.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Engine } from '../../../electron/core/engine.js';
import { AppStore } from '../../../electron/core/store/app-store.js';
import { ComfySimulator, type SimulatorOptions } from '../comfy-simulator.js';
import { engineFor, serverConnected } from '../connect.js';
import { engineActions } from './engine-actions.js';
import { buildRenderer } from './build-renderer.js';
import { attachTray, type TrayHandlers } from './fake-tray.js';
import { launchChromium } from './chromium.js';
import { serveDir } from './static-server.js';

export interface WindowSuite {
  /** The page's address; set once the suite's `before` ran. */
  readonly url: string;
  /** `zoom` 2 shows the window as at 200% browser zoom: half the CSS pixels, twice the device pixels. */
  openPage(t: { after: (fn: () => Promise<void>) => void }, colorScheme?: 'light' | 'dark', zoom?: number, permissions?: readonly string[]): Promise<Page>;
}

/** Call inside a `describe`: registers the suite's before/after hooks. */
export function useWindowSuite(): WindowSuite {
  let browser: Browser | undefined;
  let site: { url: string; close: () => Promise<void> } | undefined;
  let disposeBuild: (() => Promise<void>) | undefined;
  before(async () => {
    const built = await buildRenderer();
    disposeBuild = built.dispose;
    site = await serveDir(built.dir);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    await disposeBuild?.();
  });
  return {
    get url() {
      assert.ok(site, 'the suite has not started');
      return site.url;
    },
    async openPage(t, colorScheme = 'light', zoom = 1, permissions = []) {
      assert.ok(browser, 'the suite has not started');
      const page = await browser.newPage({ viewport: { width: Math.round(720 / zoom), height: Math.round(860 / zoom) }, deviceScaleFactor: zoom, colorScheme, permissions: [...permissions] });
      page.setDefaultTimeout(15_000);
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => {
        // index.html keeps frame-ancestors on purpose (test/project/packaging.test.ts); Chromium notes it is ignored
        // in <meta>. Every other console error fails the test.
        if (message.type() === 'error' && !message.text().includes("'frame-ancestors' is ignored")) errors.push(message.text());
      });
      t.after(async () => {
        await page.close();
        assert.deepEqual(errors, [], 'no page errors');
      });
      return page;
    },
  };
}

/** The shell's AppStore fed by a real engine, as main.ts wires it (16 ms frames). */
function storeFor(engine: Engine): AppStore {
  const store = new AppStore({ servers: () => engine.servers(), jobs: () => engine.jobs() }, 16);
  engine.events.on('server', (server) => store.serverUpdated(server));
  engine.events.on('job', (job) => store.jobUpdated(job));
  engine.events.on('job-removed', ({ serverId, id }) => store.jobRemoved(serverId, id));
  return store;
}

/**
 * Stands the page's `window.comfyTray` on a real engine, as main.ts wires the window: state from an AppStore fed by
 * the engine, Cancel to the engine, and the given handlers for every other channel. Detached when the test ends.
 */
export async function attachEngine(
  t: { after: (fn: () => void) => void },
  page: Page,
  engine: Engine,
  options: { handlers?: TrayHandlers; cancel?: (serverId: string, jobId: string) => Promise<boolean> } = {},
): Promise<void> {
  const store = storeFor(engine);
  const detach = await attachTray(page, {
    snapshot: () => store.snapshot(),
    subscribe: (listener) => store.subscribe(listener),
    cancel: options.cancel ?? ((serverId, jobId) => engine.cancel(serverId, jobId)),
    ...(options.handlers && { handlers: options.handlers }),
  });
  t.after(detach);
}

/**
 * How most window tests begin: a simulator, a real engine connected to it, and the window open on that engine with
 * the shell's actions, once it shows the server connected. Everything is stopped when the test ends.
 */
export async function windowOnSimulator(
  t: { after: (fn: () => unknown) => void },
  suite: WindowSuite,
  options: { simulator?: SimulatorOptions; colorScheme?: 'light' | 'dark'; zoom?: number } = {},
): Promise<{ sim: ComfySimulator; engine: Engine; page: Page }> {
  const sim = await ComfySimulator.start(options.simulator);
  t.after(() => sim.stop());
  const engine = await engineFor(t, [sim.url]);
  await serverConnected(engine);
  const page = await suite.openPage(t, options.colorScheme, options.zoom);
  await attachEngine(t, page, engine, { handlers: engineActions(engine) });
  await page.goto(suite.url);
  await page.getByRole('listitem', { name: /server 0: Connected/ }).waitFor();
  return { sim, engine, page };
}
