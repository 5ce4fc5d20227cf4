// Server card actions: open the web UI, and Clear pending behind an inline, keyboard-operable confirmation.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { act } from 'preact/test-utils';
import { App } from '../../../renderer/components/App.js';
import { flush, job, renderApp, server, type Rendered } from '../support/render.js';

let current: Rendered | undefined;
afterEach(() => {
  current?.unmount();
  current = undefined;
});
async function show(): Promise<Rendered> {
  current = await renderApp(
    {
      version: 1,
      servers: [server('a'), server('b')],
      jobs: [job('p1', { status: 'pending', queuePosition: 1 }), job('p2', { status: 'pending', queuePosition: 2 }), job('q', { serverId: 'b', status: 'pending', queuePosition: 1 })],
    },
    <App />,
  );
  return current;
}
const card = (root: HTMLElement, name: string): HTMLElement => root.querySelector<HTMLElement>(`[aria-label="Servers"] li[aria-label^="${name}:"]`)!;
const button = (root: ParentNode, text: string): HTMLButtonElement => {
  const found = [...root.querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent === text || b.getAttribute('aria-label') === text);
  assert.ok(found, `no button ${text}`);
  return found;
};
const key = (target: Element, name: string): Promise<void> => act(() => void target.dispatchEvent(new KeyboardEvent('keydown', { key: name, bubbles: true })));

test('Web UI opens the server in the browser, or says why not', async () => {
  const r = await show();
  button(r.root, 'Open the web UI of Server a').click();
  await flush();
  assert.deepEqual(r.calls.filter((c) => c.method === 'openServerWebUi').map((c) => c.args), [['a']]);
  assert.match(r.root.querySelector('.feedback')!.textContent!, /Opened the web UI of Server a/);
  r.actions.openServerWebUi = async () => ({ ok: false, code: 'NO_BROWSER', message: 'No browser is set up' });
  button(r.root, 'Open the web UI of Server b').click();
  await flush();
  assert.match(r.root.querySelector('.feedback__item--error')!.textContent!, /Opening the web UI of Server b failed: No browser is set up/);
});

test('Clear pending asks first: focus moves to Keep, Escape or Keep change nothing and return focus', async () => {
  const r = await show();
  const a = card(r.root, 'Server a');
  await act(() => button(a, 'Clear pending jobs on Server a').click());
  const group = a.querySelector('[role="group"]')!;
  assert.equal(r.root.querySelector(`#${group.getAttribute('aria-labelledby')}`)!.textContent, 'Remove all 2 pending jobs on Server a?');
  assert.equal(document.activeElement?.textContent, 'Keep', 'focus on the harmless choice');
  await key(document.activeElement!, 'Escape');
  assert.equal(a.querySelector('[role="group"]'), null);
  assert.equal(document.activeElement?.getAttribute('aria-label'), 'Clear pending jobs on Server a', 'focus back on the button');
  await act(() => button(a, 'Clear pending jobs on Server a').click());
  await act(() => button(a, 'Keep').click());
  assert.equal(a.querySelector('[role="group"]'), null);
  assert.equal(document.activeElement?.getAttribute('aria-label'), 'Clear pending jobs on Server a');
  assert.equal(r.calls.filter((c) => c.method === 'clearPending').length, 0);
  assert.match(card(r.root, 'Server b').textContent!, /Clear pending/, 'the other server is untouched');
});

test('confirming clears the pending jobs of that server only, and reports done or the error', async () => {
  const r = await show();
  const a = card(r.root, 'Server a');
  await act(() => button(a, 'Clear pending jobs on Server a').click());
  await act(() => button(a, 'Confirm').click());
  await flush();
  assert.deepEqual(r.calls.filter((c) => c.method === 'clearPending').map((c) => c.args), [['a']]);
  assert.match(r.root.querySelector('.feedback')!.textContent!, /Server a: pending jobs cleared/);
  assert.equal(document.activeElement?.getAttribute('aria-label'), 'Clear pending jobs on Server a');
  await r.push({ version: 2, patches: ['p1', 'p2'].map((jobId) => ({ type: 'job-removed' as const, serverId: 'a', jobId })) });
  assert.doesNotMatch(a.textContent!, /Clear pending/);
  assert.equal(document.activeElement?.getAttribute('aria-label'), 'Open the web UI of Server a', 'the focus stays in the card');

  r.actions.clearPending = async () => ({ ok: false, code: 'COMFY_HTTP', message: 'HTTP 500 from /queue' });
  const b = card(r.root, 'Server b');
  await act(() => button(b, 'Clear pending jobs on Server b').click());
  assert.match(b.textContent!, /Remove the pending job on Server b\?/);
  await act(() => button(b, 'Confirm').click());
  await flush();
  assert.match(r.root.querySelector('.feedback__item--error')!.textContent!, /Clearing the pending jobs of Server b failed: HTTP 500 from \/queue/);
});

test('no pending jobs, no Clear pending', async () => {
  current = await renderApp({ version: 1, servers: [server('a')], jobs: [job('done', { endedAt: 1 })] }, <App />);
  assert.doesNotMatch(card(current.root, 'Server a').textContent!, /Clear pending/);
  assert.match(card(current.root, 'Server a').textContent!, /Web UI/);
});
