// Density in the window (happy-dom): a batch is one row (counts, one bar) in the pending list and the history, opens
// to its jobs, can be ticked and moved as a whole; compact rows make history rows shorter and are remembered.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { act } from 'preact/test-utils';
import { App } from '../../../renderer/components/App.js';
import { followDensity } from '../../../renderer/models/density.js';
import { NOW, byText, flush, job, renderApp, server, type Rendered } from '../support/render.js';

let current: Rendered | undefined;
afterEach(() => {
  current?.unmount();
  current = undefined;
});

const batch = [
  job('b1', { workflowName: 'Portrait', createdAt: NOW - 60_000, status: 'completed', endedAt: NOW - 40_000 }),
  job('b2', { workflowName: 'Portrait', createdAt: NOW - 59_000, status: 'failed', endedAt: NOW - 30_000 }),
  job('b3', { workflowName: 'Portrait', createdAt: NOW - 58_000, status: 'completed', endedAt: NOW - 20_000 }),
  job('b4', { workflowName: 'Portrait', createdAt: NOW - 57_000, status: 'running', progress: { overall: 0.5 } }),
  job('b5', { workflowName: 'Portrait', createdAt: NOW - 56_000, status: 'pending', queuePosition: 1 }),
  job('b6', { workflowName: 'Portrait', createdAt: NOW - 55_000, status: 'pending', queuePosition: 2 }),
  job('b7', { workflowName: 'Portrait', createdAt: NOW - 54_000, status: 'pending', queuePosition: 3 }),
  job('solo', { workflowName: 'Landscape', createdAt: NOW - 50_000, status: 'pending', queuePosition: 4 }),
];

test('a batch is one row with its counts and one bar; it opens to its jobs, and moves as a whole', async () => {
  current = await renderApp({ version: 1, servers: [server('a')], jobs: batch }, <App />);
  const pending = current.root.querySelector('[aria-label="Pending jobs"]')!;
  const rows = [...pending.querySelectorAll(':scope > li')];
  assert.equal(rows.length, 2, 'the batch row and the solo job');
  assert.match(rows[0]!.textContent!, /Batch.*Portrait.*3 of 7 jobs.*2 done · 1 failed · 1 running · 3 waiting/);
  const bar = rows[0]!.querySelector('[role="progressbar"]')!;
  assert.equal(bar.getAttribute('aria-valuenow'), String(Math.round(((3 + 0.5) / 7) * 100)), 'done, failed and half of the running one');
  const toggle = rows[0]!.querySelector<HTMLButtonElement>('[aria-label="Show the 3 jobs of Portrait"]')!;
  assert.equal(toggle.getAttribute('aria-expanded'), 'false');
  await act(() => toggle.click());
  assert.deepEqual(
    [...pending.querySelectorAll(':scope > li')].map((li) => li.classList.contains('row--member')),
    [false, true, true, true, false],
  );
  // Ticking the batch ticks its members; the bar moves them together.
  await act(() => void pending.querySelector<HTMLInputElement>('[aria-label="Select the 3 jobs of Portrait"]')!.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true })));
  assert.equal(current.root.querySelector('[role="toolbar"]')!.getAttribute('aria-label'), '3 jobs selected');
  await act(() => pending.querySelector<HTMLButtonElement>('[aria-label="Move the 3 jobs of Portrait to the back"]')!.click());
  await flush();
  assert.deepEqual(current.calls.filter((c) => c.method === 'moveJobs').map((c) => c.args), [['a', ['b5', 'b6', 'b7'], 'back']]);
  // The history folds the finished ones too.
  const history = [...current.root.querySelectorAll('[aria-label="History"] [role="listitem"]')];
  assert.equal(history.length, 1);
  assert.match(history[0]!.textContent!, /Batch.*Portrait.*3 of 7 jobs/);
});

test('compact rows: shorter history rows, remembered in the window’s storage', async () => {
  const stored = new Map<string, string>();
  const storage = { getItem: (key: string) => stored.get(key) ?? null, setItem: (key: string, value: string) => void stored.set(key, value) };
  current = await renderApp({ version: 1, servers: [server('a')], jobs: [job('h1', { endedAt: NOW - 1_000 }), job('h2', { endedAt: NOW - 2_000 })] }, <App />);
  const off = followDensity(current.services.model, storage);
  const row = (i: number): HTMLElement => current!.root.querySelectorAll<HTMLElement>('.vlist__row')[i]!;
  assert.equal(row(1).style.top, '76px');
  const box = byText(current.root, 'label', 'Compact').querySelector('input')!;
  await act(() => box.click());
  assert.ok(current.root.querySelector('main')!.classList.contains('app--compact'));
  assert.equal(row(1).style.top, '48px');
  assert.equal(stored.get('comfy-tray.compact-rows'), '1');
  off();
  // A new window starts compact.
  const again = { compact: { value: false } } as unknown as Parameters<typeof followDensity>[0];
  followDensity(again, storage)();
  assert.equal(again.compact.value, true);
});
