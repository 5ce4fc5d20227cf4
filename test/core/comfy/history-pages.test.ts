// Reading a legacy server's /history backwards with offsets: every entry once, newest first, each request bounded,
// also when old entries are evicted (and new ones appended) while the pages are read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { historyPages, type HistoryFetch } from '../../../electron/core/comfy/history-pages.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { nextNodeEvent } from '../../support/events.js';

/** PromptQueue.get_history(max_items, offset) over a list of ids, oldest first; `beforePage` may change the list. */
function historyOf(ids: string[], beforePage: () => void = () => undefined): { fetch: HistoryFetch; asked: { max_items: number; offset?: number }[] } {
  const asked: { max_items: number; offset?: number }[] = [];
  const fetch: HistoryFetch = async (query) => {
    asked.push(query);
    if (query.offset !== undefined && query.max_items > 1) beforePage();
    const start = query.offset ?? Math.max(0, ids.length - query.max_items);
    return Object.fromEntries(ids.slice(start, start + query.max_items).map((id) => [id, {}]));
  };
  return { fetch, asked };
}

async function readAll(fetch: HistoryFetch, first: number, pageSize?: number): Promise<string[][]> {
  const pages: string[][] = [];
  for await (const page of historyPages(fetch, first, undefined, pageSize)) pages.push(page.map((job) => job.id));
  return pages;
}

test('every entry once, newest first, in bounded pages', async () => {
  const ids = Array.from({ length: 1_234 }, (_, i) => `job-${i}`);
  const { fetch, asked } = historyOf(ids);
  const pages = await readAll(fetch, 20, 200);
  assert.deepEqual(pages.flat(), [...ids].reverse());
  assert.equal(pages[0]?.length, 20);
  assert.ok(asked.every((q) => q.max_items >= 1 && q.max_items <= 201));
  // Finding the length costs a few one-entry probes, not a read of everything.
  assert.ok(asked.filter((q) => q.max_items === 1).length <= 2 * Math.ceil(Math.log2(ids.length)));
});

test('a history shorter than the first page is read in one request', async () => {
  const { fetch, asked } = historyOf(['a', 'b', 'c']);
  assert.deepEqual(await readAll(fetch, 20), [['c', 'b', 'a']]);
  assert.deepEqual(asked, [{ max_items: 20 }]);
});

test('old entries evicted while reading (a full history shifts every offset) skip nothing still there', async () => {
  const ids = Array.from({ length: 1_000 }, (_, i) => `old-${i}`);
  const original = [...ids];
  let added = 0;
  // At the server's cap each new entry pushes the oldest out: 30 of each before every page.
  const { fetch } = historyOf(ids, () => {
    ids.splice(0, 30);
    for (let i = 0; i < 30; i++) ids.push(`new-${added++}`);
  });
  const read = (await readAll(fetch, 20, 100)).flat();
  for (const id of original.filter((id) => ids.includes(id))) assert.ok(read.includes(id), `${id} was skipped`);
  assert.equal(new Set(read).size, read.length, 'no entry twice');
  const readOld = read.filter((id) => id.startsWith('old-')).map((id) => original.indexOf(id));
  assert.deepEqual(readOld, [...readOld].sort((a, b) => b - a), 'newest first');
});

test('against the simulated legacy server: the whole history, each entry once', async (t) => {
  const sim = await ComfySimulator.start({ generation: 'legacy', stepDelayMs: 0 });
  t.after(() => sim.stop());
  const ids: string[] = [];
  for (let i = 0; i < 450; i++) ids.push(sim.enqueue({ '1': { class_type: 'SimOutput', inputs: { filename: `f${i}.png` } } }).promptId);
  await nextNodeEvent<{ promptId: string }>(sim.events, 'finished', (e) => e.promptId === ids[ids.length - 1], 30_000);
  const fromSim: HistoryFetch = async (query) => {
    const params = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
    return (await fetch(`${sim.url}api/history?${params}`)).json();
  };
  assert.deepEqual((await readAll(fromSim, 20)).flat(), [...ids].reverse());
});

/** A /history that ignores `offset`: every answer is its newest `max_items` entries. */
function offsetIgnoring(ids: readonly string[]): { fetch: HistoryFetch; asked: { max_items: number; offset?: number }[] } {
  const asked: { max_items: number; offset?: number }[] = [];
  const fetch: HistoryFetch = async (query) => {
    asked.push(query);
    // A test that would otherwise walk on for thousands of requests stops here, and fails on the count below.
    if (asked.length > 1_000) return {};
    return Object.fromEntries(ids.slice(Math.max(0, ids.length - query.max_items)).map((id) => [id, {}]));
  };
  return { fetch, asked };
}

test('regression: a /history that ignores offset costs a few requests, not thousands', async () => {
  const ids = Array.from({ length: 500 }, (_, i) => `job-${i}`);
  const { fetch, asked } = offsetIgnoring(ids);
  const read = (await readAll(fetch, 20)).flat();
  assert.ok(asked.length <= 4, `${asked.length} requests`);
  assert.equal(new Set(read).size, read.length, 'no entry twice');
  assert.deepEqual(read, [...ids].reverse().slice(0, read.length), 'newest first, from the top');
});

test('a /history that ignores max_items too is read in its one answer', async () => {
  const ids = Array.from({ length: 500 }, (_, i) => `job-${i}`);
  const asked: unknown[] = [];
  const fetch: HistoryFetch = async (query) => {
    asked.push(query);
    return asked.length > 1_000 ? {} : Object.fromEntries(ids.map((id) => [id, {}]));
  };
  assert.deepEqual((await readAll(fetch, 20)).flat(), [...ids].reverse());
  assert.equal(asked.length, 1);
});
