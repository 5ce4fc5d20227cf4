// History rows: the first output's thumbnail (fetched only for rows the windowed list renders, cached across
// scrolling, a typed placeholder for non-images), and the job's actions with their feedback and errors.
import assert from 'node:assert/strict';
import { afterEach, mock, test } from 'node:test';
import { act } from 'preact/test-utils';
import type { JobView, OutputRef } from '../../../electron/shared/app-state.js';
import { App } from '../../../renderer/components/App.js';
import { NOW, flush, job, renderApp, server, type Rendered } from '../support/render.js';

let current: Rendered | undefined;
afterEach(() => {
  current?.unmount();
  current = undefined;
});
async function show(jobs: readonly JobView[]): Promise<Rendered> {
  current = await renderApp({ version: 1, servers: [server('a')], jobs }, <App />);
  return current;
}

const output = (filename: string, kind = 'images'): OutputRef => ({ nodeId: '9', kind, index: 0, filename, subfolder: '', type: 'output' });
const done = (id: string, extra: Partial<JobView> = {}): JobView =>
  job(id, { endedAt: NOW - 1000, outputs: [output(`${id}.png`)], save: { state: 'done', files: 1 }, ...extra });
const button = (root: HTMLElement, label: string): HTMLButtonElement | null => root.querySelector<HTMLButtonElement>(`button[aria-label="${label}"]`);
const feedbackText = (root: HTMLElement): string => root.querySelector('.feedback')!.textContent!;

test('thumbnails are fetched only for the rows in view, once each, and kept while scrolling', async () => {
  const jobs = Array.from({ length: 2000 }, (_, i) => done(`h${i}`, { endedAt: NOW - i * 1000 }));
  const r = await show([]);
  r.actions.getThumbnail = async () => ({ mime: 'image/png', bytes: Uint8Array.of(137, 80, 78, 71) });
  await r.push({ version: 2, patches: jobs.map((j) => ({ type: 'job-updated' as const, job: j })) });
  await flush();
  const list = r.root.querySelector<HTMLElement>('[role="list"][aria-label="History"]')!;
  const fetched = (): string[] => r.calls.filter((c) => c.method === 'getThumbnail').map((c) => c.args.join('/'));
  const first = fetched();
  const rows = list.querySelectorAll('[role="listitem"]').length;
  assert.ok(first.length > 0 && first.length === rows, `${first.length} fetched for ${rows} rows`);
  assert.ok(first.includes('a/h0/0'));
  assert.equal(new Set(first).size, first.length, 'once per row');
  const img = list.querySelector('img')!;
  assert.equal(img.getAttribute('alt'), 'Output of Workflow h0');
  assert.match(img.getAttribute('src')!, /^blob:/);

  const scrollTo = async (top: number): Promise<void> => {
    await act(() => {
      list.scrollTop = top;
      list.dispatchEvent(new Event('scroll'));
    });
    await flush();
  };
  await scrollTo(76 * 1000);
  assert.ok(fetched().includes('a/h1000/0'));
  const afterScroll = fetched().length;
  await scrollTo(0);
  assert.equal(fetched().length, afterScroll, 'rows scrolled back into view come from the cache');
  assert.ok(list.querySelector('img[alt="Output of Workflow h0"]'));
});

test('in a fling, rows that pass by without stopping never ask for their thumbnail', async () => {
  const jobs = Array.from({ length: 2000 }, (_, i) => done(`h${i}`, { endedAt: NOW - i * 1000 }));
  current = await renderApp({ version: 1, servers: [server('a')], jobs: [] }, <App />, { thumbnailSettleMs: 150 });
  const r = current;
  r.actions.getThumbnail = async () => ({ mime: 'image/png', bytes: Uint8Array.of(137, 80, 78, 71) });
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    await r.push({ version: 2, patches: jobs.map((j) => ({ type: 'job-updated' as const, job: j })) });
    const list = r.root.querySelector<HTMLElement>('[role="list"][aria-label="History"]')!;
    const fetched = (): string[] => r.calls.filter((c) => c.method === 'getThumbnail').map((c) => c.args.join('/'));
    const wait = async (ms: number): Promise<void> => act(() => mock.timers.tick(ms));
    assert.ok(list.querySelector('[aria-label="Loading the output of Workflow h0"]'), 'a loading tile meanwhile');
    // Ten frames' worth of scrolling, 100 rows at a time: each row is in view for 16 ms.
    for (let step = 1; step <= 10; step++) {
      await act(() => {
        list.scrollTop = 76 * 100 * step;
        list.dispatchEvent(new Event('scroll'));
      });
      await wait(16);
    }
    assert.deepEqual(fetched(), [], 'nothing asked while flinging');
    await wait(150);
    const asked = fetched();
    assert.ok(asked.length > 0 && asked.every((key) => Number(/h(\d+)/.exec(key)![1]) >= 990), `only the rows where the scroll stopped: ${asked.join(', ')}`);
  } finally {
    mock.timers.reset();
  }
});

test('video, audio and 3D outputs show a typed placeholder without asking; an image without a thumbnail shows one too', async () => {
  const r = await show([
    done('v', { outputs: [output('clip.mp4', 'gifs')], endedAt: NOW - 1 }),
    done('s', { outputs: [output('speech.flac', 'audio')], endedAt: NOW - 2 }),
    done('m', { outputs: [output('mesh.glb', '3d')], endedAt: NOW - 3 }),
    done('i', { endedAt: NOW - 4 }),
    job('f', { status: 'failed', endedAt: NOW - 5, outputs: [output('partial.png')] }),
  ]);
  await flush();
  assert.ok(r.root.querySelector('[role="img"][aria-label="Video output of Workflow v"]'));
  assert.ok(r.root.querySelector('[role="img"][aria-label="Audio output of Workflow s"]'));
  assert.ok(r.root.querySelector('[role="img"][aria-label="3D output of Workflow m"]'));
  assert.ok(r.root.querySelector('[role="img"][aria-label="Image output of Workflow i"]'), 'the main process had no thumbnail');
  assert.deepEqual(
    r.calls.filter((c) => c.method === 'getThumbnail').map((c) => c.args),
    [['a', 'i', 0]],
    'only the image of a completed job is asked for',
  );
});

test('Re-run queues the job again; a refusal or a rejection shows its message', async () => {
  const r = await show([done('ok'), job('bad', { status: 'failed', endedAt: NOW - 5000 })]);
  button(r.root, 'Re-run Workflow ok')!.click();
  await flush();
  assert.deepEqual(r.calls.filter((c) => c.method === 'rerunJob').map((c) => c.args), [['a', 'ok']]);
  assert.match(feedbackText(r.root), /Workflow ok: queued again/);
  r.actions.rerunJob = async () => ({ ok: false, code: 'PROMPT_UNKNOWN', message: 'The server no longer has this prompt' });
  button(r.root, 'Re-run Workflow bad')!.click();
  await flush();
  assert.match(r.root.querySelector('.feedback__item--error')!.textContent!, /Queueing Workflow bad again failed: The server no longer has this prompt/);
  r.actions.rerunJob = () => Promise.reject(new Error('boom'));
  button(r.root, 'Re-run Workflow ok')!.click();
  await flush();
  assert.match(r.root.querySelectorAll('.feedback__item--error')[1]!.textContent!, /Queueing Workflow ok again failed: boom/);
});

test('Open and Show in folder act on the first output, only once it is on disk', async () => {
  const r = await show([
    done('saved'),
    done('partly', { save: { state: 'failed', files: 1, reason: 'The disk is full' }, endedAt: NOW - 2000 }),
    done('waiting', { save: { state: 'pending', files: 0 }, endedAt: NOW - 3000 }),
    done('unsaved', { save: undefined, endedAt: NOW - 4000 }),
  ]);
  assert.ok(button(r.root, 'Open output of Workflow partly'), 'some files are on disk');
  assert.equal(button(r.root, 'Open output of Workflow waiting'), null);
  assert.equal(button(r.root, 'Show output of Workflow unsaved in its folder'), null);
  button(r.root, 'Open output of Workflow saved')!.click();
  await flush();
  assert.match(feedbackText(r.root), /Opened the output of Workflow saved/);
  r.actions.showOutputInFolder = async () => ({ ok: false, code: 'OUTPUT_MISSING', message: 'The file was moved or deleted' });
  button(r.root, 'Show output of Workflow saved in its folder')!.click();
  await flush();
  assert.deepEqual(
    r.calls.filter((c) => c.method === 'openOutput' || c.method === 'showOutputInFolder').map((c) => [c.method, ...c.args]),
    [
      ['openOutput', 'a', 'saved', 0],
      ['showOutputInFolder', 'a', 'saved', 0],
    ],
  );
  assert.match(r.root.querySelector('.feedback__item--error')!.textContent!, /Showing the output of Workflow saved in its folder failed: The file was moved or deleted/);
});
