// The Settings view in happy-dom: opening it, editing, validation beside the field, connection tests, secrets.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { act } from 'preact/test-utils';
import type { SettingsPatch } from '../../../electron/shared/ipc-contract.js';
import { App } from '../../../renderer/components/App.js';
import { DEFAULT_SETTINGS, byText, flush, openSettingsWith, renderApp, server, type Rendered, typeInto } from '../support/render.js';

let current: Rendered | undefined;
afterEach(() => {
  current?.unmount();
  current = undefined;
});

async function openSettings(): Promise<Rendered> {
  current = await openSettingsWith({
    ...DEFAULT_SETTINGS,
    servers: [{ id: 'a', name: 'Studio', url: 'https://comfy.example/proxy/', auth: { kind: 'bearer', hasSecret: true }, enabled: true }],
  });
  return current;
}

const saveButton = (root: HTMLElement): HTMLButtonElement => root.querySelector<HTMLButtonElement>('button[type="submit"]')!;

async function section(root: HTMLElement, name: string): Promise<void> {
  await act(() => byText(root, '[role="tab"]', name).click());
}

test('the tray can open the settings view, and Back returns to the queue', async () => {
  current = await renderApp({ version: 1, servers: [server('a')], jobs: [] }, <App />);
  await current.showView('settings');
  await flush();
  assert.ok(byText(current.root, 'h2', 'Servers'));
  await act(() => byText(current!.root, 'button', 'Back to queue').click());
  assert.ok(byText(current.root, 'h1', 'Comfy Tray'));
});

test('a stored secret is never shown, only that one exists; editing and saving sends the marker', async () => {
  const { root, settingsApi } = await openSettings();
  const secret = root.querySelector<HTMLInputElement>('input[type="password"]')!;
  assert.equal(secret.value, '');
  assert.match(root.textContent!, /Saved\. Leave empty to keep it\./);
  assert.equal(saveButton(root).disabled, true, 'nothing to save yet');
  let sent: SettingsPatch | undefined;
  settingsApi.updateSettings = async (patch) => {
    sent = patch;
    return { ok: true, settings: DEFAULT_SETTINGS, warnings: [] };
  };
  await typeInto(root.querySelector<HTMLInputElement>('input[id$="-name"]')!, 'Studio 2');
  assert.equal(saveButton(root).disabled, false);
  await act(() => saveButton(root).click());
  await flush();
  assert.equal(sent?.servers?.[0]?.name, 'Studio 2');
  assert.deepEqual(sent?.servers?.[0]?.auth, { kind: 'bearer', hasSecret: true });
  assert.match(root.textContent!, /Settings saved/);
});

test('problems show beside the field as the user types and disable Save', async () => {
  const { root } = await openSettings();
  const url = root.querySelector<HTMLInputElement>('input[id$="-url"]')!;
  await typeInto(url, 'ftp://nope');
  assert.match(root.querySelector(`#${url.id}-error`)!.textContent!, /http:\/\/ or https:\/\//);
  assert.equal(url.getAttribute('aria-invalid'), 'true');
  assert.equal(saveButton(root).disabled, true);
  await typeInto(url, 'http://ok.local:8188');
  assert.equal(root.querySelector(`#${url.id}-error`), null);
  await section(root, 'Outputs');
  const template = root.querySelector<HTMLInputElement>('#outputs-template')!;
  await typeInto(template, '{server}/{nope}');
  assert.match(root.querySelector('#outputs-template-error')!.textContent!, /Unknown token \{nope\}/);
  await typeInto(template, '{server}/{job}_{index}');
  assert.match(root.querySelector('.template-preview')!.textContent!, /^<Pictures>\/Comfy Tray\/Studio\/3f2a9c1e_0\.png$/);
  await section(root, 'General');
  await typeInto(root.querySelector<HTMLInputElement>('#general-journal')!, '10');
  assert.match(root.querySelector('#general-journal-error')!.textContent!, /from 50 to 100000/);
  assert.equal(saveButton(root).disabled, true);
});

test('a server switched to an API key needs the key before it can be saved', async () => {
  const { root } = await openSettings();
  const auth = root.querySelector<HTMLSelectElement>('select[id$="-auth"]')!;
  await act(() => {
    auth.value = 'api-key';
    auth.dispatchEvent(new Event('change', { bubbles: true }));
  });
  assert.match(root.textContent!, /Enter the API key/);
  await typeInto(root.querySelector<HTMLInputElement>('input[type="password"]')!, 'k-123');
  assert.doesNotMatch(root.textContent!, /Enter the API key/);
  assert.doesNotMatch(root.textContent!, /k-123/);
});

test('Test connection shows the version and capabilities, or the exact error', async () => {
  const { root, settingsApi } = await openSettings();
  settingsApi.testConnection = async () => ({ ok: true, version: '0.28.0', capabilities: { jobsApi: true, cancelEndpoint: true, targetedInterrupt: false, supportsPreviewMetadata: false } });
  await act(() => byText(root, 'button', 'Test connection').click());
  await flush();
  assert.match(root.querySelector('.test-result')!.textContent!, /Connected to ComfyUI 0\.28\.0 at https:\/\/comfy\.example\/proxy\/.*Supports: job list API, cancel endpoint\./);
  settingsApi.testConnection = async () => ({ ok: false, code: 'COMFY_AUTH_FAILED', message: 'HTTP 401 from https://comfy.example/proxy/api/system_stats' });
  await act(() => byText(root, 'button', 'Test connection').click());
  await flush();
  const failed = root.querySelector('.test-result--error')!.textContent!;
  assert.match(failed, /https:\/\/comfy\.example\/proxy\/ refused the credentials/);
  assert.match(failed, /HTTP 401 from https:\/\/comfy\.example\/proxy\/api\/system_stats \(COMFY_AUTH_FAILED\)/);
  assert.match(failed, /Check the authentication method/);
});

test('a refused save shows the main process message; adding and removing servers edits the list', async () => {
  const { root, settingsApi } = await openSettings();
  settingsApi.updateSettings = async () => ({ ok: false, code: 'CONFIG_INVALID', message: 'servers.0.url: Invalid URL' });
  await act(() => byText(root, 'button', 'Add server').click());
  assert.equal(root.querySelectorAll('.server-picker__item').length, 2);
  await act(() => saveButton(root).click());
  await flush();
  assert.match(root.textContent!, /Not saved: servers\.0\.url: Invalid URL/);
  // Remove asks first; the server before it is edited next.
  await act(() => byText(root, 'button', 'Remove server').click());
  await act(() => byText(root.querySelector('.confirm')!, 'button', 'Remove').click());
  assert.equal(root.querySelectorAll('.server-picker__item').length, 1);
  assert.equal(root.querySelector<HTMLInputElement>('.server-editor input[id$="-name"]')!.value, 'Studio');
});

test('Open log folder asks the main process and reports done or why not', async () => {
  const r = await openSettings();
  await section(r.root, 'General');
  await act(() => byText(r.root, 'button', 'Open log folder').click());
  await flush();
  assert.deepEqual(r.calls.filter((c) => c.method === 'openLogFolder').map((c) => c.args), [[]]);
  assert.match(r.root.querySelector('.feedback')!.textContent!, /Opened the log folder/);
  r.actions.openLogFolder = async () => ({ ok: false, code: 'SHELL_FAILED', message: 'No file manager' });
  await act(() => byText(r.root, 'button', 'Open log folder').click());
  await flush();
  assert.match(r.root.querySelector('.feedback__item--error')!.textContent!, /Opening the log folder failed: No file manager/);
});

test('a server added in the settings takes the focus, ready to be named', async () => {
  const { root } = await openSettings();
  await act(() => byText(root, 'button', 'Add server').click());
  const names = root.querySelectorAll<HTMLInputElement>('input[id$="-name"]');
  assert.equal(document.activeElement, names[names.length - 1]);
});

function pausedBox(root: HTMLElement): HTMLInputElement {
  const label = [...root.querySelectorAll('label.check')].find((l) => l.textContent?.trim() === 'Paused');
  assert.ok(label, 'the Paused box');
  return label.querySelector('input')!;
}

test('regression: after a one-hour pause has ended, the Paused box is no longer ticked', async () => {
  current = await renderApp({ version: 1, servers: [server('a')], jobs: [] }, <App />);
  const withPause = (pausedUntil: number) => async () => ({ ...DEFAULT_SETTINGS, notifications: { ...DEFAULT_SETTINGS.notifications, pausedUntil } });
  current.settingsApi.getSettings = withPause(Date.now() - 60_000);
  await current.showView('settings');
  await flush();
  await section(current.root, 'Notifications');
  assert.equal(pausedBox(current.root).checked, false, 'ended a minute ago');
  await act(() => byText(current!.root, 'button', 'Back to queue').click());
  current.settingsApi.getSettings = withPause(-1);
  await current.showView('settings');
  await flush();
  await section(current.root, 'Notifications');
  assert.equal(pausedBox(current.root).checked, true, 'until resumed');
});

test('a user name and password typed into the URL: the form says where they go, and after saving shows them as Basic auth', async () => {
  const { root, settingsApi } = await openSettings();
  const auth = root.querySelector<HTMLSelectElement>('select[id$="-auth"]')!;
  await act(() => {
    auth.value = 'none';
    auth.dispatchEvent(new Event('change', { bubbles: true }));
  });
  const url = root.querySelector<HTMLInputElement>('input[id$="-url"]')!;
  await typeInto(url, 'https://alice:hunter2@comfy.example/proxy/');
  assert.match(root.textContent!, /will be moved to Authentication \(Basic\) when you save/);
  assert.doesNotMatch(root.textContent!, /hunter2/);
  let sent: SettingsPatch | undefined;
  // As the main process answers: the URL without them, basic auth with a stored secret, and a warning.
  settingsApi.updateSettings = async (patch) => {
    sent = patch;
    return {
      ok: true,
      settings: { ...DEFAULT_SETTINGS, servers: [{ id: 'a', name: 'Studio', url: 'https://comfy.example/proxy/', auth: { kind: 'basic', username: 'alice', hasSecret: true }, enabled: true }] },
      warnings: ['The user name and password in the URL of Studio were moved to its authentication (Basic), so the URL is saved without them.'],
    };
  };
  await act(() => saveButton(root).click());
  await flush();
  assert.equal(sent?.servers?.[0]?.url, 'https://alice:hunter2@comfy.example/proxy/');
  assert.equal(root.querySelector<HTMLInputElement>('input[id$="-url"]')!.value, 'https://comfy.example/proxy/');
  assert.equal(root.querySelector<HTMLSelectElement>('select[id$="-auth"]')!.value, 'basic');
  assert.equal(root.querySelector<HTMLInputElement>('input[id$="-username"]')!.value, 'alice');
  assert.match(root.textContent!, /Saved\. Leave empty to keep it\./);
  assert.match(root.querySelector('.settings__message--warning')!.textContent!, /moved to its authentication/);
  assert.doesNotMatch(root.textContent!, /will be moved to Authentication/, 'the note goes with the credentials');
});

test('without secure storage, the Servers section says passwords last only until the app quits', async () => {
  current = await openSettingsWith({ ...DEFAULT_SETTINGS, secretStorage: { persisted: false, reason: 'No system keyring was found' } });
  const note = current.root.querySelector('.settings__message--warning');
  assert.match(note?.textContent ?? '', /No system keyring was found: passwords and tokens are kept only until the app quits/);
});

test('with secure storage, no such warning', async () => {
  const { root } = await openSettings();
  assert.equal(root.querySelector('.settings__message--warning'), null);
});

// Regression (with the main process's SECRET_URL_CHANGED): the form sent the "keep the stored secret" marker with
// whatever URL was typed, so a stored token could be sent to a server the user never gave it to.
test('a changed URL asks for the secret again, and the marker is never sent with another URL', async () => {
  const { root, settingsApi } = await openSettings();
  const url = root.querySelector<HTMLInputElement>('input[id$="-url"]')!;
  await typeInto(url, 'https://elsewhere.example/');
  const secret = root.querySelector<HTMLInputElement>('input[type="password"]')!;
  assert.match(root.querySelector(`#${secret.id}-error`)!.textContent!, /The URL changed: enter the token again/);
  assert.doesNotMatch(root.textContent!, /Saved\. Leave empty to keep it\./);
  assert.equal(saveButton(root).disabled, true);
  let tested: unknown;
  settingsApi.testConnection = async (input) => {
    tested = input.auth;
    return { ok: false, code: 'COMFY_AUTH_FAILED', message: 'HTTP 401' };
  };
  await act(() => byText(root, 'button', 'Test connection').click());
  await flush();
  assert.deepEqual(tested, { kind: 'bearer', token: '' }, 'a test of the new URL does not ask for the stored token either');

  let sent: SettingsPatch | undefined;
  settingsApi.updateSettings = async (patch) => {
    sent = patch;
    return { ok: true, settings: DEFAULT_SETTINGS, warnings: [] };
  };
  await typeInto(secret, 't-for-elsewhere');
  await act(() => saveButton(root).click());
  await flush();
  assert.deepEqual(sent?.servers?.[0]?.auth, { kind: 'bearer', token: 't-for-elsewhere' });
});

test('the same URL spelled otherwise keeps the stored secret', async () => {
  const { root } = await openSettings();
  await typeInto(root.querySelector<HTMLInputElement>('input[id$="-url"]')!, 'https://COMFY.example/proxy');
  assert.match(root.textContent!, /Saved\. Leave empty to keep it\./);
  assert.doesNotMatch(root.textContent!, /The URL changed/);
});

// Regression: the folder fields took any typed path, which settings:update stored (the autostart folder included).
test('output folders are chosen in the main process’s picker, never typed; a refused one is explained', async () => {
  const { root, settingsApi } = await openSettings();
  const choose = (): HTMLButtonElement => [...root.querySelectorAll('button')].find((b) => b.textContent === 'Choose…')!;
  const asked: unknown[] = [];
  settingsApi.chooseOutputFolder = async (target) => {
    asked.push(target);
    return target.serverId === undefined ? { ok: true, folder: '/home/ann/Pictures/renders' } : { ok: false, code: 'OUTPUT_FOLDER_REFUSED', message: 'Outputs cannot be saved there: /home/ann is your home folder itself' };
  };
  await section(root, 'Outputs');
  assert.equal(root.querySelector<HTMLInputElement>('#outputs-folder')!.readOnly, true);
  await act(() => choose().click());
  await flush();
  assert.equal(root.querySelector<HTMLInputElement>('#outputs-folder')!.value, '/home/ann/Pictures/renders');
  await section(root, 'Servers');
  assert.equal(root.querySelector<HTMLInputElement>('.server-editor input[id$="-folder"]')!.readOnly, true);
  await act(() => choose().click());
  await flush();
  assert.deepEqual(asked, [{}, { serverId: 'a' }]);
  assert.match(root.textContent!, /home folder itself/);

  let sent: SettingsPatch | undefined;
  settingsApi.updateSettings = async (patch) => {
    sent = patch;
    return { ok: true, settings: { ...DEFAULT_SETTINGS, outputs: { ...DEFAULT_SETTINGS.outputs, folder: patch.outputs?.folder ?? '' } }, warnings: [] };
  };
  await act(() => saveButton(root).click());
  await flush();
  assert.equal(sent?.outputs?.folder, '/home/ann/Pictures/renders');
  assert.equal(sent?.servers?.[0]?.outputFolder, undefined);
  await section(root, 'Outputs');
  await act(() => byText(root, 'button', 'Use the default').click());
  assert.equal(root.querySelector<HTMLInputElement>('#outputs-folder')!.value, '');
});
