// The built queue window in Debian Chromium, driven by the real core (Engine + AppStore) connected to the ComfyUI
// simulator: jobs queued by another client appear, progress, complete or fail, and Cancel in the window stops one.
// With SCREENSHOTS=1 it also refreshes docs/screenshots/*.png (CI leaves them alone).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { AppStore } from '../../../electron/core/store/app-store.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { engineFor, serverConnected } from '../../support/connect.js';
import { buildRenderer } from '../../support/renderer-harness/build-renderer.js';
import { chromiumMissing, launchChromium } from '../../support/renderer-harness/chromium.js';
import { attachTray, staticSource } from '../../support/renderer-harness/fake-tray.js';
import { serveDir } from '../../support/renderer-harness/static-server.js';

const SCREENSHOTS = process.env.SCREENSHOTS === '1';

const STEPS = (prefix: string, steps: number) => ({
  '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 0x336699 } },
  '2': { class_type: 'SimSteps', inputs: { steps, image: ['1', 0] }, _meta: { title: 'Sampler' } },
  '3': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: prefix }, _meta: { title: 'Save it' } },
});
const RAISE = {
  '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 1 } },
  '2': { class_type: 'SimRaise', inputs: { message: 'CUDA out of memory. Tried to allocate 2.00 GiB', image: ['1', 0] }, },
  '3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: 'never' } },
};

async function shot(page: Page, name: string): Promise<void> {
  if (SCREENSHOTS) await page.screenshot({ path: `docs/screenshots/${name}.png`, fullPage: false });
}

describe('queue window in Chromium', { skip: chromiumMissing() }, () => {
  let browser: Browser;
  let site: { url: string; close: () => Promise<void> };
  let disposeBuild: () => Promise<void>;

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

  /** Page errors (CSP violations included) are collected and checked at the end of each test. */
  async function openPage(t: { after: (fn: () => Promise<void>) => void }, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 720, height: 860 }, colorScheme });
    page.setDefaultTimeout(15_000);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      // CSP violations arrive here too: the bundle and its CSS must load under the app's strict policy.
      // index.html keeps frame-ancestors on purpose (test/project/packaging.test.ts); Chromium notes it is ignored in <meta>.
      if (message.type() === 'error' && !message.text().includes("'frame-ancestors' is ignored")) errors.push(message.text());
    });
    t.after(async () => {
      await page.close();
      assert.deepEqual(errors, [], 'no page errors');
    });
    return page;
  }

  test('jobs from another client appear, progress, complete or fail; Cancel in the window stops one', async (t) => {
    const sim = await ComfySimulator.start({ stepDelayMs: 40 });
    t.after(() => sim.stop());
    const engine = await engineFor(t, [sim.url]);
    await serverConnected(engine);
    const store = new AppStore({ servers: () => engine.servers(), jobs: () => engine.jobs() }, 16);
    engine.events.on('server', (server) => store.serverUpdated(server));
    engine.events.on('job', (job) => store.jobUpdated(job));
    engine.events.on('job-removed', ({ serverId, id }) => store.jobRemoved(serverId, id));

    const page = await openPage(t);
    const cancels: string[] = [];
    const detach = await attachTray(page, {
      snapshot: () => store.snapshot(),
      subscribe: (listener) => store.subscribe(listener),
      cancel: (serverId, jobId) => {
        cancels.push(jobId);
        return engine.cancel(serverId, jobId);
      },
    });
    t.after(detach);
    await page.goto(site.url);
    await page.getByRole('heading', { name: 'Nothing queued yet' }).waitFor();
    await page.getByRole('listitem', { name: /server 0: Connected/ }).waitFor();

    // A script's prompt (no client id: the server broadcasts its progress), a browser tab's prompt that fails, and
    // one submitted through the app, to cancel from the window. The server holds them until the pending list has
    // been checked, so a slow machine cannot run them out of the queue first.
    sim.hold();
    const { promptId: scriptId } = sim.enqueue(STEPS('portrait', 60));
    const { promptId: tabId } = sim.enqueue(RAISE, { clientId: 'browser-tab' });
    const { promptId: longId } = await engine.submit('s0', { prompt: STEPS('landscape', 400), workflow: { extra: { name: 'Landscape' } } });
    await engine.submit('s0', { prompt: STEPS('study', 10), workflow: { extra: { name: 'Portrait study' } } });
    const scriptTitle = `Job ${scriptId.slice(0, 8)}`;
    const tabTitle = `Job ${tabId.slice(0, 8)}`;

    // Pending in execution order, then they run: the step counter and the progress bar move.
    const pending = page.getByRole('list', { name: 'Pending jobs' });
    await pending.getByText('Landscape').waitFor();
    await pending.getByRole('listitem').filter({ hasText: scriptTitle }).getByText(/#1.*from another client/).waitFor();
    await pending.getByRole('listitem').filter({ hasText: 'Landscape' }).getByText(/#3.*from Comfy Tray/).waitFor();
    sim.release();
    const running = page.getByRole('article', { name: `Running: ${scriptTitle}` });
    await running.getByText(/^\d+\/60$/).waitFor();
    await page.waitForFunction(() => Number(document.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow')) >= 20);

    // Completes, and the failure shows its node and message.
    const history = page.getByRole('list', { name: 'History' });
    await history.getByRole('listitem').filter({ hasText: scriptTitle }).getByText('Completed').waitFor();
    const failed = history.getByRole('listitem').filter({ hasText: tabTitle });
    await failed.getByText('Failed').waitFor();
    await failed.getByText(/SimRaise: RuntimeError: CUDA out of memory/).waitFor();

    // Cancel from the window.
    await page.getByRole('article', { name: 'Running: Landscape' }).getByText(/^([5-9]|\d{2,})\/400$/).waitFor();
    await pending.getByText('Portrait study').waitFor();
    await shot(page, 'running-job');
    await page.getByRole('button', { name: 'Cancel Landscape' }).click();
    await page.getByRole('status').getByText('Landscape: cancelled').waitFor();
    await history.getByRole('listitem').filter({ hasText: 'Landscape' }).getByText('Cancelled').waitFor();
    assert.deepEqual(cancels, [longId]);
    assert.equal(engine.job('s0', longId)?.status, 'cancelled');
    await history.getByRole('listitem').filter({ hasText: 'Portrait study' }).getByText('Completed').waitFor();
    await page.getByRole('status').getByText('Landscape: cancelled').waitFor({ state: 'detached' });
    await shot(page, 'history-with-failure');

    if (SCREENSHOTS) {
      await page.emulateMedia({ colorScheme: 'dark' });
      await shot(page, 'history-dark');
    }
  });

  test('without a server the window explains what to do', async (t) => {
    const page = await openPage(t);
    await attachTray(page, staticSource({ version: 0, servers: [], jobs: [] }));
    await page.goto(site.url);
    await page.getByRole('heading', { name: 'No ComfyUI server yet' }).waitFor();
    await shot(page, 'empty-no-server');
  });
});
