// The queue window in happy-dom: servers and their states, the running job, pending order, history with failures,
// actions with their feedback, filters and the empty states.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { options } from 'preact';
import { act } from 'preact/test-utils';
import { App } from '../../../renderer/components/App.js';
import { NOW, byText, flush, job, renderApp, server, type Rendered } from '../support/render.js';

let current: Rendered | undefined;
afterEach(() => {
  current?.unmount();
  current = undefined;
});
async function show(...args: Parameters<typeof renderApp>): Promise<Rendered> {
  current = await renderApp(...args);
  return current;
}

const failure = job('f1', {
  status: 'failed',
  endedAt: NOW - 5_000,
  durationMs: 8_000,
  error: { nodeId: '2', nodeTitle: 'Sampler', nodeType: 'KSampler', exceptionType: 'RuntimeError', message: 'CUDA out of memory', traceback: ['Traceback…'] },
});

test('servers show their connection state, version and counts', async () => {
  const { root } = await show(
    {
      version: 1,
      servers: [
        server('a'),
        server('b', { state: 'reconnecting', nextRetryAt: NOW + 12_000, version: undefined }),
        server('c', { state: 'auth-failed', lastError: { code: 'auth', message: 'HTTP 401 from /api/queue' } }),
        server('d', { state: 'offline' }),
      ],
      jobs: [job('r', { status: 'running' }), job('p', { status: 'pending', queuePosition: 1 }), failure],
    },
    <App />,
  );
  const servers = root.querySelector('[aria-label="Servers"]')!;
  assert.match(byText(servers, 'li', 'Server a').textContent!, /ComfyUI 0\.3\.60.*Connected.*1 running · 1 pending · 1 failed/);
  assert.match(byText(servers, 'li', 'Server b').textContent!, /Reconnecting in 12 s/);
  assert.match(byText(servers, 'li', 'Server c').textContent!, /Authentication failed.*HTTP 401/);
  assert.match(byText(servers, 'li', 'Server d').textContent!, /Offline/);
});

test('the running job shows progress, node, step and elapsed time; pending jobs run in queue order', async () => {
  const { root } = await show(
    {
      version: 1,
      servers: [server('a')],
      jobs: [
        job('p2', { status: 'pending', queuePosition: 2, submittedBy: 'this-app' }),
        job('run', { status: 'running', startedAt: NOW - 75_000, progress: { nodeTitle: 'Sampler', nodeType: 'KSampler', value: 3, max: 10, overall: 0.42 } }),
        job('p1', { status: 'pending', queuePosition: 1 }),
      ],
    },
    <App />,
  );
  const bar = root.querySelector('[role="progressbar"]')!;
  assert.equal(bar.getAttribute('aria-valuenow'), '42');
  assert.equal(bar.getAttribute('aria-valuemax'), '100');
  const running = root.querySelector('.running')!.textContent!;
  assert.match(running, /Sampler \(KSampler\)/);
  assert.match(running, /3\/10/);
  assert.match(running, /1 min 15 s/);
  const pending = [...root.querySelectorAll('[aria-label="Pending jobs"] li')].map((li) => li.textContent);
  assert.equal(pending.length, 2);
  assert.match(pending[0]!, /#1.*Workflow p1.*from another client/);
  assert.match(pending[1]!, /#2.*Workflow p2.*from Comfy Tray/);
});

test('history shows badges, durations and failures; Copy error copies the full report', async () => {
  const r = await show(
    {
      version: 1,
      servers: [server('a')],
      jobs: [
        failure,
        job('ok', { endedAt: NOW - 10_000, durationMs: 3_000, save: { state: 'failed', files: 0, code: 'OUTPUT_DISK_FULL', reason: 'The disk is full' } }),
        job('x', { status: 'cancelled', endedAt: NOW - 20_000 }),
        job('l', { status: 'lost', lostReason: 'server-restarted', endedAt: NOW - 30_000 }),
      ],
    },
    <App />,
  );
  const list = r.root.querySelector('[role="list"][aria-label="History"]')!;
  const rows = [...list.querySelectorAll('[role="listitem"]')].map((row) => row.textContent);
  assert.equal(rows.length, 4);
  assert.match(rows[0]!, /Failed.*Workflow f1.*Server a · 8 s.*Sampler \(KSampler\): RuntimeError: CUDA out of memory/);
  assert.match(rows[1]!, /Completed.*Save failed.*Workflow ok.*3 s.*Outputs not saved yet: The disk is full \(retrying\)/);
  assert.match(rows[2]!, /Cancelled/);
  assert.match(rows[3]!, /Lost.*server restarted/);
  (byText(list, 'button', 'Copy error') as HTMLButtonElement).click();
  await flush();
  assert.equal(r.copied[0], 'Sampler (KSampler) #2\nRuntimeError: CUDA out of memory\nTraceback…');
  assert.match(r.root.querySelector('[role="status"]')!.textContent!, /Error copied/);
});

test('Cancel stops the running job; Remove takes a pending one off the queue; both report success or the error', async () => {
  const r = await show({ version: 1, servers: [server('a')], jobs: [job('run', { status: 'running' }), job('p', { status: 'pending', queuePosition: 1 })] }, <App />);
  (r.root.querySelector('[aria-label="Cancel Workflow run"]') as HTMLButtonElement).click();
  await flush();
  assert.deepEqual(r.cancelled, [['a', 'run']]);
  assert.match(r.root.querySelector('.feedback')!.textContent!, /Workflow run: cancelled/);
  (r.root.querySelector('[aria-label="Remove Workflow p"]') as HTMLButtonElement).click();
  await flush();
  assert.deepEqual(r.cancelled, [['a', 'run']], 'a pending job is not cancelled but removed');
  assert.deepEqual(r.calls.filter((c) => c.method === 'removePending').map((c) => c.args), [['a', ['p']]]);
  assert.match(r.root.querySelector('.feedback')!.textContent!, /Workflow p: removed from the queue/);
  r.actions.removePending = async () => ({ ok: false, code: 'JOB_ALREADY_RUNNING', message: 'It started running meanwhile' });
  (r.root.querySelector('[aria-label="Remove Workflow p"]') as HTMLButtonElement).click();
  await flush();
  assert.match(r.root.querySelector('.feedback__item--error')!.textContent!, /Removing Workflow p from the queue failed: It started running meanwhile/);
  r.cancelResult = async () => {
    throw new Error('HTTP 500 from /interrupt');
  };
  (r.root.querySelector('[aria-label="Cancel Workflow run"]') as HTMLButtonElement).click();
  await flush();
  const errors = [...r.root.querySelectorAll('.feedback__item--error')];
  assert.equal(errors.length, 2);
  assert.match(errors[1]!.textContent!, /Cancelling Workflow run failed: HTTP 500 from \/interrupt/);
  (byText(errors[1]!, 'button', 'Dismiss') as HTMLButtonElement).click();
  await flush();
  assert.equal(r.root.querySelectorAll('.feedback__item--error').length, 1);
});

test('filters by server and status, search by name or id, and a way back when nothing matches', async () => {
  const r = await show(
    { version: 1, servers: [server('a'), server('b')], jobs: [job('j1', { endedAt: 1 }), job('j2', { serverId: 'b', endedAt: 2, workflowName: 'Portrait' }), failure] },
    <App />,
  );
  const names = (): string[] => [...r.root.querySelectorAll('.row__name')].map((n) => n.textContent!);
  const select = (label: string, value: string): void => {
    const element = byText(r.root, 'label', label).querySelector('select')!;
    element.value = value;
    element.dispatchEvent(new Event('change', { bubbles: true }));
  };
  select('Server', 'b');
  await flush();
  assert.deepEqual(names(), ['Portrait']);
  select('Server', 'all');
  select('Status', 'failed');
  await flush();
  assert.deepEqual(names(), ['Workflow f1']);
  select('Status', 'all');
  const search = r.root.querySelector<HTMLInputElement>('input[type="search"]')!;
  search.value = 'J1';
  search.dispatchEvent(new Event('input', { bubbles: true }));
  await flush();
  assert.deepEqual(names(), ['Workflow j1']);
  search.value = 'nothing like it';
  search.dispatchEvent(new Event('input', { bubbles: true }));
  await flush();
  (byText(r.root, 'button', 'Clear filters') as HTMLButtonElement).click();
  await flush();
  assert.equal(names().length, 3);
});

test('empty states teach: no server, server offline, nothing queued yet', async () => {
  let r = await show({ version: 1, servers: [], jobs: [] }, <App />);
  assert.match(r.root.textContent!, /No ComfyUI server yet.*127\.0\.0\.1:8188/);
  r.unmount();
  r = await show({ version: 1, servers: [server('a', { state: 'offline' })], jobs: [] }, <App />);
  assert.match(r.root.textContent!, /Can’t reach your server.*Is ComfyUI running\?/);
  r.unmount();
  r = await show({ version: 1, servers: [server('a')], jobs: [] }, <App />);
  assert.match(r.root.textContent!, /Nothing queued yet/);
  await r.push({ version: 2, patches: [{ type: 'job-updated', job: job('new', { status: 'pending', queuePosition: 1 }) }] });
  assert.doesNotMatch(r.root.textContent!, /Nothing queued yet/);
  assert.match(r.root.textContent!, /Pending \(1\)/);
});

test('a progress patch re-renders only the running job, not the list rows', async () => {
  const history = Array.from({ length: 20 }, (_, i) => job(`h${i}`, { endedAt: NOW - i * 1000 }));
  const r = await show({ version: 1, servers: [server('a')], jobs: [job('run', { status: 'running', progress: { overall: 0.1 } }), ...history] }, <App />);
  const renders = new Map<string, number>();
  const previous = options.diffed;
  options.diffed = (vnode) => {
    const type = vnode.type;
    if (typeof type === 'function') renders.set(type.name, (renders.get(type.name) ?? 0) + 1);
    previous?.(vnode);
  };
  try {
    await r.push({ version: 2, patches: [{ type: 'job-updated', job: job('run', { status: 'running', progress: { overall: 0.6 } }) }] });
    await flush();
  } finally {
    options.diffed = previous;
  }
  assert.equal(r.root.querySelector('[role="progressbar"]')!.getAttribute('aria-valuenow'), '60');
  assert.equal(renders.get('RunningJob'), 1);
  assert.equal(renders.get('HistoryRow') ?? 0, 0);
  assert.equal(renders.get('App') ?? 0, 0);
});

test('10,000 history entries: only the rows in view are in the DOM, scrolling brings the others', async () => {
  const history = Array.from({ length: 10_000 }, (_, i) => job(`h${i}`, { endedAt: NOW - i * 1000, workflowName: `Run ${i}` }));
  const r = await show({ version: 1, servers: [server('a')], jobs: history }, <App />);
  const list = r.root.querySelector<HTMLElement>('[role="list"][aria-label="History"]')!;
  const rows = (): Element[] => [...list.querySelectorAll('[role="listitem"]')];
  assert.ok(rows().length < 40, `${rows().length} rows rendered`);
  assert.equal(rows()[0]!.getAttribute('aria-setsize'), '10000');
  await act(() => {
    list.scrollTop = 76 * 5000;
    list.dispatchEvent(new Event('scroll'));
  });
  await flush();
  const positions = rows().map((row) => Number(row.getAttribute('aria-posinset')));
  assert.ok(positions.includes(5001), `positions ${positions.join(',')}`);
  assert.ok(rows().length < 40);
  assert.equal(byText(list, '[role="listitem"]', /Run 5000(?!\d)/).getAttribute('aria-posinset'), '5001');
});

test('a save given up (the files are gone from the server) says so, without "retrying"', async () => {
  const reason = 'ComfyUI_00001_.png is no longer on the server (not found 3 times); not trying again';
  const r = await show({ version: 1, servers: [server('a')], jobs: [job('gone', { endedAt: NOW - 10_000, save: { state: 'failed', files: 0, code: 'OUTPUT_NOT_FOUND', reason, gaveUp: true } })] }, <App />);
  const row = r.root.querySelector('[role="list"][aria-label="History"] [role="listitem"]')!.textContent!;
  assert.match(row, /Outputs not saved: ComfyUI_00001_\.png is no longer on the server/);
  assert.doesNotMatch(row, /retrying|not saved yet/);
});
