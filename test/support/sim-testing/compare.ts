// Comparing simulator output with recorded transcripts: message-type sequences and JSON shapes.
import assert from 'node:assert/strict';
import type { WsEntry } from './fixtures.js';

export function tokens(entries: WsEntry[]): string[] {
  return entries.map((e) => (e.kind === 'binary' ? `bin:${e.eventType}` : e.type));
}

const PROGRESSISH = (token: string): boolean => token === 'progress' || token === 'progress_state' || token.startsWith('bin:');

/** Timing-dependent parts: every run of progress/progress_state/binary frames becomes one "[...]" token. */
export function collapseProgress(list: string[]): string[] {
  const out: string[] = [];
  let run = new Set<string>();
  const flush = (): void => {
    if (run.size > 0) out.push(`[${[...run].sort().join('|')}]`);
    run = new Set();
  };
  for (const token of list) {
    if (PROGRESSISH(token)) run.add(token);
    else {
      flush();
      out.push(token);
    }
  }
  flush();
  return out;
}

export function withoutStatus(list: string[]): string[] {
  return list.filter((t) => t !== 'status');
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

const ID_KEY = /^(?:\d+(?::\d+)*|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})$/;

function isIdMap(value: Record<string, unknown>): boolean {
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => ID_KEY.test(k));
}

function matches(actual: unknown, expected: unknown): boolean {
  try {
    assertSameShape(actual, expected);
    return true;
  } catch {
    return false;
  }
}

/**
 * Same keys and value types, recursively; values themselves (ids, timestamps, counters) are ignored.
 * Objects keyed by ids and homogeneous arrays compare element-wise against any recorded element;
 * heterogeneous arrays (tuples such as queue items) compare position by position.
 */
export function assertSameShape(actual: unknown, expected: unknown, path = '$'): void {
  assert.equal(kind(actual), kind(expected), `${path}: ${kind(actual)} vs recorded ${kind(expected)}`);
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const kinds = new Set(expected.map(kind));
    const tuple = kinds.size > 1;
    if (tuple) {
      assert.equal(actual.length, expected.length, `${path}: tuple length`);
      actual.forEach((v, i) => assertSameShape(v, expected[i], `${path}[${i}]`));
      return;
    }
    if (expected.length === 0) {
      assert.equal(actual.length, 0, `${path}: recorded an empty array`);
      return;
    }
    actual.forEach((v, i) => {
      if (expected.some((e) => matches(v, e))) return;
      assertSameShape(v, expected[0], `${path}[${i}]`);
    });
    return;
  }
  if (kind(expected) !== 'object') return;
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  if (isIdMap(e) || (isIdMap(a) && Object.keys(e).length === 0)) {
    if (Object.keys(e).length === 0) return;
    for (const [key, value] of Object.entries(a)) {
      assert.ok(ID_KEY.test(key), `${path}: key ${key} is not an id`);
      if (!Object.values(e).some((ev) => matches(value, ev))) assertSameShape(value, Object.values(e)[0], `${path}.${key}`);
    }
    return;
  }
  assert.deepEqual(Object.keys(a).sort(), Object.keys(e).sort(), `${path}: keys`);
  for (const key of Object.keys(e)) assertSameShape(a[key], e[key], `${path}.${key}`);
}
