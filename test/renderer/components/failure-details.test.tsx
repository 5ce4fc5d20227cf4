// A failed history row opens to its error in full (happy-dom): node title, type and id, the exception type, the
// whole message, hints for the common failures, the traceback; the toggle says whether it is open, and closes it.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { App } from '../../../renderer/components/App.js';
import { NOW, flush, job, renderApp, server, type Rendered } from '../support/render.js';

let current: Rendered | undefined;
afterEach(() => {
  current?.unmount();
  current = undefined;
});

const message = 'CUDA out of memory. Tried to allocate 2.00 GiB.\nGPU 0 has a total capacity of 8.00 GiB of which 1.2 GiB is free.';
const failed = job('f1', {
  status: 'failed',
  workflowName: 'Portrait upscale',
  endedAt: NOW - 5_000,
  error: {
    nodeId: '12',
    nodeTitle: 'Upscale sampler',
    nodeType: 'KSampler',
    exceptionType: 'torch.OutOfMemoryError',
    message,
    traceback: ['Traceback (most recent call last):\n', '  File "execution.py", line 496, in execute\n', '    output_data = get_output_data(obj, input_data_all)\n'],
  },
});

test('Details opens the whole error with a hint, the traceback scrolls on its own; Details again closes it', async () => {
  current = await renderApp({ version: 1, servers: [server('a')], jobs: [failed, job('ok', { endedAt: NOW - 1_000 }), job('old', { endedAt: NOW - 9_000 })] }, <App />);
  const toggle = current.root.querySelector<HTMLButtonElement>('[aria-label="Show the error of Portrait upscale"]')!;
  assert.equal(toggle.getAttribute('aria-expanded'), 'false');
  assert.equal(current.root.querySelector('.failure'), null);
  toggle.click();
  await flush();
  const panel = current.root.querySelector<HTMLElement>('section.failure')!;
  assert.equal(panel.getAttribute('aria-label'), 'Error of Portrait upscale');
  const hide = current.root.querySelector<HTMLButtonElement>('[aria-label="Hide the error of Portrait upscale"]')!;
  assert.equal(hide.getAttribute('aria-expanded'), 'true');
  assert.equal(hide.getAttribute('aria-controls'), panel.id);
  assert.match(panel.querySelector('.failure__facts')!.textContent!, /Upscale sampler \(KSampler\) #12.*torch\.OutOfMemoryError/);
  assert.equal(panel.querySelector('.failure__message')!.textContent, message, 'the whole message, lines kept');
  assert.match(panel.querySelector('.failure__hint')!.textContent!, /The server ran out of memory\..*--lowvram/);
  const traceback = panel.querySelector('pre.failure__traceback')!;
  assert.equal(traceback.getAttribute('tabindex'), '0');
  assert.equal(traceback.textContent, 'Traceback (most recent call last):\n  File "execution.py", line 496, in execute\n    output_data = get_output_data(obj, input_data_all)\n');
  // The windowed history (newest first: the completed job, then the failure, then one more) made the failure's row
  // taller by the panel's height, and moved the rows below it down.
  const rows = [...current.root.querySelectorAll<HTMLElement>('.vlist__row')];
  assert.deepEqual(rows.map((row) => [row.style.top, row.style.height]), [['0px', '76px'], ['76px', `${76 + 320}px`], [`${76 + 76 + 320}px`, '76px']]);
  hide.click();
  await flush();
  assert.equal(current.root.querySelector('.failure'), null);
  assert.equal(current.root.querySelectorAll<HTMLElement>('.vlist__row')[2]!.style.top, '152px');
});

test('only failed rows have Details; a failure without a traceback shows no empty box', async () => {
  const bare = job('f2', { status: 'failed', endedAt: NOW - 2_000, error: { exceptionType: 'Exception', message: 'Unauthorized: Please login first to use this node.', traceback: [] } });
  current = await renderApp({ version: 1, servers: [server('a')], jobs: [bare, job('ok', { endedAt: NOW - 1_000 }), job('x', { status: 'cancelled', endedAt: NOW - 3_000 })] }, <App />);
  assert.equal(current.root.querySelectorAll('[aria-label^="Show the error of"]').length, 1);
  current.root.querySelector<HTMLButtonElement>('[aria-label="Show the error of Workflow f2"]')!.click();
  await flush();
  assert.equal(current.root.querySelector('.failure__traceback'), null);
  assert.match(current.root.querySelector('.failure__hint')!.textContent!, /Access was refused \(401\/403\)/);
});
