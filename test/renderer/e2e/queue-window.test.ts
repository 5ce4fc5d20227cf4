// The built queue window in Debian Chromium, driven by the real core (Engine + AppStore) connected to the ComfyUI
// simulator: jobs queued by another client appear, progress, complete or fail, and Cancel in the window stops one.
// With SCREENSHOTS=1 it also refreshes docs/screenshots/*.png (CI leaves them alone).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { Engine } from '../../../electron/core/engine.js';
import type { SettingsPatch, SettingsView } from '../../../electron/shared/ipc-contract.js';
import { discoverLocalServer } from '../../../electron/core/comfy/discover-local.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { engineFor, serverConnected } from '../../support/connect.js';
import { chromiumMissing } from '../../support/renderer-harness/chromium.js';
import { attachTray, staticSource } from '../../support/renderer-harness/fake-tray.js';
import { engineActions } from '../../support/renderer-harness/engine-actions.js';
import { attachEngine, useWindowSuite } from '../../support/renderer-harness/window-suite.js';

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

/** The shell's real action handlers bound to the engine; only the OS side (browser, file manager) is recorded. */
function actionsFor(engine: Engine, opened: string[]) {
  return engineActions(engine, { opened, clipboardImages: [] });
}

function settingsWith(theme: SettingsView['general']['theme']): SettingsView {
  return {
    servers: [],
    outputs: { enabled: true, template: '{server}/{date}/{filename}', saveTemp: false, sidecar: false },
    notifications: { enabled: true, kinds: { success: true, failure: true, cancelled: false, lost: true, queueFinished: false }, batchWindowMs: 2500, sound: false, forwarding: [] },
    general: { startAtLogin: false, theme, journalJobsPerServer: 1000 },
  };
}

/** An image element has loaded real pixels. */
async function loaded(page: Page, alt: string): Promise<void> {
  await page.getByRole('img', { name: alt, exact: true }).waitFor();
  await page.waitForFunction((text) => [...document.querySelectorAll('img')].some((img) => img.alt === text && img.complete && img.naturalWidth > 0), alt);
}

describe('queue window in Chromium', { skip: chromiumMissing() }, () => {
  const suite = useWindowSuite();

  test('jobs from another client appear, progress, complete or fail; Cancel in the window stops one', async (t) => {
    const sim = await ComfySimulator.start({ stepDelayMs: 40, previews: true });
    t.after(() => sim.stop());
    const engine = await engineFor(t, [sim.url]);
    await serverConnected(engine);
    const page = await suite.openPage(t);
    const cancels: string[] = [];
    await attachEngine(t, page, engine, {
      cancel: (serverId, jobId) => {
        cancels.push(jobId);
        return engine.cancel(serverId, jobId);
      },
      handlers: actionsFor(engine, []),
    });
    await page.goto(suite.url);
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
    // Named from what the server gives (their SaveImage prefixes), never by a bare id.
    const scriptTitle = 'portrait';
    const tabTitle = 'never';
    assert.ok(scriptId && tabId);

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

  test('actions reach the real engine: live preview, thumbnail, re-run, clear pending after confirming, web UI', async (t) => {
    const sim = await ComfySimulator.start({ stepDelayMs: 30, previews: true });
    t.after(() => sim.stop());
    const engine = await engineFor(t, [sim.url]);
    await serverConnected(engine);
    const page = await suite.openPage(t);
    const opened: string[] = [];
    await attachEngine(t, page, engine, { handlers: actionsFor(engine, opened) });
    await page.goto(suite.url);
    await page.getByRole('listitem', { name: /server 0: Connected/ }).waitFor();

    // Live preview while it runs, then the output's thumbnail in the history.
    const first = await engine.submit('s0', { prompt: STEPS('sunset', 60), workflow: { extra: { name: 'Sunset' } } });
    await loaded(page, 'Live preview of Sunset');
    const history = page.getByRole('list', { name: 'History' });
    await history.getByRole('listitem').filter({ hasText: 'Sunset' }).getByText('Completed').waitFor();
    await loaded(page, 'Output of Sunset');

    // Re-run: the same prompt is queued again as a new job, which runs to completion too.
    await page.getByRole('button', { name: 'Re-run Sunset' }).click();
    await page.getByRole('status').getByText('Sunset: queued again').waitFor();
    await history.getByRole('listitem').filter({ hasText: 'Sunset' }).nth(1).getByText('Completed').waitFor();
    const runs = engine.jobs('s0').filter((job) => job.workflowName === 'Sunset');
    assert.equal(runs.length, 2);
    assert.ok(runs.some((job) => job.id !== first.promptId && job.submittedBy === 'this-app'));

    // Clear pending asks first; Keep changes nothing, Confirm removes both waiting jobs.
    sim.hold();
    await engine.submit('s0', { prompt: STEPS('a', 5), workflow: { extra: { name: 'Waiting A' } } });
    await engine.submit('s0', { prompt: STEPS('b', 5), workflow: { extra: { name: 'Waiting B' } } });
    const pending = page.getByRole('list', { name: 'Pending jobs' });
    await pending.getByText('Waiting B').waitFor();
    await page.getByRole('button', { name: 'Clear pending jobs on server 0' }).click();
    const question = page.getByRole('group', { name: 'Remove all 2 pending jobs on server 0?' });
    await question.getByRole('button', { name: 'Keep' }).click();
    await question.waitFor({ state: 'detached' });
    assert.equal(engine.jobs('s0').filter((job) => job.status === 'pending').length, 2);
    await page.getByRole('button', { name: 'Clear pending jobs on server 0' }).click();
    await question.getByRole('button', { name: 'Confirm' }).click();
    await history.getByRole('listitem').filter({ hasText: 'Waiting A' }).getByText('Cancelled').waitFor();
    await history.getByRole('listitem').filter({ hasText: 'Waiting B' }).getByText('Cancelled').waitFor();
    sim.release();
    await shot(page, 'history-actions');

    await page.getByRole('button', { name: 'Open the web UI of server 0' }).click();
    await page.getByRole('status').getByText(/web UI/i).waitFor();
    assert.deepEqual(opened, [sim.url]);
  });

  test('without a server the window finds the local ComfyUI and adds it in one click', async (t) => {
    // The simulator stands in for a ComfyUI on this computer; discovery is the core's own probe.
    const sim = await ComfySimulator.start();
    t.after(() => sim.stop());
    const page = await suite.openPage(t);
    const updates: SettingsPatch[] = [];
    const settings = settingsWith('system');
    await attachTray(
      page,
      staticSource(
        { version: 0, servers: [], jobs: [] },
        {
          'servers:discover-local': () => discoverLocalServer({ url: sim.url }),
          'settings:get': () => settings,
          'settings:update': (patch) => {
            updates.push(patch);
            return { ok: true, settings: { ...settings, servers: (patch.servers ?? []).map((s) => ({ ...s, auth: { kind: 'none' as const } })) }, warnings: [] };
          },
        },
      ),
    );
    await page.goto(suite.url);
    await page.getByRole('heading', { name: 'No ComfyUI server yet' }).waitFor();
    const base = sim.url.replace(/\/$/, '');
    await page.getByText(`Found ComfyUI 0.28.0 at ${base}`).waitFor();
    await shot(page, 'empty-no-server');
    await page.getByRole('button', { name: 'Add it' }).click();
    await page.getByText(`Comfy Tray now follows ${base}`).waitFor();
    assert.deepEqual(
      updates.map((patch) => patch.servers?.map((server) => [server.name, server.url, server.enabled, server.auth.kind])),
      [[['This computer', base, true, 'none']]],
    );
  });

  test('at 200% zoom nothing needs sideways scrolling and every action stays reachable', async (t) => {
    const now = Date.now();
    const server = { id: 's0', name: 'Studio GPU with a long name', url: 'http://studio.lan:8188/', state: 'connected' as const, version: '0.28.0', queueRemaining: 2 };
    const base = { serverId: 's0', submittedBy: 'other' as const, outputs: [] };
    const jobs = [
      { ...base, id: 'r1', status: 'running' as const, workflowName: 'Portrait upscale with a very long workflow name', startedAt: now - 42_000, estimatedDurationMs: 120_000, progress: { nodeId: '3', nodeTitle: 'KSampler', nodeType: 'KSampler', value: 12, max: 30, overall: 0.4 } },
      { ...base, id: 'p1', status: 'pending' as const, queuePosition: 1, workflowName: 'Landscape', createdAt: now - 5_000 },
      {
        ...base,
        id: 'f1',
        status: 'failed' as const,
        workflowName: 'Broken',
        endedAt: now - 60_000,
        error: { nodeId: '4', nodeTitle: 'Load Checkpoint', nodeType: 'CheckpointLoaderSimple', exceptionType: 'FileNotFoundError', message: 'model.safetensors does not exist in /srv/comfyui/models/checkpoints', traceback: [] },
      },
    ];
    const page = await suite.openPage(t, 'light', 2);
    await attachTray(page, staticSource({ version: 1, servers: [server], jobs }));
    await page.goto(suite.url);
    await page.getByRole('article', { name: /Running: Portrait upscale/ }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, 'no sideways scrolling');
    for (const name of ['Cancel Portrait upscale with a very long workflow name', 'Copy error of Broken', 'Re-run Broken', 'Settings']) {
      const button = page.getByRole('button', { name, exact: true });
      await button.scrollIntoViewIfNeeded();
      const box = await button.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 360 + 0.5, `${name} is inside the window: ${JSON.stringify(box)}`);
    }
    await shot(page, 'zoom-200');
  });

  test('the theme chosen in Settings wins over the system’s', async (t) => {
    const page = await suite.openPage(t, 'light');
    await attachTray(page, staticSource({ version: 0, servers: [], jobs: [] }, { 'settings:get': () => settingsWith('dark') }));
    await page.goto(suite.url);
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(background, 'rgb(21, 24, 28)', 'the dark palette, on a system in light mode');
  });
});
