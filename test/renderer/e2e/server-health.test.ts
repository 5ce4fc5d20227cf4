// Server health at a glance in the built window in Chromium, on the real engine and the simulator: the GPU and its
// VRAM and RAM in use (read while the window watches), a running job's speed, and "server restarted: N queued jobs
// were lost" after the simulator restarts under a busy queue, dismissable from the keyboard. Light at 100%, dark at
// 200%. With SCREENSHOTS=1 it refreshes docs/screenshots/server-health*.png.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { engineFor, serverConnected } from '../../support/connect.js';
import { nextEvent } from '../../support/events.js';
import { chromiumMissing } from '../../support/renderer-harness/chromium.js';
import { engineActions } from '../../support/renderer-harness/engine-actions.js';
import { horizontalOverflow, tabTo } from '../../support/renderer-harness/keyboard.js';
import { attachEngine, useWindowSuite } from '../../support/renderer-harness/window-suite.js';
import { seededPrompt, simEvent } from '../../support/steering.js';

const SCREENSHOTS = process.env.SCREENSHOTS === '1';
const GB = 1024 ** 3;
const GPU = { name: 'cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync', type: 'cuda', index: 0, vram_total: 24 * GB, vram_free: 5.5 * GB, torch_vram_total: 0, torch_vram_free: 0 };

async function shot(page: Page, name: string): Promise<void> {
  if (SCREENSHOTS) await page.screenshot({ path: `docs/screenshots/${name}.png`, fullPage: false });
}

describe('server health in Chromium', { skip: chromiumMissing() }, () => {
  const suite = useWindowSuite();

  for (const [theme, zoom] of [
    ['light', 1],
    ['dark', 2],
  ] as ['light' | 'dark', number][]) {
    test(`${theme}, ${zoom * 100}%: device and memory, the running job's speed, a restart that lost queued jobs`, async (t) => {
      const sim = await ComfySimulator.start({ stepDelayMs: 30 });
      t.after(() => sim.stop());
      sim.setSystem({ devices: [GPU], ramFree: 20 * GB });
      const engine = await engineFor(t, [sim.url]);
      await serverConnected(engine);
      const page = await suite.openPage(t, theme, zoom);
      await attachEngine(t, page, engine, { handlers: engineActions(engine) });
      // The window is visible: the app watches (main.ts turns this on and off with the window).
      engine.watchHealth(true, 200);
      t.after(() => engine.watchHealth(false));
      await page.goto(suite.url);
      const card = page.getByRole('listitem', { name: /server 0: Connected/ });
      await card.getByText('NVIDIA GeForce RTX 4090').waitFor();
      assert.equal(await card.getByRole('meter', { name: 'VRAM of server 0', exact: true }).getAttribute('aria-valuetext'), '18.5 GB of 24.0 GB used');
      assert.match((await card.getByRole('meter', { name: 'RAM of server 0', exact: true }).getAttribute('aria-valuetext')) ?? '', /^\d+\.\d GB of 23\.5 GB used$/);

      // Figures follow the machine.
      sim.setSystem({ devices: [{ ...GPU, vram_free: 20 * GB }], ramFree: 20 * GB });
      await page.waitForFunction(() => document.querySelector('[role="meter"][aria-label="VRAM of server 0"]')?.getAttribute('aria-valuetext') === '4.0 GB of 24.0 GB used');

      // A job that finished gives the app something to recognise the server's memory by (its history).
      const { promptId: done } = sim.enqueue(seededPrompt('warm-up', 1), { clientId: 'browser' });
      await nextEvent(engine.events, 'job-finished', (job) => job.id === done, 20_000);

      // A running job says how fast its steps go.
      // Queued by a script (no client id): the server broadcasts its progress, so the app hears every step.
      const { promptId: running } = sim.enqueue(seededPrompt('portrait', 300));
      await simEvent(sim, 'started', running);
      await page.getByRole('article', { name: 'Running: portrait' }).getByText(/^\d+(\.\d+)? it\/s$/).waitFor();
      sim.enqueue(seededPrompt('waiting-a'), { clientId: 'browser' });
      sim.enqueue(seededPrompt('waiting-b'), { clientId: 'browser' });
      await page.getByRole('list', { name: 'Pending jobs' }).getByText('waiting-b').waitFor();
      assert.equal(await horizontalOverflow(page), 0);
      await shot(page, zoom === 1 ? 'server-health' : 'server-health-zoom-dark');

      // The server restarts: the running job and the two waiting are gone, and the card says so.
      const said = nextEvent(engine.events, 'server', (server) => server.restarted !== undefined, 20_000);
      await sim.restart();
      sim.setSystem({ devices: [GPU], ramFree: 20 * GB });
      await said;
      const notice = card.getByRole('alert');
      await notice.getByText(/Server restarted at .*: 3 queued jobs were lost/).waitFor();
      if (zoom === 1) await shot(page, 'server-restarted');
      await tabTo(page, 'Dismiss: server 0 restarted');
      await page.keyboard.press('Enter');
      await notice.waitFor({ state: 'detached' });
    });
  }
});
