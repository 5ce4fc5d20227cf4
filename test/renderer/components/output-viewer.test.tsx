// The output viewer in happy-dom: a thumbnail opens it on the job's first output; arrows (and the buttons) step through
// the outputs and on through the history; images, videos and audio get their elements; Open, Show in folder and Copy
// path only for a saved file, Copy image only for a picture; a refusal is said; Escape closes and focus goes back.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { OutputRef } from '../../../electron/shared/app-state.js';
import type { OutputMediaResult } from '../../../electron/shared/ipc-contract.js';
import { App } from '../../../renderer/components/App.js';
import { NOW, flush, job, renderApp, server, type Rendered } from '../support/render.js';

let current: Rendered | undefined;
afterEach(() => {
  current?.unmount();
  current = undefined;
});

const output = (filename: string, index: number, kind = 'images'): OutputRef => ({ nodeId: '9', kind, index, filename, subfolder: '', type: 'output' });
const newer = job('new', { workflowName: 'Sunset', endedAt: NOW - 1_000, outputs: [output('sunset_00001_.png', 0), output('sunset_00002_.png', 1)] });
const older = job('old', { workflowName: 'Walk cycle', endedAt: NOW - 9_000, outputs: [output('walk.webm', 0, 'videos')] });
const oldest = job('oldest', { workflowName: 'Voice', endedAt: NOW - 20_000, outputs: [output('voice.flac', 0, 'audio')] });

const media: Record<string, OutputMediaResult> = {
  'new/0': { ok: true, kind: 'image', mime: 'image/png', bytes: new Uint8Array(10), savedPath: '/pictures/Comfy Tray/sunset_00001_.png' },
  'new/1': { ok: true, kind: 'image', mime: 'image/webp', bytes: new Uint8Array(20) },
  'old/0': { ok: true, kind: 'video', mime: 'video/webm', bytes: new Uint8Array(30), savedPath: '/pictures/Comfy Tray/walk.webm' },
  'oldest/0': { ok: false, code: 'OUTPUT_TOO_LARGE', message: 'This file is larger than 256 MB: open it with its app, or show it in its folder' },
};

function key(root: HTMLElement, name: string): void {
  root.querySelector('[role="dialog"]')!.dispatchEvent(new KeyboardEvent('keydown', { key: name, bubbles: true, cancelable: true }));
}

async function open(): Promise<Rendered> {
  const r = await renderApp({ version: 1, servers: [server('a')], jobs: [newer, older, oldest] }, <App />);
  r.actions.getOutputMedia = async (_serverId, jobId, index) => media[`${jobId}/${index}`] ?? { ok: false, code: 'X', message: 'unexpected' };
  current = r;
  r.root.querySelector<HTMLButtonElement>('[aria-label="View the 2 outputs of Sunset"]')!.focus();
  r.root.querySelector<HTMLButtonElement>('[aria-label="View the 2 outputs of Sunset"]')!.click();
  await flush();
  return r;
}

test('a thumbnail opens the first output at full size; arrows step through the job and on through the history', async () => {
  const r = await open();
  const dialog = (): HTMLElement => r.root.querySelector('[role="dialog"]')!;
  assert.equal(dialog().getAttribute('aria-modal'), 'true');
  assert.match(dialog().querySelector('#viewer-where')!.textContent!, /sunset_00001_\.png · 1 of 2 · Server a · saved/);
  const image = dialog().querySelector('img.viewer__image')!;
  assert.equal(image.getAttribute('src'), 'blob:test/image/png/10');
  assert.equal(image.getAttribute('alt'), 'sunset_00001_.png, output 1 of 2 of Sunset');
  assert.equal((dialog().querySelector('[aria-label="Previous output"]') as HTMLButtonElement).disabled, true);

  key(r.root, 'ArrowRight');
  await flush();
  assert.equal(dialog().querySelector('img.viewer__image')!.getAttribute('src'), 'blob:test/image/webp/20', 'an animated WebP is an <img>: it animates');
  assert.match(dialog().querySelector('.viewer__hint')!.textContent!, /Not saved on this computer/);
  assert.equal((dialog().querySelector('[aria-label="Open sunset_00002_.png"]') as HTMLButtonElement).disabled, true);

  key(r.root, 'ArrowRight');
  await flush();
  assert.equal(dialog().querySelector('#viewer-title')!.textContent, 'Walk cycle', 'on into the next job of the history');
  const video = dialog().querySelector('video.viewer__video')!;
  assert.equal(video.getAttribute('src'), 'blob:test/video/webm/30');
  assert.ok(video.hasAttribute('controls'));
  assert.equal(dialog().querySelector('[aria-label^="Copy the image"]'), null, 'no Copy image for a video');

  (dialog().querySelector('[aria-label="Next output"]') as HTMLButtonElement).click();
  await flush();
  assert.match(dialog().querySelector('[role="alert"]')!.textContent!, /larger than 256 MB/);
  assert.equal((dialog().querySelector('[aria-label="Next output"]') as HTMLButtonElement).disabled, true, 'the end of the history');

  key(r.root, 'PageUp');
  await flush();
  assert.equal(dialog().querySelector('#viewer-title')!.textContent, 'Walk cycle');
  key(r.root, 'PageUp');
  await flush();
  assert.match(dialog().querySelector('#viewer-where')!.textContent!, /sunset_00001_\.png · 1 of 2/, 'a job at a time, to its first output');
  assert.deepEqual(
    r.calls.filter((c) => c.method === 'getOutputMedia').map((c) => c.args.join('/')),
    ['a/new/0', 'a/new/1', 'a/old/0', 'a/oldest/0', 'a/old/0', 'a/new/0'],
  );
});

test('Open, Show in folder, Copy image and Copy path act on the output shown; Escape closes and focus returns', async () => {
  const r = await open();
  const dialog = r.root.querySelector('[role="dialog"]')!;
  for (const label of ['Open sunset_00001_.png', 'Show sunset_00001_.png in its folder', 'Copy the image sunset_00001_.png', 'Copy the path of sunset_00001_.png']) {
    (dialog.querySelector(`[aria-label="${label}"]`) as HTMLButtonElement).click();
    await flush();
  }
  assert.deepEqual(
    r.calls.filter((c) => ['openOutput', 'showOutputInFolder', 'copyOutputImage'].includes(c.method)).map((c) => [c.method, ...c.args]),
    [
      ['openOutput', 'a', 'new', 0],
      ['showOutputInFolder', 'a', 'new', 0],
      ['copyOutputImage', 'a', 'new', 0],
    ],
  );
  assert.deepEqual(r.copied, ['/pictures/Comfy Tray/sunset_00001_.png']);
  assert.match(r.root.querySelector('.feedback')!.textContent!, /Path of sunset_00001_\.png copied/);
  document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true }));
  await flush();
  assert.equal(r.root.querySelector('[role="dialog"]'), null);
  assert.equal(document.activeElement?.getAttribute('aria-label'), 'View the 2 outputs of Sunset', 'focus back on the thumbnail');
});
