// The preferences window's structure in happy-dom: sections in a side list (arrow keys, changed and problem marks),
// the server list with its connection states beside the selected server's editor, Discard, and leaving with unsaved
// changes (save and go back, discard, or keep editing).
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { act } from 'preact/test-utils';
import type { SettingsPatch } from '../../../electron/shared/ipc-contract.js';
import { App } from '../../../renderer/components/App.js';
import { DEFAULT_SETTINGS, byText, flush, renderApp, server, type Rendered, typeInto } from '../support/render.js';

let current: Rendered | undefined;
afterEach(() => {
  current?.unmount();
  current = undefined;
});

const SERVERS = [
  { id: 'a', name: 'Studio', url: 'http://studio.lan:8188', auth: { kind: 'none' as const }, enabled: true },
  { id: 'b', name: 'Cloud box', url: 'https://gpu.example.com/comfy', auth: { kind: 'bearer' as const, hasSecret: true }, enabled: true },
  { id: 'c', name: 'Old laptop', url: 'http://laptop.lan:8188', auth: { kind: 'none' as const }, enabled: false },
];

async function open(): Promise<Rendered> {
  current = await renderApp({ version: 1, servers: [server('a'), server('b', { state: 'auth-failed' })], jobs: [] }, <App />);
  current.settingsApi.getSettings = async () => ({ ...DEFAULT_SETTINGS, servers: SERVERS });
  await current.showView('settings');
  await flush();
  return current;
}

const tabs = (root: HTMLElement): HTMLElement[] => [...root.querySelectorAll<HTMLElement>('[role="tab"]')];

test('the side list: four sections, one selected; arrow keys move and focus; the panel follows', async () => {
  const { root } = await open();
  assert.deepEqual(tabs(root).map((tab) => [tab.textContent, tab.getAttribute('aria-selected'), tab.getAttribute('tabindex')]), [
    ['Servers', 'true', '0'],
    ['Outputs', 'false', '-1'],
    ['Notifications', 'false', '-1'],
    ['General', 'false', '-1'],
  ]);
  const list = root.querySelector('[role="tablist"]')!;
  assert.equal(list.getAttribute('aria-orientation'), 'vertical');
  await act(() => void list.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true })));
  assert.equal(document.activeElement?.textContent, 'Outputs');
  assert.equal(root.querySelector('[role="tabpanel"]')!.getAttribute('aria-labelledby'), 'settings-tab-outputs');
  assert.ok(root.querySelector('#outputs-template'));
  await act(() => void list.dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true })));
  assert.equal(document.activeElement?.textContent, 'General');
  await act(() => void list.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true })));
  assert.equal(document.activeElement?.textContent, 'Servers', 'wraps around');
});

test('the server list: each with its state in words and a dot, the selected one edited; a problem is marked', async () => {
  const { root } = await open();
  const items = [...root.querySelectorAll<HTMLButtonElement>('.server-picker__item')];
  assert.deepEqual(
    items.map((item) => item.getAttribute('aria-label')),
    ['Studio: Connected', 'Cloud box: Authentication failed', 'Old laptop: Not followed'],
  );
  assert.deepEqual(
    items.map((item) => item.querySelector('.status-dot')!.className),
    ['status-dot status-dot--connected', 'status-dot status-dot--auth-failed', 'status-dot status-dot--off'],
  );
  assert.equal(items[0]!.getAttribute('aria-current'), 'true');
  await act(() => items[1]!.click());
  const editor = root.querySelector('.server-editor')!;
  assert.equal(editor.querySelector<HTMLInputElement>('input[id$="-name"]')!.value, 'Cloud box');
  assert.equal(editor.querySelector<HTMLSelectElement>('select[id$="-auth"]')!.value, 'bearer');
  assert.deepEqual([...editor.querySelectorAll('.form-group__title')].map((h) => h.textContent), ['Connection', 'Authentication', 'Saving outputs', 'Notifications']);
  await typeInto(editor.querySelector<HTMLInputElement>('input[id$="-url"]')!, 'nope');
  assert.equal(root.querySelector('.server-picker__item[aria-current="true"]')!.getAttribute('aria-label'), 'Cloud box: Authentication failed, has problems');
  assert.match(tabs(root)[0]!.getAttribute('aria-description') ?? '', /has problems/);
  assert.match(root.querySelector('.settings__footer')!.textContent!, /Some fields have problems/);
  assert.equal(root.querySelector<HTMLButtonElement>('button[type="submit"]')!.disabled, true);
});

test('changes mark their section; Discard changes puts everything back', async () => {
  const { root } = await open();
  assert.match(root.querySelector('.settings__footer')!.textContent!, /All changes saved/);
  await act(() => byText(root, '[role="tab"]', 'General').click());
  const theme = root.querySelector<HTMLSelectElement>('#general-theme')!;
  await act(() => {
    theme.value = 'dark';
    theme.dispatchEvent(new Event('change', { bubbles: true }));
  });
  assert.equal(tabs(root)[3]!.getAttribute('aria-description'), 'changed');
  assert.equal(tabs(root)[0]!.getAttribute('aria-description'), null);
  assert.match(root.querySelector('.settings__footer')!.textContent!, /Unsaved changes/);
  // Changing it back is no change.
  await act(() => {
    theme.value = 'system';
    theme.dispatchEvent(new Event('change', { bubbles: true }));
  });
  assert.equal(tabs(root)[3]!.getAttribute('aria-description'), null);
  await act(() => {
    theme.value = 'light';
    theme.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await act(() => byText(root, '.settings__footer button', 'Discard changes').click());
  assert.equal(root.querySelector<HTMLSelectElement>('#general-theme')!.value, 'system');
  assert.match(root.querySelector('.settings__footer')!.textContent!, /All changes saved/);
});

test('Back with unsaved changes asks: Keep editing stays, Discard leaves without saving, Save and go back saves first', async () => {
  const r = await open();
  const sent: SettingsPatch[] = [];
  r.settingsApi.updateSettings = async (patch) => (sent.push(patch), { ok: true, settings: { ...DEFAULT_SETTINGS, servers: SERVERS.map((s, i) => (i === 0 ? { ...s, name: 'Studio 2' } : s)) }, warnings: [] });
  const name = (): HTMLInputElement => r.root.querySelector<HTMLInputElement>('.server-editor input[id$="-name"]')!;
  await typeInto(name(), 'Studio 2');
  await act(() => byText(r.root, 'button', 'Back to queue').click());
  const question = r.root.querySelector('[role="alertdialog"]')!;
  assert.match(question.textContent!, /You have unsaved changes\./);
  assert.equal(document.activeElement?.textContent, 'Keep editing', 'the harmless choice has the focus');
  await act(() => byText(question, 'button', 'Keep editing').click());
  assert.equal(r.root.querySelector('[role="alertdialog"]'), null);
  assert.equal(name().value, 'Studio 2', 'still there');

  await act(() => byText(r.root, 'button', 'Back to queue').click());
  await act(() => byText(r.root.querySelector('[role="alertdialog"]')!, 'button', 'Save and go back').click());
  await flush();
  assert.equal(sent.length, 1);
  assert.equal(sent[0]?.servers?.[0]?.name, 'Studio 2');
  assert.ok(byText(r.root, 'h1', 'Comfy Tray'), 'back on the queue');

  await r.showView('settings');
  await flush();
  await typeInto(name(), 'Studio 3');
  await act(() => byText(r.root, 'button', 'Back to queue').click());
  await act(() => byText(r.root.querySelector('[role="alertdialog"]')!, 'button', 'Discard changes').click());
  assert.ok(byText(r.root, 'h1', 'Comfy Tray'));
  assert.equal(sent.length, 1, 'nothing more was saved');
});

test('Back without changes leaves at once', async () => {
  const r = await open();
  await act(() => byText(r.root, 'button', 'Back to queue').click());
  assert.equal(r.root.querySelector('[role="alertdialog"]'), null);
  assert.ok(byText(r.root, 'h1', 'Comfy Tray'));
});
