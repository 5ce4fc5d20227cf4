// Dropping workflow files on the window in happy-dom: the highlight, the submit dialog with its preflight, the
// target server rules, repeat validation, submit outcomes, files that failed to open, the file picker, and the
// dialog's keyboard behaviour (focus in and back, Escape discards).
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { act } from 'preact/test-utils';
import type { ServerView } from '../../../electron/shared/app-state.js';
import type { DroppedFile, PrepareResult } from '../../../electron/shared/ipc-contract.js';
import { App } from '../../../renderer/components/App.js';
import { byText, flush, renderApp, server, type Rendered, typeInto } from '../support/render.js';
import { clean, opened } from '../support/drop-answers.js';

let current: Rendered | undefined;
afterEach(() => {
  current?.unmount();
  current = undefined;
});
async function show(servers: ServerView[] = [server('a')]): Promise<Rendered> {
  current = await renderApp({ version: 1, servers, jobs: [] }, <App />);
  return current;
}

const FLOW = JSON.stringify({ '1': { class_type: 'EmptyImage', inputs: {} } });
const fakeFile = (name: string, text: string) => ({ name, size: text.length, type: '', arrayBuffer: async () => new TextEncoder().encode(text).buffer });

/** A drag event as Chromium sends it for files from the desktop (happy-dom has no DataTransfer). */
async function drag(type: 'dragenter' | 'dragover' | 'dragleave' | 'drop', target: EventTarget, files: readonly ReturnType<typeof fakeFile>[] = [], types = ['Files']): Promise<Event> {
  const event = new Event(type, { bubbles: true, cancelable: true });
  Object.defineProperty(event, 'dataTransfer', { value: { types, files, dropEffect: 'none' } });
  await act(() => void target.dispatchEvent(event));
  return event;
}
async function key(name: string, shiftKey = false): Promise<void> {
  await act(() => void (document.activeElement ?? document.body).dispatchEvent(new KeyboardEvent('keydown', { key: name, shiftKey, bubbles: true, cancelable: true })));
}
const dialog = (r: Rendered): HTMLElement | null => r.root.querySelector('[role="dialog"]');
const submitButton = (r: Rendered): HTMLButtonElement => byText(dialog(r)!, 'button', 'Submit') as HTMLButtonElement;
const methods = (r: Rendered): string[] => r.calls.map((c) => c.method);

test('dragging files highlights the window (steady over children); other drags are left alone', async () => {
  const r = await show();
  const header = r.root.querySelector('header')!;
  assert.equal((await drag('dragenter', r.root)).defaultPrevented, true);
  await drag('dragenter', header);
  await drag('dragleave', r.root);
  assert.ok(r.root.querySelector('.drop-overlay'), 'still over the window after leaving the parent for a child');
  assert.equal((await drag('dragover', header)).defaultPrevented, true, 'dragover is accepted, or no drop would come');
  await drag('dragleave', header);
  assert.equal(r.root.querySelector('.drop-overlay'), null);
  const text = await drag('dragenter', header, [], ['text/plain']);
  assert.equal(text.defaultPrevented, false);
  assert.equal(r.root.querySelector('.drop-overlay'), null);
});

test('drop → open (all files, one call) → preflight → Submit: queued feedback and the dialog closes', async () => {
  const r = await show();
  r.actions.openWorkflows = async (files) => [opened('t1', { name: files[0]!.name, workflowName: 'Portrait', attachments: ['cat.png'] })];
  r.actions.prepareWorkflow = async () => clean({ uploadable: ['cat.png'], problems: [{ nodeId: '5', nodeTitle: 'Load cat', nodeType: 'LoadImage', inputName: 'image', message: 'cat.png is not on the server' }] });
  r.actions.submitWorkflow = async () => ({ ok: true, promptIds: ['p1', 'p2'] });
  const focusedBefore = byText(r.root, 'button', 'Settings');
  focusedBefore.focus();
  await drag('dragenter', r.root);
  const drop = await drag('drop', r.root, [fakeFile('flow.json', FLOW), fakeFile('cat.png', 'PNG')]);
  assert.equal(drop.defaultPrevented, true, 'the window never navigates to a dropped file');
  await flush();
  assert.equal(r.root.querySelector('.drop-overlay'), null);
  const sent = r.calls.find((c) => c.method === 'openWorkflows')!.args[0] as DroppedFile[];
  assert.deepEqual(
    sent.map((f) => [f.name, new TextDecoder().decode(f.bytes)]),
    [
      ['flow.json', FLOW],
      ['cat.png', 'PNG'],
    ],
  );
  const d = dialog(r)!;
  assert.equal(d.getAttribute('aria-modal'), 'true');
  assert.equal(document.getElementById(d.getAttribute('aria-labelledby')!)!.textContent, 'Queue flow.json');
  assert.ok(d.contains(document.activeElement), 'focus moved into the dialog');
  assert.match(d.textContent!, /Workflow.*Portrait.*Format.*JSON.*Kind.*API prompt.*Nodes.*3.*With.*cat\.png/);
  assert.match(d.textContent!, /Check for Server a/);
  assert.match(byText(d, 'li', 'Load cat').textContent!, /Load cat \(LoadImage\) · image: cat\.png is not on the server/);
  const upload = byText(d, 'label', 'Upload 1 missing input file').querySelector('input')!;
  assert.equal(upload.checked, true, 'upload is on by default when files are offered');
  await act(() => byText(d, 'label', 'Repeat').click());
  await typeInto(d.querySelector<HTMLInputElement>('#submit-repeat')!, '2');
  await flush();
  assert.equal(submitButton(r).disabled, false);
  await act(() => submitButton(r).click());
  await flush();
  assert.deepEqual(r.calls.find((c) => c.method === 'submitWorkflow')!.args, ['t1', 'a', { randomizeSeeds: false, repeat: 2, front: false, uploadInputs: true }]);
  assert.equal(dialog(r), null);
  assert.match(r.root.querySelector('[role="status"]')!.textContent!, /Queued flow\.json on Server a ×2/);
  assert.equal(document.activeElement, focusedBefore, 'focus returns where it was');
  assert.ok(!methods(r).includes('discardWorkflow'));
});

test('blocking problems disable Submit and say why', async () => {
  const r = await show();
  r.actions.prepareWorkflow = async () =>
    clean({ problems: [{ nodeId: '7', nodeTitle: 'Upscale', nodeType: 'FancyUpscaler', message: 'FancyUpscaler is not installed on this server' }], blocking: 1 });
  await r.openWorkflows([opened('t1')]);
  await flush();
  const d = dialog(r)!;
  assert.match(d.textContent!, /1 problem, 1 blocking/);
  assert.match(d.textContent!, /Upscale \(FancyUpscaler\): FancyUpscaler is not installed on this server/);
  const button = submitButton(r);
  assert.equal(button.disabled, true);
  assert.equal(document.getElementById(button.getAttribute('aria-describedby')!)!.textContent, '1 problem would make the server refuse it: fix it in ComfyUI first.');
});

test('a stale preflight answer is ignored: only the latest is shown', async () => {
  const r = await show();
  const answers: ((result: PrepareResult) => void)[] = [];
  r.actions.prepareWorkflow = () => new Promise((resolve) => answers.push(resolve));
  await r.openWorkflows([opened('t1')]);
  await flush();
  assert.match(dialog(r)!.textContent!, /Checking…/);
  assert.equal(submitButton(r).disabled, true, 'disabled while preparing');
  await act(() => byText(dialog(r)!, 'label', 'Queue at front').querySelector('input')!.click());
  assert.equal(answers.length, 2);
  answers[1]!(clean({ nodeCount: 3 }));
  await flush();
  answers[0]!(clean({ problems: [{ message: 'stale' }], blocking: 1 }));
  await flush();
  assert.doesNotMatch(dialog(r)!.textContent!, /stale/);
  assert.match(dialog(r)!.textContent!, /No problems found/);
  assert.equal(submitButton(r).disabled, false);
});

test('several connected servers: the user must choose, and the choice is remembered for the next file', async () => {
  const r = await show([server('a'), server('b'), server('c', { state: 'offline' })]);
  r.actions.prepareWorkflow = async () => clean();
  r.actions.submitWorkflow = async () => ({ ok: true, promptIds: ['p'] });
  await r.openWorkflows([opened('t1'), opened('t2')]);
  await flush();
  const select = dialog(r)!.querySelector<HTMLSelectElement>('#submit-server')!;
  assert.equal(select.value, '');
  assert.deepEqual(
    [...select.options].map((o) => [o.textContent, o.disabled]),
    [
      ['Choose a server…', true],
      ['Server a', false],
      ['Server b', false],
      ['Server c (offline)', true],
    ],
  );
  assert.equal(submitButton(r).disabled, true);
  assert.match(dialog(r)!.textContent!, /Choose the server to queue it on\./);
  assert.ok(!methods(r).includes('prepareWorkflow'));
  assert.match(dialog(r)!.textContent!, /1 more file waits after this one/);
  await act(() => {
    select.value = 'b';
    select.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await flush();
  await act(() => submitButton(r).click());
  await flush();
  assert.match(dialog(r)!.textContent!, /Queue t2\.json/);
  assert.equal(dialog(r)!.querySelector<HTMLSelectElement>('#submit-server')!.value, 'b');
  assert.deepEqual(
    r.calls.filter((c) => c.method === 'prepareWorkflow').map((c) => c.args.slice(0, 2)),
    [
      ['t1', 'b'],
      ['t2', 'b'],
    ],
  );
});

test('repeat is validated as typed, beside the field', async () => {
  const r = await show();
  r.actions.prepareWorkflow = async () => clean();
  await r.openWorkflows([opened('t1')]);
  await flush();
  const input = dialog(r)!.querySelector<HTMLInputElement>('#submit-repeat')!;
  for (const bad of ['0', '1001', '2x']) {
    await typeInto(input, bad);
    assert.equal(input.getAttribute('aria-invalid'), 'true', bad);
    assert.equal(document.getElementById(input.getAttribute('aria-describedby')!)!.textContent, 'Repeat: enter a whole number from 1 to 1000');
    assert.equal(submitButton(r).disabled, true);
  }
  await typeInto(input, '1000');
  await flush();
  assert.equal(input.getAttribute('aria-invalid'), 'false');
  assert.equal(submitButton(r).textContent, 'Submit ×1000');
  assert.equal(submitButton(r).disabled, false);
});

test('a partial submit failure says exactly how many were queued, with the per-node problems', async () => {
  const r = await show();
  r.actions.prepareWorkflow = async () => clean({ prompts: 5 });
  r.actions.submitWorkflow = async () => ({
    ok: false,
    code: 'COMFY_PROMPT_INVALID',
    message: 'Prompt outputs failed validation (2 of 5 queued, 3 not)',
    problems: [{ nodeId: '9', nodeTitle: 'Save it', nodeType: 'SaveImage', inputName: 'images', message: 'Required input is missing' }],
    promptIds: ['p1', 'p2'],
  });
  await r.openWorkflows([opened('t1')]);
  await flush();
  await typeInto(dialog(r)!.querySelector<HTMLInputElement>('#submit-repeat')!, '5');
  await flush();
  await act(() => submitButton(r).click());
  await flush();
  const alert = dialog(r)!.querySelector('.submit-failure')!;
  assert.equal(alert.getAttribute('role'), 'alert');
  assert.match(alert.textContent!, /Not queued \(COMFY_PROMPT_INVALID\): Prompt outputs failed validation/);
  assert.match(alert.textContent!, /2 of 5 runs were queued before the failure/);
  assert.match(alert.textContent!, /Save it \(SaveImage\) · images: Required input is missing/);
  assert.equal(submitButton(r).disabled, true, 'a second click must not queue the first repeats twice');
  await act(() => byText(dialog(r)!, 'button', 'Close').click());
  assert.equal(dialog(r), null);
});

test('files that failed to open show their message and can be dismissed', async () => {
  const r = await show();
  await r.openWorkflows([{ ok: false, name: 'photo.jpg', code: 'WORKFLOW_NOT_FOUND', message: 'photo.jpg carries no ComfyUI workflow' }]);
  const alert = r.root.querySelector('[role="alert"][aria-label="Files not opened"]')!;
  assert.match(alert.textContent!, /Not opened: photo\.jpg — photo\.jpg carries no ComfyUI workflow/);
  assert.equal(dialog(r), null);
  await act(() => (alert.querySelector('button[aria-label="Dismiss: photo.jpg"]') as HTMLButtonElement).click());
  assert.equal(r.root.querySelector('[aria-label="Files not opened"]'), null);
});

test('Open workflow… picks files through the same path; a file above the cap is refused unread', async () => {
  const r = await show();
  r.actions.openWorkflows = async () => [opened('t1')];
  const input = r.root.querySelector<HTMLInputElement>('input[type="file"]')!;
  assert.equal(input.multiple, true);
  assert.match(input.accept, /\.json,\.png,\.webp.*\.latent,\.safetensors/);
  let clicked = false;
  input.addEventListener('click', () => (clicked = true));
  await act(() => byText(r.root, 'button', 'Open workflow…').click());
  assert.ok(clicked, 'the button opens the picker');
  const huge = { name: 'film.mkv', size: 257 * 1024 * 1024, arrayBuffer: async () => assert.fail('not read') };
  Object.defineProperty(input, 'files', { configurable: true, value: [fakeFile('flow.json', FLOW), huge] });
  await act(() => void input.dispatchEvent(new Event('change', { bubbles: true })));
  await flush();
  const sent = r.calls.find((c) => c.method === 'openWorkflows')!.args[0] as DroppedFile[];
  assert.deepEqual(
    sent.map((f) => f.name),
    ['flow.json'],
  );
  assert.ok(dialog(r));
  assert.match(dialog(r)!.textContent!, /Not opened: film\.mkv — film\.mkv is 257 MiB: files above 256 MiB are not read/);
});

test('no server connected: the dialog says so and keeps the file until one connects', async () => {
  const r = await show([server('a', { state: 'offline' })]);
  r.actions.prepareWorkflow = async () => clean();
  await r.openWorkflows([opened('t1')]);
  await flush();
  assert.match(dialog(r)!.textContent!, /No server is connected\. Comfy Tray keeps this file here until one connects\./);
  assert.equal(submitButton(r).disabled, true);
  await r.push({ version: 2, patches: [{ type: 'server-updated', server: server('a') }] });
  await flush();
  assert.equal(submitButton(r).disabled, false);
  assert.equal(dialog(r)!.querySelector<HTMLSelectElement>('#submit-server')!.value, 'a');
});

test('the dialog keeps Tab inside; Escape closes it, discards the file and returns focus', async () => {
  const r = await show();
  r.actions.prepareWorkflow = async () => clean();
  const open = byText(r.root, 'button', 'Open workflow…');
  open.focus();
  await r.openWorkflows([opened('t1')]);
  await flush();
  const d = dialog(r)!;
  const select = d.querySelector('#submit-server');
  assert.equal(document.activeElement, select, 'the first control has focus');
  await key('Tab', true);
  assert.equal(document.activeElement, submitButton(r), 'Shift+Tab from the first control wraps to the last');
  await key('Tab');
  assert.equal(document.activeElement, select, 'Tab from the last wraps to the first');
  await key('Escape');
  await flush();
  assert.equal(dialog(r), null);
  assert.deepEqual(r.calls.find((c) => c.method === 'discardWorkflow')!.args, ['t1']);
  assert.equal(document.activeElement, open);
});

test('on Comfy Cloud there is no "Queue at front" (Cloud ignores it), and front is never sent there', async () => {
  const r = await show([server('cloud', { name: 'My account', kind: 'comfy-cloud' })]);
  r.actions.prepareWorkflow = async () => clean();
  r.actions.submitWorkflow = async () => ({ ok: true, promptIds: ['p'] });
  await r.openWorkflows([opened('t1')]);
  await flush();
  assert.equal([...dialog(r)!.querySelectorAll('label')].some((label) => label.textContent!.includes('Queue at front')), false);
  await act(() => submitButton(r).click());
  await flush();
  assert.deepEqual(r.calls.find((c) => c.method === 'submitWorkflow')!.args, ['t1', 'cloud', { randomizeSeeds: false, repeat: 1, front: false, uploadInputs: false }]);
});
