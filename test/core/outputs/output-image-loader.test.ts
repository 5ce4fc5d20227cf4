// The loader alone: a few reads at a time however many are asked for, a cap on bytes received (whatever size the
// server declared), and broken downloads reported with a code.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { errorCode, HttpStatusError } from '../../../electron/core/errors.js';
import type { OutputStream } from '../../../electron/core/jobs/backend.js';
import { OutputImageLoader } from '../../../electron/core/outputs/output-image.js';
import type { OutputRef } from '../../../electron/shared/app-state.js';
import { tempDir } from '../../support/events.js';
import { deferred, listenerWarnings } from './support.js';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const ref = (filename: string, extra: Partial<OutputRef> = {}): OutputRef => ({ nodeId: '9', kind: 'images', index: 0, filename, subfolder: '', type: 'output', ...extra });

test('at most four downloads at a time, however many thumbnails are asked for', async () => {
  const loader = new OutputImageLoader();
  const gate = deferred<void>();
  let active = 0;
  let peak = 0;
  let started = 0;
  const allStarted = deferred<void>();
  const fetch = async (): Promise<OutputStream> => {
    active++;
    started++;
    peak = Math.max(peak, active);
    if (started === 4) allStarted.resolve();
    await gate.promise;
    active--;
    return { body: Readable.from([PNG]), size: PNG.length };
  };
  const loads = Array.from({ length: 30 }, (_, i) => loader.load(ref(`${i}.png`), undefined, fetch));
  await allStarted.promise;
  // Let every queued load run as far as it can: none may start while four are in flight.
  await new Promise<void>((resolve) => setImmediate(resolve));
  assert.equal(started, 4);
  gate.resolve();
  const images = await Promise.all(loads);
  assert.equal(peak, 4);
  assert.equal(started, 30);
  assert.ok(images.every((image) => image?.mime === 'image/png'));
});

test('the cap counts bytes received, not the size the server declared', async () => {
  const loader = new OutputImageLoader({ maxBytes: 100 });
  let destroyed = false;
  const endless = (): OutputStream => {
    let sent = 0;
    const body = new Readable({
      read() {
        sent += 40;
        this.push(sent === 40 ? Buffer.concat([PNG, Buffer.alloc(28)]) : Buffer.alloc(40));
      },
      destroy(error, callback) {
        destroyed = true;
        callback(error);
      },
    });
    return { body };
  };
  // Declares nothing (chunked)…
  assert.equal(await loader.load(ref('big.png'), undefined, async () => endless()), undefined);
  assert.ok(destroyed, 'the download was stopped at the cap');
  // …or declares less than it sends.
  destroyed = false;
  assert.equal(await loader.load(ref('lying.png'), undefined, async () => ({ ...endless(), size: 10 })), undefined);
  assert.ok(destroyed);
});

test('a download that breaks off is a coded error; a 404 is simply no image; a video is never fetched', async () => {
  const loader = new OutputImageLoader();
  const broken = new Readable({
    read() {
      this.push(PNG);
      this.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    },
  });
  await assert.rejects(loader.load(ref('cut.png'), undefined, async () => ({ body: broken })), (error: unknown) => errorCode(error) === 'COMFY_UNREACHABLE');
  assert.equal(await loader.load(ref('gone.png'), undefined, () => Promise.reject(new HttpStatusError(404, 'view', ''))), undefined);
  let fetched = false;
  const fetch = async (): Promise<OutputStream> => {
    fetched = true;
    return { body: Readable.from([PNG]) };
  };
  for (const video of [ref('clip.mp4', { kind: 'gifs' }), ref('clip.webp', { format: 'video/h264-mp4' }), ref('noext'), ref('a.png', { kind: 'audio' })]) {
    assert.equal(await loader.load(video, undefined, fetch), undefined, video.filename);
  }
  assert.equal(fetched, false);
  assert.throws(() => new OutputImageLoader({ concurrency: 0 }), RangeError);
  assert.throws(() => new OutputImageLoader({ maxBytes: -1 }), RangeError);
});

test('a saved file above the cap gives nothing, and the server is not asked instead', async (t) => {
  const dir = await tempDir(t);
  const big = join(dir, 'big.png');
  const small = join(dir, 'small.png');
  await writeFile(big, Buffer.concat([PNG, Buffer.alloc(200)]));
  await writeFile(small, PNG);
  const loader = new OutputImageLoader({ maxBytes: 100 });
  let fetched = 0;
  const fetch = async (): Promise<OutputStream> => {
    fetched++;
    return { body: Readable.from([PNG]) };
  };
  assert.equal(await loader.load(ref('big.png'), big, fetch), undefined);
  assert.deepEqual(await loader.load(ref('small.png'), small, fetch), { mime: 'image/png', bytes: PNG });
  assert.equal(fetched, 0);
});

test('twelve downloads at once raise no listener-leak warning (they all listen to the loader\'s one signal)', async (t) => {
  const warnings = listenerWarnings(t);
  const loader = new OutputImageLoader({ concurrency: 12 });
  let started = 0;
  const allStarted = deferred<void>();
  // As the HTTP client does: the request listens to the signal until it is answered.
  const fetch = async (signal: AbortSignal): Promise<OutputStream> => {
    const onAbort = (): void => undefined;
    signal.addEventListener('abort', onAbort);
    if (++started === 12) allStarted.resolve();
    await allStarted.promise;
    signal.removeEventListener('abort', onAbort);
    return { body: Readable.from([PNG]), size: PNG.length };
  };
  const images = await Promise.all(Array.from({ length: 12 }, (_, i) => loader.load(ref(`${i}.png`), undefined, fetch)));
  assert.ok(images.every((image) => image?.mime === 'image/png'));
  // Node emits the warning on a later tick than the listener that set it off.
  await new Promise<void>((resolve) => setImmediate(resolve));
  assert.deepEqual(warnings, []);
});
