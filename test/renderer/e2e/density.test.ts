// Density in the built window in Chromium, on the real engine and the simulator (jobs API and legacy /queue): a
// browser queues eight of one workflow and one other; the pending list shows the eight as one batch row with its
// counts and one bar, which opens to its jobs and moves as a whole from the keyboard; as they run the bar fills and
// the history folds them too; compact rows from the keyboard. Light at 100%, dark at 200%.
// With SCREENSHOTS=1 it refreshes docs/screenshots/batch*.png.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SimGeneration } from '../../support/comfy-simulator.js';
import { nextEvent } from '../../support/events.js';
import { chromiumMissing } from '../../support/renderer-harness/chromium.js';
import { horizontalOverflow, tabTo } from '../../support/renderer-harness/keyboard.js';
import { useWindowSuite, windowOnSimulator } from '../../support/renderer-harness/window-suite.js';
import { pendingOrder, seededPrompt, simEvent } from '../../support/steering.js';
import { shot } from '../../support/renderer-harness/screenshots.js';

describe('batches and compact rows in Chromium', { skip: chromiumMissing() }, () => {
  const suite = useWindowSuite();

  for (const [generation, theme, zoom] of [
    ['modern', 'light', 1],
    ['legacy', 'dark', 2],
  ] as [SimGeneration, 'light' | 'dark', number][]) {
    test(`${generation} server, ${theme}, ${zoom * 100}%: one row per batch, opened, moved and watched; compact rows`, async (t) => {
      const { sim, engine, page } = await windowOnSimulator(t, suite, { simulator: { generation, stepDelayMs: 5 }, colorScheme: theme, zoom });

      const { promptId: running } = sim.enqueue(seededPrompt('warm-up', 40), { clientId: 'browser' });
      await simEvent(sim, 'started', running);
      sim.hold();
      const batch = Array.from({ length: 8 }, () => sim.enqueue(seededPrompt('portrait', 3), { clientId: 'browser' }).promptId);
      const { promptId: solo } = sim.enqueue(seededPrompt('landscape', 3), { clientId: 'browser' });
      const pending = page.getByRole('list', { name: 'Pending jobs' });
      const row = pending.locator('.row--batch');
      await row.getByText('8 jobs').waitFor();
      await row.getByText('8 waiting').waitFor();
      assert.equal(await pending.locator(':scope > li').count(), 2, 'the batch and the other job');

      await tabTo(page, 'Show the 8 jobs of portrait');
      await page.keyboard.press('Enter');
      await pending.locator('.row--member').nth(7).waitFor();
      await tabTo(page, 'Move the 8 jobs of portrait to the back', { back: true });
      await page.keyboard.press('Enter');
      await page.getByRole('status').getByText('8 jobs moved to the back').waitFor();
      assert.deepEqual(await pendingOrder(sim), [solo, ...batch]);
      assert.equal(await horizontalOverflow(page), 0);
      await shot(page, zoom === 1 ? 'batch-open' : 'batch-open-zoom-dark');

      // They run: the bar fills, the history folds the finished ones.
      const left = new Set([...batch, solo, running]);
      const all = nextEvent(engine.events, 'job-finished', (job) => left.delete(job.id) && left.size === 0, 30_000);
      sim.release();
      await all;
      const history = page.getByRole('list', { name: 'History' });
      const folded = history.locator('.row--batch');
      await folded.getByText('8 done').waitFor();
      assert.equal(await folded.getByRole('progressbar').getAttribute('aria-valuenow'), '100');

      // Compact rows, from the keyboard.
      await tabTo(page, 'Compact');
      await page.keyboard.press('Space');
      await page.locator('main.app--compact').waitFor();
      assert.equal(await page.locator('.vlist__row').nth(1).evaluate((el: HTMLElement) => el.style.top), '48px');
      await shot(page, zoom === 1 ? 'compact-history' : 'compact-history-zoom-dark');
    });
  }
});
