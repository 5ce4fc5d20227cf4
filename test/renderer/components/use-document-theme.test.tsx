// The theme setting on <html data-theme>: read at start, applied again when the settings are saved.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { signal } from '@preact/signals';
import { act } from 'preact/test-utils';
import type { SettingsView } from '../../../electron/shared/ipc-contract.js';
import { App } from '../../../renderer/components/App.js';
import { DEFAULT_SETTINGS, byText, flush, renderApp, server, type Rendered } from '../support/render.js';

let current: Rendered | undefined;
afterEach(() => {
  current?.unmount();
  current = undefined;
  delete document.documentElement.dataset.theme;
});
const themed = (theme: SettingsView['general']['theme']): SettingsView => ({ ...DEFAULT_SETTINGS, general: { ...DEFAULT_SETTINGS.general, theme } });
const theme = (): string | undefined => document.documentElement.dataset.theme;

test('the saved theme is applied at start, and a saved change applies at once', async () => {
  const open = signal(false);
  const Gate = () => (open.value ? <App /> : null);
  current = await renderApp({ version: 1, servers: [server('a')], jobs: [] }, <Gate />);
  current.settingsApi.getSettings = async () => themed('dark');
  await act(() => void (open.value = true));
  await flush();
  assert.equal(theme(), 'dark');

  await act(() => byText(current!.root, 'button', 'Settings').click());
  await flush();
  // The theme is in the General section of the preferences window.
  await act(() => byText(current!.root, '[role="tab"]', 'General').click());
  const select = current.root.querySelector<HTMLSelectElement>('#general-theme')!;
  assert.equal(select.value, 'dark');
  await act(() => {
    select.value = 'light';
    select.dispatchEvent(new Event('change', { bubbles: true }));
  });
  assert.equal(theme(), 'dark', 'a draft is not applied');
  current.settingsApi.updateSettings = async (patch) => ({ ok: true, settings: themed(patch.general?.theme ?? 'system'), warnings: [] });
  await act(() => current!.root.querySelector<HTMLButtonElement>('button[type="submit"]')!.click());
  await flush();
  assert.equal(theme(), 'light');
});

test('settings that cannot be read leave the theme to the system, without an error in the queue', async () => {
  const open = signal(false);
  const Gate = () => (open.value ? <App /> : null);
  current = await renderApp({ version: 1, servers: [server('a')], jobs: [] }, <Gate />);
  current.settingsApi.getSettings = () => Promise.reject(new Error('settings.json unreadable'));
  await act(() => void (open.value = true));
  await flush();
  assert.equal(theme(), 'system');
  assert.equal(current.root.querySelector('.feedback__item--error'), null);
});
