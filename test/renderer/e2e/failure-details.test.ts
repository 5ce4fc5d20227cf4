// A failed job's error in full, in the built window in Chromium on the real engine and the simulator: a browser's
// job raises "CUDA out of memory"; from the keyboard its row opens to the node, the exception, the whole message, the
// out-of-memory hint and a traceback that scrolls on its own; Re-run queues it again. Light at 100% and dark at 200%,
// without sideways scrolling. With SCREENSHOTS=1 it refreshes docs/screenshots/failure-details*.png.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nextEvent } from '../../support/events.js';
import { chromiumMissing } from '../../support/renderer-harness/chromium.js';
import { horizontalOverflow, tabTo } from '../../support/renderer-harness/keyboard.js';
import { useWindowSuite, windowOnSimulator } from '../../support/renderer-harness/window-suite.js';
import { shot } from '../../support/renderer-harness/screenshots.js';

const MESSAGE = 'CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 8.00 GiB of which 412.00 MiB is free.';
const RAISE = {
  '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 1 } },
  '2': { class_type: 'SimRaise', inputs: { message: MESSAGE, image: ['1', 0] }, _meta: { title: 'Upscale sampler' } },
  '3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: 'portrait-upscale' } },
};

describe('failure details in Chromium', { skip: chromiumMissing() }, () => {
  const suite = useWindowSuite();

  for (const [theme, zoom] of [
    ['light', 1],
    ['dark', 2],
  ] as ['light' | 'dark', number][]) {
    test(`${theme}, ${zoom * 100}%: a failed row opens to its whole error, keyboard only; Re-run queues it again`, async (t) => {
      const { sim, engine, page } = await windowOnSimulator(t, suite, { simulator: { stepDelayMs: 5 }, colorScheme: theme, zoom });

      const { promptId } = sim.enqueue(RAISE, { clientId: 'browser' });
      const history = page.getByRole('list', { name: 'History' });
      const row = history.getByRole('listitem').filter({ hasText: 'portrait-upscale' });
      await row.getByText('Failed').waitFor();

      await tabTo(page, 'Show the error of portrait-upscale');
      await page.keyboard.press('Enter');
      const panel = page.getByRole('region', { name: 'Error of portrait-upscale' });
      await panel.waitFor();
      await panel.getByText('Upscale sampler').waitFor();
      await panel.getByText('(SimRaise)').waitFor();
      await panel.getByText('RuntimeError', { exact: true }).waitFor();
      assert.equal(await panel.locator('.failure__message').textContent(), MESSAGE, 'the whole message');
      await panel.getByRole('note').getByText('The server ran out of memory.').waitFor();
      const traceback = panel.locator('pre.failure__traceback');
      assert.match((await traceback.textContent()) ?? '', /File ".*execution\.py", line \d+[\s\S]*raise RuntimeError/);
      const style = await traceback.evaluate((el) => ({ font: getComputedStyle(el).fontFamily, overflow: getComputedStyle(el).overflow }));
      assert.match(style.font, /mono/i, 'monospace');
      assert.equal(style.overflow, 'auto', 'it scrolls on its own');
      assert.equal(await page.getByRole('button', { name: 'Hide the error of portrait-upscale' }).getAttribute('aria-expanded'), 'true');
      assert.equal(await horizontalOverflow(page), 0, 'no sideways scrolling');
      await shot(page, zoom === 1 ? 'failure-details' : 'failure-details-zoom-dark');

      // The traceback is reachable by Tab and scrolls with the keyboard when it is longer than its box.
      await tabTo(page, 'Traceback of portrait-upscale');

      // Re-run from the keyboard: the same prompt queued again as a new job of this app, which fails again.
      await tabTo(page, 'Re-run portrait-upscale', { back: true });
      const again = nextEvent(engine.events, 'job-finished', (job) => job.id !== promptId && job.workflowName === 'portrait-upscale', 20_000);
      await page.keyboard.press('Enter');
      await page.getByRole('status').getByText('portrait-upscale: queued again').waitFor();
      const rerun = await again;
      assert.equal(rerun.status, 'failed');
      assert.equal(rerun.submittedBy, 'this-app');
      await tabTo(page, 'Hide the error of portrait-upscale');
      await page.keyboard.press('Enter');
      await panel.waitFor({ state: 'detached' });
    });
  }
});
