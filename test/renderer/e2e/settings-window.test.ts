// The preferences window in the built page in Chromium, keyboard only, on the real settings channels (the core's
// SettingsStore and schema, redaction, the real connection test against the ComfyUI simulator) with the real engine
// giving the servers' states: add a server, test it (reached, then nothing answering), save it, switch sections with
// the arrow keys, and leave with unsaved changes (asked first). Light at 100% and dark at 200%, no sideways
// scrolling. With SCREENSHOTS=1 it refreshes docs/screenshots/settings-*.png.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { KeyValueStore, SecretProtector } from '../../../electron/core/store/kv-store.js';
import { SettingsStore } from '../../../electron/core/store/settings-store.js';
import { settingsHandlers, testConnection } from '../../../electron/shell/settings-handlers.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { engineFor, serverConnected } from '../../support/connect.js';
import { chromiumMissing } from '../../support/renderer-harness/chromium.js';
import { engineActions } from '../../support/renderer-harness/engine-actions.js';
import { focusedName, horizontalOverflow, tabTo } from '../../support/renderer-harness/keyboard.js';
import { attachEngine, useWindowSuite } from '../../support/renderer-harness/window-suite.js';

const SCREENSHOTS = process.env.SCREENSHOTS === '1';
const protector: SecretProtector = { available: true, protect: (plain) => `enc:${plain}`, reveal: (text) => text.slice(4) };

function memoryKv(): KeyValueStore {
  const data = new Map<string, unknown>();
  return { get: (key) => data.get(key), set: async (key, value) => void data.set(key, structuredClone(value)), delete: async (key) => void data.delete(key) };
}

async function shot(page: Page, name: string): Promise<void> {
  if (SCREENSHOTS) await page.screenshot({ path: `docs/screenshots/${name}.png`, fullPage: false });
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
      const engine = await engineFor(t, [sim.url]);
      await serverConnected(engine);
      const { store } = await SettingsStore.open(memoryKv(), protector);
      await store.update((s) => ({ ...s, servers: [{ id: 's0', name: 'server 0', url: sim.url, auth: { kind: 'none' }, enabled: true }] }));
      const settings = settingsHandlers({ settings: store, testConnection: (config) => testConnection(config, 3_000) }).handlers;
      const page = await suite.openPage(t, theme, zoom);
      await attachEngine(t, page, engine, { handlers: { ...engineActions(engine), ...settings } });
      await page.goto(suite.url);
      await page.getByRole('listitem', { name: /server 0: Connected/ }).waitFor();

      await tabTo(page, 'Settings');
      await page.keyboard.press('Enter');
      await page.getByRole('tab', { name: 'Servers', selected: true }).waitFor();
      await page.getByRole('button', { name: 'server 0: Connected' }).waitFor();

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
      await result.getByText('Supports: job list API, cancel endpoint, targeted interrupt.').waitFor();
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
      if (zoom === 1) await shot(page, 'settings-test-failed');

      // Save: the store has it, the list shows it.
      await tabTo(page, 'Address', { back: true });
      await page.keyboard.press('Control+A');
      await page.keyboard.type(sim.url);
      await tabTo(page, 'Save');
      await page.keyboard.press('Enter');
      await page.getByText('Settings saved.').waitFor();
      assert.deepEqual(
        store.current.servers.map((s) => [s.name, s.url]),
        [
          ['server 0', sim.url],
          ['Render box', sim.url],
        ],
      );

      // Sections by arrow keys; a change marks its section; Back asks first.
      await tabTo(page, 'Servers');
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
