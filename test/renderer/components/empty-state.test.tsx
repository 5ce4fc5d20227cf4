// The empty states: without a server the window looks for ComfyUI on this computer once, offers to add it (through
// the settings) or to look again, and "Add server" opens the settings on a new server; "nothing yet" mentions drops.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { signal } from '@preact/signals';
import { act } from 'preact/test-utils';
import type { DiscoveryResult, SettingsPatch } from '../../../electron/shared/ipc-contract.js';
import { App } from '../../../renderer/components/App.js';
import { DEFAULT_SETTINGS, byText, flush, job, renderApp, server, type Rendered } from '../support/render.js';

let current: Rendered | undefined;
afterEach(() => {
  current?.unmount();
  current = undefined;
});
const empty = { version: 1, servers: [], jobs: [] };
const found: DiscoveryResult = { found: true, url: 'http://127.0.0.1:8188', version: '0.3.60' };
const discoveries = (r: Rendered): number => r.calls.filter((c) => c.method === 'discoverLocalServer').length;

/** Mounts the App only once `answer` is in place: the fake's answers can only be replaced after renderApp. */
async function showEmpty(answer: () => Promise<DiscoveryResult>): Promise<Rendered> {
  const open = signal(false);
  const Gate = () => (open.value ? <App /> : null);
  current = await renderApp(empty, <Gate />);
  current.actions.discoverLocalServer = answer;
  await act(() => void (open.value = true));
  await flush();
  return current;
}

test('looks once for a local ComfyUI; when found, Add it adds "This computer" through the settings', async () => {
  const r = await renderApp(empty, <App />);
  current = r;
  // The default fake finds nothing; a second look finds it.
  assert.equal(discoveries(r), 1);
  assert.match(r.root.querySelector('.discovery')!.textContent!, /Nothing answers at http:\/\/127\.0\.0\.1:8188/);
  await r.push({ version: 2, patches: [{ type: 'job-updated', job: job('x', { status: 'lost', endedAt: 1 }) }] });
  assert.equal(discoveries(r), 1, 'not again on every render');

  r.actions.discoverLocalServer = async () => found;
  await act(() => byText(r.root, 'button', 'Look again').click());
  await flush();
  assert.equal(discoveries(r), 2);
  assert.match(r.root.querySelector('.discovery')!.textContent!, /Found ComfyUI 0\.3\.60 at http:\/\/127\.0\.0\.1:8188/);

  const sent: SettingsPatch[] = [];
  r.settingsApi.getSettings = async () => ({ ...DEFAULT_SETTINGS, servers: [] });
  r.settingsApi.updateSettings = async (patch) => {
    sent.push(patch);
    return { ok: true, settings: DEFAULT_SETTINGS, warnings: [] };
  };
  await act(() => byText(r.root, 'button', 'Add it').click());
  await flush();
  assert.deepEqual(sent, [{ servers: [{ kind: 'comfyui', id: 'local', name: 'This computer', url: 'http://127.0.0.1:8188', auth: { kind: 'none' }, enabled: true }] }]);
  assert.match(r.root.querySelector('.feedback')!.textContent!, /Added This computer: Comfy Tray now follows http:\/\/127\.0\.0\.1:8188/);
});

test('a refused Add it shows the main process message', async () => {
  const r = await showEmpty(async () => found);
  await flush();
  r.settingsApi.getSettings = async () => ({ ...DEFAULT_SETTINGS, servers: [] });
  r.settingsApi.updateSettings = async () => ({ ok: false, code: 'CONFIG_INVALID', message: 'servers.0.url: Invalid URL' });
  await act(() => byText(r.root, 'button', 'Add it').click());
  await flush();
  assert.match(r.root.querySelector('.feedback__item--error')!.textContent!, /Adding This computer \(http:\/\/127\.0\.0\.1:8188\) failed: servers\.0\.url: Invalid URL/);
  assert.equal((byText(r.root, 'button', 'Add it') as HTMLButtonElement).disabled, false, 'can be tried again');
});

test('a discovery that fails says so and offers to look again', async () => {
  const r = await showEmpty(() => Promise.reject(new Error('IPC closed')));
  await flush();
  assert.match(r.root.querySelector('.discovery')!.textContent!, /Could not look for ComfyUI on this computer: IPC closed/);
  assert.ok(byText(r.root, 'button', 'Look again'));
});

test('Add server opens the settings on a new server, prefilled with what discovery found, its name focused', async () => {
  const r = await showEmpty(async () => found);
  await flush();
  await act(() => byText(r.root, 'button', 'Add server').click());
  await flush();
  assert.ok(byText(r.root, 'h2', 'Servers'));
  // The list has the new server, selected, and its editor is the one shown.
  assert.equal(r.root.querySelectorAll('.server-picker__item').length, DEFAULT_SETTINGS.servers.length + 1);
  assert.match(r.root.querySelector('.server-picker__item[aria-current="true"]')!.textContent!, /This computer/);
  const editor = r.root.querySelector('.server-editor')!;
  const name = editor.querySelector<HTMLInputElement>('input[id$="-name"]')!;
  assert.equal(name.value, 'This computer');
  assert.equal(editor.querySelector<HTMLInputElement>('input[id$="-url"]')!.value, 'http://127.0.0.1:8188');
  assert.equal(document.activeElement, name);
  assert.equal(byText(r.root, 'button', 'Save').hasAttribute('disabled'), false, 'ready to save');
});

test('Add server without a discovered server opens a blank new server form', async () => {
  current = await renderApp(empty, <App />);
  await act(() => byText(current!.root, 'button', 'Add server').click());
  await flush();
  assert.equal(current.root.querySelector('.server-editor')!.querySelector<HTMLInputElement>('input[id$="-name"]')!.value, 'New server');
});

test('nothing queued yet: says a workflow file can be dropped onto the window', async () => {
  current = await renderApp({ version: 1, servers: [server('a')], jobs: [] }, <App />);
  assert.match(current.root.querySelector('.empty')!.textContent!, /Nothing queued yet.*drop a workflow file onto this window/);
  assert.equal(discoveries(current), 0, 'no discovery once a server exists');
});
