// The output viewer in the built window in Chromium, on the real engine (saving outputs) and the simulator: from the
// keyboard, a thumbnail opens the job's first image at full resolution, → goes to its animated WebP and on to the next
// jobs' video (a real WebM, recorded in Chromium, that plays) and audio (a WAV, that loads); Open, Show in folder, Copy
// image and Copy path act on the saved file; Escape closes. Nothing loads from anywhere but blob: URLs the page made
// from bytes the main process sent (the page's CSP would report anything else as an error and fail the test).
// With SCREENSHOTS=1 it refreshes docs/screenshots/viewer-*.png.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import { crc32 } from '../../../electron/core/crc32.js';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { OsRecord } from '../../support/renderer-harness/engine-actions.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { engineFor, serverConnected } from '../../support/connect.js';
import { nextEvent, tempDir } from '../../support/events.js';
import { chromiumMissing } from '../../support/renderer-harness/chromium.js';
import { engineActions } from '../../support/renderer-harness/engine-actions.js';
import { horizontalOverflow, tabTo } from '../../support/renderer-harness/keyboard.js';
import { attachEngine, useWindowSuite } from '../../support/renderer-harness/window-suite.js';

const SCREENSHOTS = process.env.SCREENSHOTS === '1';

/** A one-second-or-so WebM (VP8) recorded from a canvas in Chromium itself: real video, no file to ship. */
const RECORD_WEBM = `(async () => {
  const canvas = document.createElement('canvas');
  canvas.width = 64;
  canvas.height = 48;
  const context = canvas.getContext('2d');
  const recorder = new MediaRecorder(canvas.captureStream(30), { mimeType: 'video/webm;codecs=vp8' });
  const chunks = [];
  recorder.ondataavailable = (event) => chunks.push(event.data);
  const stopped = new Promise((resolve) => (recorder.onstop = resolve));
  recorder.start();
  for (let i = 0; i < 20; i++) {
    context.fillStyle = 'hsl(' + i * 18 + ', 80%, 50%)';
    context.fillRect(0, 0, 64, 48);
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  recorder.stop();
  await stopped;
  return Array.from(new Uint8Array(await new Blob(chunks).arrayBuffer()));
})()`;

/** A solid-colour RGB PNG of any size (the simulator's own stop at 64 pixels). */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const row = Buffer.alloc(1 + width * 3, 0x88);
  row[0] = 0;
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** A tenth of a second of 8 kHz mono WAV. */
function wav(): Buffer {
  const data = Buffer.alloc(800);
  for (let i = 0; i < data.length; i++) data[i] = 128 + Math.round(60 * Math.sin(i / 4));
  const head = Buffer.alloc(44);
  head.write('RIFF', 0);
  head.writeUInt32LE(36 + data.length, 4);
  head.write('WAVEfmt ', 8);
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(1, 20);
  head.writeUInt16LE(1, 22);
  head.writeUInt32LE(8000, 24);
  head.writeUInt32LE(8000, 28);
  head.writeUInt16LE(1, 32);
  head.writeUInt16LE(8, 34);
  head.write('data', 36);
  head.writeUInt32LE(data.length, 40);
  return Buffer.concat([head, data]);
}

async function shot(page: Page, name: string): Promise<void> {
  if (SCREENSHOTS) await page.screenshot({ path: `docs/screenshots/${name}.png`, fullPage: false });
}

describe('the output viewer in Chromium', { skip: chromiumMissing() }, () => {
  const suite = useWindowSuite();

  for (const [theme, zoom] of [
    ['light', 1],
    ['dark', 2],
  ] as ['light' | 'dark', number][]) {
    test(`${theme}, ${zoom * 100}%: full-size image, animated WebP, video that plays, audio, saved-file actions, keyboard only`, async (t) => {
      const page = await suite.openPage(t, theme, zoom, ['clipboard-read', 'clipboard-write']);
      const webm = Buffer.from((await page.evaluate(RECORD_WEBM)) as number[]);
      assert.equal(webm.readUInt32BE(0), 0x1a45dfa3, 'a WebM');

      const sim = await ComfySimulator.start({ stepDelayMs: 5 });
      t.after(() => sim.stop());
      sim.provideContent('walk.webm', webm);
      sim.provideContent('voice.wav', wav());
      sim.provideContent('sunset.png', png(1280, 720));
      const folder = await tempDir(t);
      const engine = await engineFor(t, [sim.url], { outputs: { folder } });
      await serverConnected(engine);
      const os: OsRecord = { opened: [], clipboardImages: [] };
      await attachEngine(t, page, engine, { handlers: engineActions(engine, os) });
      await page.goto(suite.url);
      await page.getByRole('listitem', { name: /server 0: Connected/ }).waitFor();

      // Oldest first: the voice, the walk cycle, then the sunset (which the history lists first).
      const ids: string[] = [];
      for (const prompt of [
        { '1': { class_type: 'SimOutput', inputs: { key: 'audio', filename: 'voice.wav' } } },
        { '1': { class_type: 'SimOutput', inputs: { key: 'gifs', filename: 'walk.webm' } } },
        {
          '1': { class_type: 'SimOutput', inputs: { key: 'images', filename: 'sunset.png' } },
          '2': { class_type: 'SimOutput', inputs: { key: 'images', filename: 'loop.webp', animated: true } },
        },
      ]) {
        const { promptId } = sim.enqueue(prompt, { clientId: 'browser' });
        await nextEvent(engine.events, 'saved', (event) => event.jobId === promptId, 20_000);
        ids.push(promptId);
      }
      const sunset = engine.job('s0', ids[2]!)!;
      const pngIndex = sunset.outputs.findIndex((output) => output.filename.endsWith('.png'));
      const savedPng = engine.outputs!.saveState('s0', sunset.id)!;
      const pngPath = Object.values(savedPng.files).find((file) => file.path.endsWith('.png'))!.path;

      await page.getByRole('list', { name: 'History' }).getByRole('listitem').filter({ hasText: 'sunset' }).getByText('Completed').waitFor();
      await tabTo(page, 'View the 2 outputs of sunset');
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'sunset' });
      await dialog.waitFor();
      const first = sunset.outputs[0]!.filename;
      const image = dialog.locator('img.viewer__image');
      await page.waitForFunction(() => {
        const img = document.querySelector<HTMLImageElement>('img.viewer__image');
        return img !== null && img.complete && img.naturalWidth > 0;
      });
      const size = await image.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight, img.src.slice(0, 5)]);
      if (first.endsWith('.png')) assert.deepEqual(size, [1280, 720, 'blob:'], 'the PNG at full resolution, from a blob: URL');
      assert.equal(await horizontalOverflow(page), 0);
      await shot(page, zoom === 1 ? 'viewer-image' : 'viewer-image-zoom-dark');

      // Saved-file actions on the PNG (→ or ← to reach it, whichever order the outputs came in).
      if (!first.endsWith('.png')) await page.keyboard.press('ArrowRight');
      await dialog.getByText(new RegExp(`${sunset.outputs[pngIndex]!.filename.replace(/[.]/g, '\\.')} · ${pngIndex + 1} of 2`)).waitFor();
      await tabTo(page, `Copy the image ${sunset.outputs[pngIndex]!.filename}`);
      await page.keyboard.press('Enter');
      await page.getByRole('status').getByText(/image copied to the clipboard/).waitFor();
      assert.equal(os.clipboardImages.length, 1);
      assert.ok(Buffer.from(os.clipboardImages[0]!.bytes).equals(await readFile(pngPath)), 'the saved file, byte for byte');
      await tabTo(page, `Copy the path of ${sunset.outputs[pngIndex]!.filename}`);
      await page.keyboard.press('Enter');
      await page.getByRole('status').getByText(/copied to the clipboard/).last().waitFor();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), pngPath);
      await tabTo(page, `Show ${sunset.outputs[pngIndex]!.filename} in its folder`, { back: true });
      await page.keyboard.press('Enter');
      await tabTo(page, `Open ${sunset.outputs[pngIndex]!.filename}`, { back: true });
      await page.keyboard.press('Enter');
      await page.getByRole('status').getByText(/^Opened /).waitFor();
      assert.deepEqual(os.opened, [pngPath, pngPath]);

      // The animated WebP: an image element (Chromium animates it), then on into the walk cycle's video.
      await page.locator('[role="dialog"]').focus();
      const webpIndex = 1 - pngIndex;
      if (webpIndex > pngIndex) await page.keyboard.press('ArrowRight');
      else await page.keyboard.press('ArrowLeft');
      await dialog.locator('#viewer-where').getByText(/loop\.webp/).waitFor();
      await page.waitForFunction(() => {
        const img = document.querySelector<HTMLImageElement>('img.viewer__image');
        return img !== null && img.complete && img.naturalWidth > 0;
      });
      if (webpIndex < pngIndex) await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      await page.getByRole('dialog', { name: 'walk' }).waitFor();
      const video = page.locator('video.viewer__video');
      await page.waitForFunction(() => (document.querySelector('video')?.readyState ?? 0) >= 1);
      assert.equal(await video.evaluate((v: HTMLVideoElement) => v.videoWidth), 64);
      const played = await video.evaluate(
        (v: HTMLVideoElement) =>
          new Promise<boolean>((resolve) => {
            v.muted = true;
            v.addEventListener('timeupdate', () => v.currentTime > 0 && resolve(true));
            void v.play();
          }),
      );
      assert.equal(played, true, 'the video plays');
      await video.evaluate((v: HTMLVideoElement) => v.pause());
      await shot(page, zoom === 1 ? 'viewer-video' : 'viewer-video-zoom-dark');

      // The voice: an audio player that has loaded the file.
      await page.locator('[role="dialog"]').focus();
      await page.keyboard.press('ArrowRight');
      await page.getByRole('dialog', { name: 'voice' }).waitFor();
      await page.waitForFunction(() => (document.querySelector('audio')?.readyState ?? 0) >= 1);
      const duration = await page.locator('audio.viewer__audio').evaluate((a: HTMLAudioElement) => a.duration);
      assert.ok(Math.abs(duration - 0.1) < 0.01, `a tenth of a second: ${duration}`);
      assert.equal(await page.getByRole('button', { name: 'Next output' }).isDisabled(), true, 'the end of the history');

      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      // Focus goes back to the thumbnail as the dialog's effects are cleaned up (just after it leaves the DOM).
      await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'View the 2 outputs of sunset');
    });
  }
});
