// Steering the queue from the built window in Chromium, keyboard only, on the real engine and the ComfyUI simulator:
// tick two jobs and move them to the front, pause (every waiting job is held, shown as held), resume (they go back in
// order and run). Also at 200% zoom in the dark theme. With SCREENSHOTS=1 it refreshes docs/screenshots/queue-*.png.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SimGeneration } from '../../support/comfy-simulator.js';
import { nextEvent } from '../../support/events.js';
import { chromiumMissing } from '../../support/renderer-harness/chromium.js';
import { horizontalOverflow, tabTo } from '../../support/renderer-harness/keyboard.js';
import { useWindowSuite, windowOnSimulator } from '../../support/renderer-harness/window-suite.js';
import { eventOrder, pendingOrder, seededPrompt, simEvent } from '../../support/steering.js';
import { shot } from '../../support/renderer-harness/screenshots.js';

describe('steering the queue in Chromium', { skip: chromiumMissing() }, () => {
  const suite = useWindowSuite();

  for (const [generation, theme, zoom] of [
    ['modern', 'light', 1],
    ['legacy', 'dark', 2],
  ] as [SimGeneration, 'light' | 'dark', number][]) {
    test(`${generation} server, ${theme} theme, zoom ${zoom * 100}%: tick, move to front, pause, resume, keyboard only`, async (t) => {
      const { sim, engine, page } = await windowOnSimulator(t, suite, { simulator: { generation, stepDelayMs: 5 }, colorScheme: theme, zoom });

      // A job runs (held between steps), four wait: named after their outputs, not their ids.
      const { promptId: running } = sim.enqueue(seededPrompt('upscale-4k', 40), { clientId: 'browser' });
      await simEvent(sim, 'started', running);
      sim.hold();
      const [a, b, c, d] = ['portrait', 'landscape', 'still-life', 'night-city'].map((name) => sim.enqueue(seededPrompt(name), { clientId: 'browser' }).promptId) as [string, string, string, string];
      const pendingList = page.getByRole('list', { name: 'Pending jobs' });
      await pendingList.getByText('night-city').waitFor();
      await page.getByRole('article', { name: 'Running: upscale-4k' }).waitFor();

      // Tick night-city and landscape from the keyboard, then move them to the front from the selection bar.
      await tabTo(page, 'Select night-city');
      await page.keyboard.press('Space');
      await tabTo(page, 'Select landscape', { back: true });
      await page.keyboard.press('Space');
      const bar = page.getByRole('toolbar', { name: '2 jobs selected' });
      await bar.waitFor();
      await tabTo(page, 'Move the 2 jobs selected to the front', { back: true });
      await page.keyboard.press('Enter');
      await page.getByRole('status').getByText('2 jobs moved to the front').waitFor();
      assert.deepEqual(await pendingOrder(sim), [b, d, a, c]);
      await pendingList.getByRole('listitem').first().getByText('landscape').waitFor();
      assert.equal(await horizontalOverflow(page), 0, 'no sideways scrolling');
      if (zoom === 1) await shot(page, 'queue-steering');

      // Pause: every waiting job is taken off the server and shown as held, in order.
      await tabTo(page, 'Pause the queue of server 0', { back: true });
      await page.keyboard.press('Enter');
      await page.getByText('Queue paused by Comfy Tray · 4 jobs held').waitFor();
      assert.deepEqual(await pendingOrder(sim), []);
      const held = pendingList.getByRole('listitem');
      await held.nth(3).getByText('Held').waitFor();
      assert.deepEqual(await held.locator('.row__name').allTextContents(), ['landscape', 'night-city', 'portrait', 'still-life']);
      assert.equal(await horizontalOverflow(page), 0);
      await shot(page, zoom === 1 ? 'queue-paused' : 'queue-paused-zoom-dark');

      // Resume: back on the server in that order, under the same ids; they run once each.
      const started = eventOrder(sim, 'started');
      await tabTo(page, 'Resume the queue of server 0');
      await page.keyboard.press('Enter');
      await page.getByRole('status').getByText(/Queue resumed: 4 jobs queued again/).waitFor();
      assert.deepEqual(await pendingOrder(sim), [b, d, a, c]);
      const finished = new Set([a, b, c, d]);
      const all = nextEvent(engine.events, 'job-finished', (job) => finished.delete(job.id) && finished.size === 0, 30_000);
      sim.release();
      await all;
      assert.deepEqual(started, [b, d, a, c]);
      await page.getByRole('list', { name: 'History' }).getByRole('listitem').filter({ hasText: 'still-life' }).getByText('Completed').waitFor();
    });
  }
});
