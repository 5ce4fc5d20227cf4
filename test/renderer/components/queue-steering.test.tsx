// Steering the queue from the window (happy-dom): tick boxes with shift ranges and Select all, the bar that moves or
// removes the ticked jobs (one call per server, in the order shown), per-row Move to front / back, Pause and Resume
// on the server card, held jobs shown after the server's queue with a Held badge, and what the feedback area says.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { App } from '../../../renderer/components/App.js';
import { byText, flush, job, renderApp, server, type Rendered } from '../support/render.js';

let current: Rendered | undefined;
afterEach(() => {
  current?.unmount();
  current = undefined;
});

const pending = (id: string, position: number, extra = {}) => job(id, { status: 'pending', queuePosition: position, ...extra });

async function show(...args: Parameters<typeof renderApp>): Promise<Rendered> {
  current = await renderApp(...args);
  return current;
}

function click(root: HTMLElement, selector: string, init: MouseEventInit = {}): void {
  const element = root.querySelector<HTMLElement>(selector);
  assert.ok(element, `no ${selector}`);
  element.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, ...init }));
}

test('ticked jobs move together, in queue order, one call per server; the selection clears afterwards', async () => {
  const r = await show(
    { version: 1, servers: [server('a'), server('b')], jobs: [pending('p1', 1), pending('p2', 2), pending('p3', 3), pending('q1', 1, { serverId: 'b' })] },
    <App />,
  );
  assert.equal(r.root.querySelector('.selection-bar'), null, 'no bar before anything is ticked');
  // Shown in queue order across servers: p1, q1 (both first on their server), p2, p3.
  click(r.root, '[aria-label="Select Workflow p3"]');
  click(r.root, '[aria-label="Select Workflow p2"]', { shiftKey: true });
  await flush();
  const checked = (): (string | null)[] => [...r.root.querySelectorAll<HTMLInputElement>('.row__select')].filter((box) => box.checked).map((box) => box.getAttribute('aria-label'));
  assert.deepEqual(checked(), ['Select Workflow p2', 'Select Workflow p3'], 'shift-click ticks the range');
  click(r.root, '[aria-label="Select Workflow p2"]');
  click(r.root, '[aria-label="Select Workflow q1"]');
  click(r.root, '[aria-label="Select Workflow p1"]');
  await flush();
  assert.deepEqual(checked(), ['Select Workflow p1', 'Select Workflow q1', 'Select Workflow p3'], 'a plain click ticks or unticks one');
  const bar = r.root.querySelector('[role="toolbar"]')!;
  assert.equal(bar.getAttribute('aria-label'), '3 jobs selected');
  (bar.querySelector('[aria-label="Move the 3 jobs selected to the front"]') as HTMLButtonElement).click();
  await flush();
  assert.deepEqual(
    r.calls.filter((c) => c.method === 'moveJobs').map((c) => c.args),
    [
      ['a', ['p1', 'p3'], 'front'],
      ['b', ['q1'], 'front'],
    ],
  );
  assert.match(r.root.querySelector('.feedback')!.textContent!, /3 jobs moved to the front/);
  assert.equal(r.root.querySelector('.selection-bar'), null, 'the selection is cleared');
});

test('Select all, then Remove asks first and removes them all; Clear selection unticks', async () => {
  const r = await show({ version: 1, servers: [server('a')], jobs: [pending('p1', 1), pending('p2', 2)] }, <App />);
  const all = byText(r.root, 'label', 'Select all').querySelector('input')!;
  all.click();
  await flush();
  assert.equal(r.root.querySelectorAll('.row--selected').length, 2);
  (byText(r.root, '.selection-bar button', 'Clear selection') as HTMLButtonElement).click();
  await flush();
  assert.equal(r.root.querySelectorAll('.row--selected').length, 0);
  all.click();
  await flush();
  (r.root.querySelector('[aria-label="Remove the 2 jobs selected"]') as HTMLButtonElement).click();
  await flush();
  const question = r.root.querySelector('[role="group"]')!;
  assert.match(question.textContent!, /Remove the 2 jobs selected from the queue\?/);
  assert.deepEqual(r.calls.filter((c) => c.method === 'removePending'), [], 'nothing before confirming');
  (byText(question, 'button', 'Remove') as HTMLButtonElement).click();
  await flush();
  assert.deepEqual(r.calls.filter((c) => c.method === 'removePending').map((c) => c.args), [['a', ['p1', 'p2']]]);
});

test('a row moves alone; a job left as it was is named with the reason; a refusal is an error', async () => {
  const r = await show({ version: 1, servers: [server('a')], jobs: [pending('p1', 1), pending('p2', 2)] }, <App />);
  r.actions.moveJobs = async () => ({ ok: true, done: [], skipped: [{ id: 'p2', code: 'started', message: 'it had already started' }] });
  (r.root.querySelector('[aria-label="Move Workflow p2 to the front"]') as HTMLButtonElement).click();
  await flush();
  assert.match(r.root.querySelector('.feedback')!.textContent!, /0 jobs moved to the front\. Left as it was: Workflow p2: it had already started/);
  r.actions.moveJobs = async () => ({ ok: false, code: 'QUEUE_STEERING_UNSUPPORTED', message: 'This server does not give out queued prompts' });
  (r.root.querySelector('[aria-label="Move Workflow p1 to the back"]') as HTMLButtonElement).click();
  await flush();
  assert.match(r.root.querySelector('.feedback__item--error')!.textContent!, /Moving Workflow p1 to the back failed: This server does not give out queued prompts/);
});

test('Pause on the server card; a paused server says how many jobs are held, shows them after its queue, and offers Resume', async () => {
  const r = await show({ version: 1, servers: [server('a')], jobs: [pending('p1', 1)] }, <App />);
  r.actions.pauseQueue = async () => ({ ok: true, done: ['p1'], skipped: [] });
  (r.root.querySelector('[aria-label="Pause the queue of Server a"]') as HTMLButtonElement).click();
  await flush();
  assert.deepEqual(r.calls.filter((c) => c.method === 'pauseQueue').map((c) => c.args), [['a']]);
  assert.match(r.root.querySelector('.feedback')!.textContent!, /Server a: Queue paused: 1 job held by Comfy Tray/);

  await r.push({
    version: 2,
    patches: [
      { type: 'server-updated', server: server('a', { queuePaused: true, heldJobs: 2 }) },
      { type: 'job-updated', job: pending('p1', 1, { held: true }) },
      { type: 'job-updated', job: pending('late', 2, { held: true }) },
      { type: 'job-updated', job: pending('new', 1) },
    ],
  });
  const card = byText(r.root, '[aria-label="Servers"] li', 'Server a');
  assert.match(card.textContent!, /Queue paused by Comfy Tray · 2 jobs held/);
  const rows = [...r.root.querySelectorAll('[aria-label="Pending jobs"] li')].map((li) => li.textContent!);
  assert.match(rows[0]!, /#1.*Workflow new/, 'the server’s own queue first');
  assert.match(rows[1]!, /H1.*Held.*Workflow p1/);
  assert.match(rows[2]!, /H2.*Held.*Workflow late/);
  r.actions.resumeQueue = async () => ({ ok: true, done: ['p1', 'late'], skipped: [] });
  (card.querySelector('[aria-label="Resume the queue of Server a"]') as HTMLButtonElement).click();
  await flush();
  assert.match(r.root.querySelector('.feedback')!.textContent!, /Server a: Queue resumed: 2 jobs queued again/);
});

test('Pause is offered only while the server is connected; Resume always is', async () => {
  const r = await show({ version: 1, servers: [server('a', { state: 'offline' }), server('b', { state: 'offline', queuePaused: true, heldJobs: 1 })], jobs: [] }, <App />);
  assert.equal((r.root.querySelector('[aria-label="Pause the queue of Server a"]') as HTMLButtonElement).disabled, true);
  assert.equal((r.root.querySelector('[aria-label="Resume the queue of Server b"]') as HTMLButtonElement).disabled, false);
});
