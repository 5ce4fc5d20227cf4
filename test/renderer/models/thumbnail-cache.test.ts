// The thumbnail LRU: one request per output however often it is asked for, the least recently used evicted first
// with its URL revoked, failures retried by the next acquire, and everything revoked on dispose.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageBytes } from '../../../electron/shared/ipc-contract.js';
import type { ObjectUrls } from '../../../renderer/models/object-urls.js';
import { ThumbnailCache } from '../../../renderer/models/thumbnail-cache.js';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const png: ImageBytes = { mime: 'image/png', bytes: Uint8Array.of(1, 2, 3) };

function setup(capacity: number, answer: (jobId: string) => Promise<ImageBytes | undefined> = async () => png) {
  const fetched: string[] = [];
  const live = new Set<string>();
  const revoked: string[] = [];
  const urls: ObjectUrls = {
    create: () => {
      const url = `blob:t/${live.size + revoked.length}`;
      live.add(url);
      return url;
    },
    revoke: (url) => {
      assert.ok(live.delete(url));
      revoked.push(url);
    },
  };
  const cache = new ThumbnailCache(
    (serverId, jobId, index) => {
      fetched.push(`${serverId}/${jobId}/${index}`);
      return answer(jobId);
    },
    urls,
    capacity,
  );
  return { cache, fetched, live, revoked };
}

test('asking again answers from the cache; the least recently used is evicted and its URL revoked', async () => {
  const { cache, fetched, live, revoked } = setup(2);
  const a = cache.acquire('s', 'a', 0);
  assert.equal(a.value.status, 'loading');
  await settle();
  assert.equal(a.value.status, 'ready');
  cache.acquire('s', 'b', 0);
  await settle();
  assert.equal(cache.acquire('s', 'a', 0), a, 'same entry, and a is now the most recent');
  assert.deepEqual(fetched, ['s/a/0', 's/b/0']);
  cache.acquire('s', 'c', 0);
  await settle();
  assert.equal(cache.size, 2);
  assert.equal(revoked.length, 1, 'b was evicted');
  cache.acquire('s', 'a', 0);
  assert.deepEqual(fetched, ['s/a/0', 's/b/0', 's/c/0'], 'a stayed cached');
  cache.acquire('s', 'b', 0);
  assert.deepEqual(fetched.at(-1), 's/b/0', 'b is fetched again');
  await settle();
  cache.dispose();
  assert.equal(live.size, 0, 'every URL revoked on dispose');
});

test('not an image: a placeholder, cached; a failure is not cached, so a later row tries again', async () => {
  const { cache, fetched } = setup(10, async (jobId) => {
    if (jobId === 'video') return undefined;
    throw new Error('HTTP 502');
  });
  const video = cache.acquire('s', 'video', 0);
  const broken = cache.acquire('s', 'broken', 0);
  await settle();
  assert.deepEqual(video.value, { status: 'none' });
  assert.deepEqual(broken.value, { status: 'failed', message: 'HTTP 502' });
  cache.acquire('s', 'video', 0);
  cache.acquire('s', 'broken', 0);
  assert.deepEqual(fetched, ['s/video/0', 's/broken/0', 's/broken/0']);
});

test('an answer arriving after its entry was evicted creates no URL', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const { cache, live } = setup(1, async (jobId) => {
    if (jobId === 'slow') await gate;
    return png;
  });
  const slow = cache.acquire('s', 'slow', 0);
  cache.acquire('s', 'fast', 0);
  release();
  await settle();
  assert.deepEqual(slow.value, { status: 'none' });
  assert.equal(live.size, 1, 'only the entry still cached holds a URL');
});
