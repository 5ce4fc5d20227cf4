// The built window in Debian Chromium, end to end with a Comfy Cloud account (the simulator): the user adds it in
// Settings (the real settings store and handlers, Test connection against the simulator), saves, and, once the app
// has restarted on the new settings as it does after a server change, sees a Cloud job complete in the window.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { testConnection } from '../../../electron/core/backends/test-connection.js';
import { Engine } from '../../../electron/core/engine.js';
import { JsonFileStore, type SecretProtector } from '../../../electron/core/store/kv-store.js';
import { SettingsStore } from '../../../electron/core/store/settings-store.js';
import { settingsHandlers } from '../../../electron/shell/settings-handlers.js';
import { cloudAccount, SAVE, STEPS } from '../../core/backends/comfy-cloud/support.js';
import { tempDir } from '../../support/events.js';
import { chromiumMissing } from '../../support/renderer-harness/chromium.js';
import { attachEngine, useWindowSuite } from '../../support/renderer-harness/window-suite.js';
import { FAST_TIMINGS } from '../../support/timings.js';

const API_KEY = 'ck-e2e-window-key';
/** Stands in for the OS keychain: reversible, and visibly not plain text. */
const protector: SecretProtector = { available: true, protect: (plain) => `enc:${[...plain].reverse().join('')}`, reveal: (text) => [...text.slice(4)].reverse().join('') };

describe('hosted servers in Chromium', { skip: chromiumMissing() }, () => {
  const suite = useWindowSuite();

  test('add a Comfy Cloud server in Settings, test it, save; after the restart its job completes in the window', async (t) => {
    const { cloud } = await cloudAccount(t, { apiKey: API_KEY, stepDelayMs: 20 });
    const dataDir = await tempDir(t);
    const { store: kv } = await JsonFileStore.open(join(dataDir, 'settings.json'));
    const { store: settings } = await SettingsStore.open(kv, protector);
    await settings.update((current) => ({ ...current, servers: [] }));

    // The app before: no server yet, the window's Settings on the real handlers.
    const before = await Engine.create({ dataDir, servers: [], timings: FAST_TIMINGS });
    t.after(() => before.stop());
    const { handlers } = settingsHandlers({ settings, testConnection: (config) => testConnection(config, 3_000) });
    const page = await suite.openPage(t);
    await attachEngine(t, page, before, { handlers });
    await page.goto(suite.url);
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await page.getByRole('button', { name: 'Add Comfy Cloud' }).click();
    const editor = page.locator('.server-editor');
    await editor.getByLabel('Kind').waitFor();
    assert.equal(await editor.getByLabel('Kind').inputValue(), 'comfy-cloud');
    assert.equal(await editor.getByLabel('Method').count(), 0, 'Cloud takes an API key, nothing else');
    await editor.getByLabel('Address').fill(cloud.url);
    await editor.getByLabel(/^API key/).fill('ck-wrong-key');
    await editor.getByRole('button', { name: 'Test connection' }).click();
    await editor.locator('.test-result--error').getByText(/refused the API key.*\(COMFY_AUTH_FAILED\)/).waitFor();
    await editor.getByLabel(/^API key/).fill(API_KEY);
    await editor.getByRole('button', { name: 'Test connection' }).click();
    await editor.getByText('Connected to Comfy Cloud: the API key works').waitFor();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Settings saved.').waitFor();
    const saved = settings.current.servers[0];
    assert.equal(saved?.kind, 'comfy-cloud');
    assert.deepEqual(saved?.auth, { kind: 'api-key', key: API_KEY });

    // A server change restarts the app: a new engine on the saved settings, and the window opens again.
    await before.stop();
    const after = await Engine.create({ dataDir, servers: settings.current.servers.filter((s) => s.enabled), timings: FAST_TIMINGS, tracker: { recheckDelayMs: 50 } });
    t.after(() => after.stop());
    after.start();
    const again = await suite.openPage(t);
    await attachEngine(t, again, after, { handlers });
    await again.goto(suite.url);
    await again.getByRole('listitem', { name: /^Comfy Cloud: Connected/ }).waitFor();

    // Queued in Cloud's own web page: the window names it from its record (its output's filename prefix).
    const id = cloud.enqueue({ '1': STEPS(10), '2': { ...SAVE, inputs: { filename_prefix: 'Poster' } } });
    const history = again.getByRole('list', { name: 'History' });
    const row = history.getByRole('listitem').filter({ hasText: 'Poster' });
    await row.getByText('Completed').waitFor();
    await row.getByText(/Comfy Cloud/).waitFor();
    assert.equal(after.job(settings.current.servers[0]!.id, id)?.status, 'completed');
  });
});
