// The preferences window in the built page in Chromium, keyboard only, on the real settings and forwarding channels
// (the core's SettingsStore and schema, redaction, the real connection test against the ComfyUI simulator, the real
// forwarder) with the real engine giving the servers' states (a ComfyUI and a Comfy Cloud account, its kind shown in
// the list): add a server, test it (reached, then nothing answering), save it, switch sections with the arrow keys,
// add an ntfy target in Notifications and send it a test (a local receiver gets it), and leave with unsaved changes
// (asked first). Light at 100% and dark at 200%, no sideways scrolling. With SCREENSHOTS=1 it refreshes
// docs/screenshots/settings-*.png.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { KeyValueStore, SecretProtector } from '../../../electron/core/store/kv-store.js';
import { Engine } from '../../../electron/core/engine.js';
import { Forwarder } from '../../../electron/core/notify/forwarder.js';
import { SettingsStore } from '../../../electron/core/store/settings-store.js';
import { forwardingHandlers } from '../../../electron/shell/forwarding-handlers.js';
import { settingsHandlers, testConnection } from '../../../electron/shell/settings-handlers.js';
import { API_KEY, cloudAccount } from '../../core/backends/comfy-cloud/support.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { serverConnected } from '../../support/connect.js';
import { tempDir } from '../../support/events.js';
import { HttpReceiver } from '../../support/http-receiver.js';
import { chromiumMissing } from '../../support/renderer-harness/chromium.js';
import { engineActions } from '../../support/renderer-harness/engine-actions.js';
import { focusedName, horizontalOverflow, tabTo } from '../../support/renderer-harness/keyboard.js';
import { attachEngine, useWindowSuite } from '../../support/renderer-harness/window-suite.js';
import { FAST_TIMINGS } from '../../support/timings.js';

const SCREENSHOTS = process.env.SCREENSHOTS === '1';
const protector: SecretProtector = { available: true, protect: (plain) => `enc:${plain}`, reveal: (text) => text.slice(4) };

function memoryKv(): KeyValueStore {
  const data = new Map<string, unknown>();
  return { get: (key) => data.get(key), set: async (key, value) => void data.set(key, structuredClone(value)), delete: async (key) => void data.delete(key) };
}

/** The window as it is, with `subject` (a test's result) scrolled into view. */
async function shot(page: Page, name: string, subject?: string): Promise<void> {
  if (!SCREENSHOTS) return;
  // Centred: the sticky footer would hide it at the bottom edge.
  if (subject) await page.locator(subject).evaluate((element) => element.scrollIntoView({ block: 'center' }));
  await page.screenshot({ path: `docs/screenshots/${name}.png`, fullPage: false });
}

describe('the preferences window in Chromium', { skip: chromiumMissing() }, () => {
  const suite = useWindowSuite();

  for (const [theme, zoom] of [
    ['light', 1],
    ['dark', 2],
  ] as ['light' | 'dark', number][]) {
    test(`${theme}, ${zoom * 100}%: add a server, test it, save it, move between sections, leave with unsaved changes`, async (t) => {
      const sim = await ComfySimulator.start();
      t.after(() => sim.stop());
      const { cloud } = await cloudAccount(t);
      const servers = [
        { id: 's0', name: 'server 0', url: sim.url, auth: { kind: 'none' as const }, enabled: true },
        { kind: 'comfy-cloud' as const, id: 'cloud', name: 'Studio account', url: cloud.url, auth: { kind: 'api-key' as const, key: API_KEY }, enabled: true },
      ];
      const engine = await Engine.create({ dataDir: await tempDir(t), servers, timings: FAST_TIMINGS });
      t.after(() => engine.stop());
      engine.start();
      await serverConnected(engine);
      await serverConnected(engine, 'cloud');
      const { store } = await SettingsStore.open(memoryKv(), protector);
      await store.update((s) => ({ ...s, servers }));
      const settings = settingsHandlers({ settings: store, testConnection: (config) => testConnection(config, 3_000) }).handlers;
      const forwarder = new Forwarder({ settings: () => store.current, serverName: (id) => id, notice: () => undefined });
      const forwarding = forwardingHandlers({ settings: store, forwarder }).handlers;
      const receiver = await HttpReceiver.start(t);
      const page = await suite.openPage(t, theme, zoom);
      await attachEngine(t, page, engine, { handlers: { ...engineActions(engine), ...settings, ...forwarding } });
      await page.goto(suite.url);
      await page.getByRole('listitem', { name: /server 0: Connected/ }).waitFor();

      await tabTo(page, 'Settings');
      await page.keyboard.press('Enter');
      await page.getByRole('tab', { name: 'Servers', selected: true }).waitFor();
      await page.getByRole('button', { name: 'server 0: Connected' }).waitFor();
      // A hosted account says its kind in the list.
      await page.getByRole('button', { name: 'Studio account (Comfy Cloud): Connected' }).waitFor();

      // Add a server: its name takes the focus.
      await tabTo(page, 'Add server');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => (document.activeElement as HTMLInputElement | null)?.value === 'New server');
      await page.keyboard.type('Render box');
      await tabTo(page, 'Address');
      await page.keyboard.press('Control+A');
      await page.keyboard.type(sim.url);
      await tabTo(page, 'Test connection');
      await page.keyboard.press('Enter');
      const result = page.locator('.test-result');
      await result.getByText(`Connected to ComfyUI 0.28.0 at ${sim.url}`).waitFor();
      // Preview metadata is learned from the socket's feature flags, which may come after the test's short wait.
      await result.getByText(/^Supports: job list API, cancel endpoint, targeted interrupt(, preview metadata)?\.$/).waitFor();
      assert.equal(await horizontalOverflow(page), 0, 'no sideways scrolling');
      await shot(page, zoom === 1 ? 'settings-servers' : 'settings-servers-zoom-dark');

      // Nothing answering at a port of this machine that is not listening: what failed, why, what to check.
      await tabTo(page, 'Address', { back: true });
      await page.keyboard.press('Control+A');
      await page.keyboard.type('http://127.0.0.1:9/');
      await tabTo(page, 'Test connection');
      await page.keyboard.press('Enter');
      await page.locator('.test-result--error').getByText('Nothing answered at http://127.0.0.1:9/').waitFor();
      await page.locator('.test-result--error').getByText(/COMFY_UNREACHABLE/).waitFor();
      await page.locator('.test-result--error').getByText(/--listen/).waitFor();
      if (zoom === 1) await shot(page, 'settings-test-failed', '.test-result');

      // Save: the store has it, the list shows it.
      await tabTo(page, 'Address', { back: true });
      await page.keyboard.press('Control+A');
      await page.keyboard.type(sim.url);
      await tabTo(page, 'Save');
      await page.keyboard.press('Enter');
      await page.getByText('Settings saved.').waitFor();
      assert.deepEqual(
        store.current.servers.map((s) => [s.kind, s.name, s.url]),
        [
          ['comfyui', 'server 0', sim.url],
          ['comfy-cloud', 'Studio account', cloud.url],
          ['comfyui', 'Render box', sim.url],
        ],
      );

      // Notifications, by the arrow keys: forwarding to an ntfy server (a local receiver here), tested as typed.
      await tabTo(page, 'Servers');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      assert.equal(await focusedName(page), 'Notifications');
      await page.getByRole('tab', { name: 'Notifications', selected: true }).waitFor();
      await tabTo(page, 'Add ntfy');
      await page.keyboard.press('Enter');
      await tabTo(page, 'ntfy server', { back: true });
      await page.keyboard.press('Control+A');
      await page.keyboard.type(receiver.url);
      await tabTo(page, 'Topic');
      await page.keyboard.type('render-box');
      await tabTo(page, 'Send test');
      await page.keyboard.press('Enter');
      await page.getByText('Sent: check that it arrived.').waitFor();
      await receiver.received(1);
      assert.deepEqual(
        receiver.requests.map((r) => [r.method, r.path]),
        [['POST', '/']],
      );
      assert.equal(receiver.json(0).topic, 'render-box');
      assert.equal(await horizontalOverflow(page), 0, 'no sideways scrolling');
      if (zoom === 1) await shot(page, 'settings-notifications', '.forward-target .test-result');

      // Sections by arrow keys; a change marks its section; Back asks first.
      await tabTo(page, 'Notifications', { back: true });
      await page.keyboard.press('End');
      assert.equal(await focusedName(page), 'General');
      await page.getByRole('tab', { name: 'General', selected: true }).waitFor();
      await tabTo(page, 'Theme');
      await page.keyboard.press('ArrowDown');
      await page.getByRole('tab', { name: 'General' }).and(page.locator('[aria-description="changed"]')).waitFor();
      await page.getByText('Unsaved changes').waitFor();
      await tabTo(page, '‹ Back to queue', { back: true });
      await page.keyboard.press('Enter');
      const question = page.getByRole('alertdialog');
      await question.getByText('You have unsaved changes.').waitFor();
      // The question takes the focus as it appears (an effect after its first paint).
      await page.waitForFunction(() => document.activeElement?.textContent === 'Keep editing');
      if (zoom === 1) await shot(page, 'settings-unsaved');
      await tabTo(page, 'Discard changes', { back: true });
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Comfy Tray' }).waitFor();
      assert.equal(store.current.general.theme, 'system', 'the discarded change was never saved');
    });
  }
});
