// The running job's expected time left (and a pending job's expected duration), and its live preview: fetched when
// the preview version changes, one request at a time, the newest only, old blob: URLs revoked.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { ImageBytes } from '../../../electron/shared/ipc-contract.js';
import { App } from '../../../renderer/components/App.js';
import { NOW, flush, job, renderApp, server, type Rendered } from '../support/render.js';

let current: Rendered | undefined;
const restore: (() => void)[] = [];
afterEach(() => {
  current?.unmount();
  current = undefined;
  for (const undo of restore.splice(0)) undo();
});
async function show(...args: Parameters<typeof renderApp>): Promise<Rendered> {
  current = await renderApp(...args);
  return current;
}

/** Records the blob: URLs the page creates and revokes (the real ones, from Node's URL). */
function watchObjectUrls(): { readonly created: string[]; readonly revoked: string[] } {
  const created: string[] = [];
  const revoked: string[] = [];
  const { createObjectURL, revokeObjectURL } = URL;
  URL.createObjectURL = (blob) => {
    const url = createObjectURL(blob);
    created.push(url);
    return url;
  };
  URL.revokeObjectURL = (url) => {
    revoked.push(url);
    revokeObjectURL(url);
  };
  restore.push(() => Object.assign(URL, { createObjectURL, revokeObjectURL }));
  return { created, revoked };
}

const running = (extra: Parameters<typeof job>[1] = {}) => job('run', { status: 'running', startedAt: NOW - 60_000, ...extra });
const facts = (root: HTMLElement): string => root.querySelector('.running__facts')!.textContent!;

test('time left: about N min, finishing once past the estimate, nothing without an estimate', async () => {
  const r = await show({ version: 1, servers: [server('a')], jobs: [running({ estimatedDurationMs: 180_000 }), job('p', { status: 'pending', queuePosition: 1, estimatedDurationMs: 240_000 })] }, <App />);
  assert.match(facts(r.root), /Elapsed1 min 00 s.*Expectedabout 2 min left/);
  assert.match(r.root.querySelector('[aria-label="Pending jobs"]')!.textContent!, /takes about 4 min/);
  await r.push({ version: 2, patches: [{ type: 'job-updated', job: running({ estimatedDurationMs: 50_000 }) }] });
  assert.match(facts(r.root), /finishing…/);
  await r.push({ version: 3, patches: [{ type: 'job-updated', job: running() }] });
  assert.doesNotMatch(facts(r.root), /Expected|left|finishing/);
});

test('the live preview shows the newest image as a blob: URL, one request at a time, revoking the old one', async () => {
  const urls = watchObjectUrls();
  const answers: { resolve: (image: ImageBytes | undefined) => void }[] = [];
  const r = await show({ version: 1, servers: [server('a')], jobs: [running()] }, <App />);
  r.actions.getPreview = () => new Promise((resolve) => answers.push({ resolve }));
  const previewCalls = (): unknown[] => r.calls.filter((c) => c.method === 'getPreview').map((c) => c.args);
  assert.equal(r.root.querySelector('img'), null, 'no preview version yet: no request, no image');
  assert.equal(previewCalls().length, 0);

  await r.push({ version: 2, patches: [{ type: 'job-updated', job: running({ previewVersion: 1 }) }] });
  await r.push({ version: 3, patches: [{ type: 'job-updated', job: running({ previewVersion: 2 }) }] });
  await r.push({ version: 4, patches: [{ type: 'job-updated', job: running({ previewVersion: 3, progress: { overall: 0.5 } }) }] });
  assert.deepEqual(previewCalls(), [['a', 'run']], 'one request in flight');
  answers[0]!.resolve({ mime: 'image/jpeg', bytes: Uint8Array.of(0xff, 0xd8) });
  await flush();
  const img = r.root.querySelector<HTMLImageElement>('.running img')!;
  assert.equal(img.getAttribute('alt'), 'Live preview of Workflow run');
  assert.equal(img.getAttribute('src'), urls.created[0]);
  assert.match(urls.created[0]!, /^blob:/);
  assert.equal(previewCalls().length, 2, 'versions 2 and 3 fold into one follow-up request');
  answers[1]!.resolve({ mime: 'image/jpeg', bytes: Uint8Array.of(1) });
  await flush();
  assert.equal(r.root.querySelector('.running img')!.getAttribute('src'), urls.created[1]);
  assert.deepEqual(urls.revoked, [urls.created[0]]);
  assert.equal(previewCalls().length, 2);

  await r.push({ version: 5, patches: [{ type: 'job-updated', job: running({ status: 'completed', previewVersion: 3, endedAt: NOW }) }] });
  assert.equal(r.root.querySelector('.running'), null);
  assert.deepEqual(urls.revoked, [urls.created[0], urls.created[1]], 'the last image is freed when the job stops running');
});

test('a failed preview request shows no error and the next version tries again', async () => {
  const r = await show({ version: 1, servers: [server('a')], jobs: [running()] }, <App />);
  r.actions.getPreview = async () => {
    throw new Error('HTTP 404');
  };
  await r.push({ version: 2, patches: [{ type: 'job-updated', job: running({ previewVersion: 1 }) }] });
  await flush();
  r.actions.getPreview = async () => ({ mime: 'image/png', bytes: Uint8Array.of(1) });
  await r.push({ version: 3, patches: [{ type: 'job-updated', job: running({ previewVersion: 2 }) }] });
  await flush();
  assert.equal(r.calls.filter((c) => c.method === 'getPreview').length, 2);
  assert.ok(r.root.querySelector('.running img'));
  assert.equal(r.root.querySelector('.feedback__item--error'), null);
});
