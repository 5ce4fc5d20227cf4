// A windowed list: rows have one height (a few may be taller, see row-layout.ts), so only the rows in view (plus a
// few either side) exist in the DOM, and 10,000 entries scroll as smoothly as 10. The scroller is focusable so arrow
// and Page keys scroll it.
import type { ComponentChild } from 'preact';
import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { RowLayout } from '../models/row-layout.js';

export interface VirtualListProps<T> {
  readonly items: readonly T[];
  readonly rowHeight: number;
  readonly label: string;
  readonly getKey: (item: T) => string;
  /** Should return a memoised component: rows kept in view are then not re-rendered while scrolling. */
  readonly renderRow: (item: T) => ComponentChild;
  readonly overscan?: number;
  /** Used until the scroller has been measured (and in DOMs without layout). */
  readonly fallbackHeight?: number;
  /** Rows taller than `rowHeight` (an expanded failure), by how much; most lists have none. */
  readonly extraHeight?: (item: T) => number;
  /** Changes whenever `extraHeight` would answer differently (the set of expanded rows). */
  readonly extraVersion?: unknown;
}

export function visibleRange(count: number, rowHeight: number, scrollTop: number, height: number, overscan: number): [number, number] {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  return [first, Math.max(first, last)];
}

export function VirtualList<T>({ items, rowHeight, label, getKey, renderRow, overscan = 6, fallbackHeight = 600, extraHeight, extraVersion }: VirtualListProps<T>) {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(fallbackHeight);
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const measure = (): void => {
      if (element.clientHeight > 0) setHeight(element.clientHeight);
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  // Only lists with taller rows pay for a layout; the rest keep the plain arithmetic.
  const layout = useMemo(() => {
    if (!extraHeight) return undefined;
    const extras = [];
    for (let index = 0; index < items.length; index++) {
      const extra = extraHeight(items[index]!);
      if (extra > 0) extras.push({ index, extra });
    }
    return extras.length > 0 ? new RowLayout(items.length, rowHeight, extras) : undefined;
    // extraVersion stands for what extraHeight reads.
  }, [items, rowHeight, extraVersion]);
  const [first, last] = layout ? layout.range(scrollTop, height, overscan) : visibleRange(items.length, rowHeight, scrollTop, height, overscan);
  const rows: ComponentChild[] = [];
  for (let i = first; i < last; i++) {
    const item = items[i]!;
    const top = layout ? layout.top(i) : i * rowHeight;
    const rowTall = layout ? layout.heightOf(i) : rowHeight;
    rows.push(
      <div key={getKey(item)} role="listitem" aria-setsize={items.length} aria-posinset={i + 1} class="vlist__row" style={{ top: `${top}px`, height: `${rowTall}px` }}>
        {renderRow(item)}
      </div>,
    );
  }
  return (
    <div ref={scroller} class="vlist" tabIndex={0} role="list" aria-label={label} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
      <div class="vlist__space" role="none" style={{ height: `${layout ? layout.totalHeight : items.length * rowHeight}px` }}>
        {rows}
      </div>
    </div>
  );
}
