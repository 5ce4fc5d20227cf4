// Dropping a workflow on the built window in Debian Chromium, with the real core behind it: the Engine connected to
// the ComfyUI simulator, the AppStore feeding the window, and the WorkflowInbox answering the workflow channels.
// A real DataTransfer drop opens the submit dialog, the preflight is clean, Submit queues the prompt, and the job
// runs and completes in the queue window. A second file (picked with Open workflow…) uses a node type the simulator
// lacks: the preflight names the node by its title and Submit stays disabled; Escape discards it.
// With SCREENSHOTS=1 it also refreshes docs/screenshots/drop-submit.png.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WorkflowInbox } from '../../../electron/core/submit/inbox.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { engineFor, serverConnected } from '../../support/connect.js';
import { chromiumMissing } from '../../support/renderer-harness/chromium.js';
import { attachEngine, useWindowSuite } from '../../support/renderer-harness/window-suite.js';

const SCREENSHOTS = process.env.SCREENSHOTS === '1';

/** An API-format prompt of simulator nodes: SimSteps reports one progress step per `steps`. */
const STEPS = (prefix: string, steps: number) => ({
  '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 0x336699 } },
  '2': { class_type: 'SimSteps', inputs: { steps, image: ['1', 0] }, _meta: { title: 'Sampler' } },
  '3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: prefix }, _meta: { title: 'Dropped portrait' } },
});
/** The same with a node the simulator does not have (a custom node not installed on the server) and a model it lacks. */
const MISSING_NODE = {
  ...STEPS('never', 5),
  '4': { class_type: 'FancyUpscaler', inputs: { image: ['1', 0], scale: 4 }, _meta: { title: 'Upscale 4x' } },
  '5': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sd_xl_base_1.0.safetensors' }, _meta: { title: 'Load SDXL' } },
};

describe('drop a workflow on the window in Chromium', { skip: chromiumMissing() }, () => {
  const suite = useWindowSuite();

  test('a dropped workflow is checked, queued, runs and completes; a missing node blocks the submit', async (t) => {
    const sim = await ComfySimulator.start({ stepDelayMs: 40 });
    t.after(() => sim.stop());
    const engine = await engineFor(t, [sim.url]);
    await serverConnected(engine);
    const inbox = new WorkflowInbox(engine);
    const discarded: string[] = [];

    const page = await suite.openPage(t);
    await attachEngine(t, page, engine, {
      handlers: {
        'workflows:open': (files) => inbox.open(files),
        'workflows:prepare': (token, serverId, options) => inbox.prepare(token, serverId, options),
        'workflows:submit': (token, serverId, options) => inbox.submit(token, serverId, options),
        'workflows:discard': (token) => {
          discarded.push(token);
          inbox.discard(token);
        },
      },
    });
    await page.goto(suite.url);
    await page.getByRole('heading', { name: 'Nothing queued yet' }).waitFor();
    await page.getByRole('listitem', { name: /server 0: Connected/ }).waitFor();

    // A real drag from the desktop: a DataTransfer holding a File, dragged over the window, then dropped.
    const dataTransfer = await page.evaluateHandle((text) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], 'portrait.json', { type: 'application/json' }));
      return transfer;
    }, JSON.stringify(STEPS('dropped', 30)));
    const overlay = page.locator('.drop-overlay');
    await page.dispatchEvent('body', 'dragenter', { dataTransfer });
    await page.dispatchEvent('main', 'dragenter', { dataTransfer });
    await page.dispatchEvent('body', 'dragleave', { dataTransfer });
    await page.dispatchEvent('main', 'dragover', { dataTransfer });
    await overlay.getByText('Drop workflow files to queue them').waitFor();
    await page.dispatchEvent('main', 'drop', { dataTransfer });
    await overlay.waitFor({ state: 'detached' });

    // The dialog: what the file is, the only connected server preselected, and a clean preflight.
    const dialog = page.getByRole('dialog', { name: 'Queue portrait.json' });
    await dialog.waitFor();
    await dialog.getByText('API prompt', { exact: true }).waitFor();
    assert.equal(await dialog.getByLabel('Server', { exact: true }).inputValue(), 's0');
    await dialog.getByText(/3 nodes, the API prompt as saved, 1 prompt to queue\. No problems found\./).waitFor();
    const submit = dialog.getByRole('button', { name: 'Submit' });
    assert.equal(await submit.isEnabled(), true);
    assert.equal(await page.evaluate(() => document.activeElement?.closest('[role="dialog"]') !== null), true, 'focus is in the dialog');
    if (SCREENSHOTS) await page.screenshot({ path: 'docs/screenshots/drop-submit.png', fullPage: false });

    // Submit: the dialog closes, the feedback says where, and the job runs (its step counter moves) and completes.
    await submit.click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('status').getByText('Queued portrait.json on server 0').waitFor();
    const [job] = engine.jobs();
    assert.equal(job?.submittedBy, 'this-app');
    // An API prompt carries no workflow name: the job is named after the file it came from.
    assert.equal(job.workflowName, 'portrait');
    const running = page.getByRole('article', { name: 'Running: portrait' });
    await running.getByText(/^([3-9]|\d{2,})\/30$/).waitFor();
    const history = page.getByRole('list', { name: 'History' });
    await history.getByRole('listitem').filter({ hasText: 'portrait' }).getByText('Completed').waitFor();
    assert.equal(engine.job('s0', job.id)?.status, 'completed');
    assert.equal(inbox.size, 0, 'a submitted file is let go');

    // Picked with Open workflow…: a node the server lacks is named by its title, and Submit says why it is disabled.
    await page.locator('input[type="file"]').setInputFiles({ name: 'upscale.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(MISSING_NODE)) });
    const blocked = page.getByRole('dialog', { name: 'Queue upscale.json' });
    await blocked.getByRole('listitem').filter({ hasText: 'Upscale 4x (FancyUpscaler)' }).waitFor();
    await blocked.getByText(/would make the server refuse it/).waitFor();
    // The model the server lacks is named by its node too.
    await blocked.getByRole('listitem').filter({ hasText: 'Load SDXL (CheckpointLoaderSimple)' }).filter({ hasText: 'sd_xl_base_1.0.safetensors' }).waitFor();
    assert.equal(await blocked.getByRole('button', { name: 'Submit' }).isDisabled(), true);
    if (SCREENSHOTS) await page.screenshot({ path: 'docs/screenshots/drop-problems.png', fullPage: false });
    await page.keyboard.press('Escape');
    await blocked.waitFor({ state: 'detached' });
    assert.equal(discarded.length, 1);
    assert.equal(inbox.size, 0, 'Escape discarded the file');
    assert.equal(engine.jobs().length, 1, 'nothing else was queued');
  });
});
