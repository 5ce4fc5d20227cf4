// The live preview: one request in flight at most, intermediate versions skipped, old blob: URLs revoked, nothing
// shown or leaked after the job leaves the card.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageBytes } from '../../../electron/shared/ipc-contract.js';
import type { ObjectUrls } from '../../../renderer/models/object-urls.js';
import { PreviewModel } from '../../../renderer/models/preview-model.js';

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const image = (n: number): ImageBytes => ({ mime: 'image/jpeg', bytes: Uint8Array.of(n) });

function fakeUrls(): ObjectUrls & { readonly live: Set<string> } {
  const live = new Set<string>();
  let next = 0;
  return {
    live,
    create: (img) => {
      const url = `blob:test/${++next}-${img.bytes[0]}`;
      live.add(url);
      return url;
    },
    revoke: (url) => assert.ok(live.delete(url), `revoked ${url} twice or never created`),
  };
}

test('versions that arrive while a request is in flight fold into one follow-up request', async () => {
  const requests: Deferred<ImageBytes | undefined>[] = [];
  const urls = fakeUrls();
  const model = new PreviewModel(() => {
    const d = deferred<ImageBytes | undefined>();
    requests.push(d);
    return d.promise;
  }, urls);
  model.want(1);
  model.want(2);
  model.want(3);
  model.want(3);
  assert.equal(requests.length, 1, 'one request in flight');
  requests[0]!.resolve(image(1));
  await settle();
  assert.equal(model.url.value, 'blob:test/1-1');
  assert.equal(requests.length, 2, 'one more for the newest version, none for version 2');
  requests[1]!.resolve(image(3));
  await settle();
  assert.equal(model.url.value, 'blob:test/2-3');
  assert.deepEqual([...urls.live], ['blob:test/2-3'], 'the first image was revoked');
  assert.equal(requests.length, 2, 'nothing newer wanted: no request');
  model.dispose();
  assert.equal(model.url.value, undefined);
  assert.equal(urls.live.size, 0);
});

test('a failed or empty answer keeps the last image; an answer after dispose creates no URL', async () => {
  const answers: (() => Promise<ImageBytes | undefined>)[] = [async () => image(1), async () => Promise.reject(new Error('HTTP 404')), async () => undefined];
  const urls = fakeUrls();
  const late = deferred<ImageBytes | undefined>();
  const model = new PreviewModel(() => (answers.shift() ?? (() => late.promise))(), urls);
  model.want(1);
  await settle();
  model.want(2);
  await settle();
  model.want(3);
  await settle();
  assert.equal(model.url.value, 'blob:test/1-1');
  model.want(4);
  model.dispose();
  late.resolve(image(4));
  await settle();
  assert.equal(model.url.value, undefined);
  assert.equal(urls.live.size, 0);
  model.want(5);
  await settle();
  assert.equal(urls.live.size, 0, 'a disposed model asks for nothing');
});
