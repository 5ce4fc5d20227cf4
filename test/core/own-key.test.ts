// Records keyed by what a server or a file says: "__proto__" is an entry like any other, as JSON.parse makes it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setOwn } from '../../electron/core/own-key.js';

test('"__proto__" becomes an own entry; the record keeps its prototype, and later keys stay its own', () => {
  const record: Record<string, { title: string }> = {};
  setOwn(record, '__proto__', Object.freeze({ title: 'a node called __proto__' }));
  // With a plain assignment, the frozen object would be the prototype, and this would throw (its "title" is read-only).
  setOwn(record, 'title', { title: 'a node called title' });
  setOwn(record, 'x', { title: 'x' });
  assert.equal(Object.getPrototypeOf(record), Object.prototype);
  assert.deepEqual(Object.keys(record), ['__proto__', 'title', 'x']);
  assert.equal(record['__proto__']?.title, 'a node called __proto__');
  assert.deepEqual(record, JSON.parse('{"__proto__": {"title": "a node called __proto__"}, "title": {"title": "a node called title"}, "x": {"title": "x"}}'));
});
