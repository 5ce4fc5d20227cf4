// Row positions in a windowed list where a few rows are taller: tops, total height, the row at a position and the
// range in view, checked against a plain walk over every row.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RowLayout } from '../../../renderer/models/row-layout.js';

function walk(count: number, rowHeight: number, extras: Map<number, number>): number[] {
  const tops: number[] = [];
  let y = 0;
  for (let i = 0; i < count; i++) {
    tops.push(y);
    y += rowHeight + (extras.get(i) ?? 0);
  }
  tops.push(y);
  return tops;
}

test('tops, heights and the row at any position agree with a walk over every row', () => {
  const extras = new Map([
    [0, 100],
    [7, 320],
    [8, 10],
    [49, 5],
  ]);
  const layout = new RowLayout(50, 76, [...extras].map(([index, extra]) => ({ index, extra })));
  const tops = walk(50, 76, extras);
  assert.equal(layout.totalHeight, tops[50]);
  for (let i = 0; i < 50; i++) {
    assert.equal(layout.top(i), tops[i], `top of ${i}`);
    assert.equal(layout.heightOf(i), tops[i + 1]! - tops[i]!);
    assert.equal(layout.indexAt(tops[i]!), i, `row at the top of ${i}`);
    assert.equal(layout.indexAt(tops[i + 1]! - 1), i, `row at the bottom of ${i}`);
  }
  assert.equal(layout.indexAt(-50), 0);
  assert.equal(layout.indexAt(1e9), 49);
});

test('the range in view covers the rows crossing the viewport plus the overscan, clamped', () => {
  const layout = new RowLayout(1000, 76, [{ index: 3, extra: 320 }]);
  // Rows 0–2 end at 228, row 3 spans 228–624, row 4 starts at 624.
  assert.deepEqual(layout.range(300, 400, 0), [3, 5]);
  assert.deepEqual(layout.range(0, 100, 2), [0, 4]);
  assert.deepEqual(layout.range(layout.totalHeight - 10, 600, 3), [996, 1000]);
  assert.deepEqual(new RowLayout(0, 76).range(0, 500, 6), [0, 0]);
  // Extra on rows outside the list, or none at all, change nothing.
  assert.equal(new RowLayout(10, 20, [{ index: 12, extra: 99 }, { index: 2, extra: 0 }]).totalHeight, 200);
});
